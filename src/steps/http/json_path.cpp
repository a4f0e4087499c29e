#include "steps/http/json_path.h"

#include <algorithm>

#include "steps/nats/json_read.h"

namespace rr::http {
namespace {

constexpr std::size_t kMaxSegments = 32;
constexpr std::size_t kMaxPathBytes = 255;

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A selector's value matches a string member as is, other scalars as JSON.
bool member_equals(const nlohmann::json& element, const std::string& key, const std::string& value) {
  if (!element.is_object()) return false;
  auto it = element.find(key);
  if (it == element.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == value;
  if (it->is_number() || it->is_boolean()) return it->dump() == value;
  return false;
}

std::string walked(const JsonPath& path, std::size_t upto) {
  std::string s;
  for (std::size_t i = 0; i < upto; ++i) {
    if (i) s += '.';
    s += path.segments[i].key;
    if (path.segments[i].equals) s += "=" + *path.segments[i].equals;
  }
  return s.empty() ? "the document" : s;
}

}  // namespace

Result<JsonPath> parse_json_path(std::string_view text) {
  JsonPath path;
  path.text = std::string(text);
  if (text.empty()) return path;
  if (text.size() > kMaxPathBytes) return Error{"path", "longer than 255 bytes"};
  std::size_t start = 0;
  while (start <= text.size()) {
    auto dot = text.find('.', start);
    std::string_view seg = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) return Error{"path", "has an empty segment"};
    if (path.segments.size() == kMaxSegments) return Error{"path", "has more than 32 segments"};
    JsonPath::Segment s;
    auto eq = seg.find('=');
    if (eq == std::string_view::npos) {
      s.key = std::string(seg);
    } else {
      s.key = std::string(seg.substr(0, eq));
      s.equals = std::string(seg.substr(eq + 1));
      if (s.key.empty() || s.equals->empty() || s.equals->find('=') != std::string::npos)
        return Error{"path", "has a selector that is not NAME=VALUE"};
    }
    path.segments.push_back(std::move(s));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return path;
}

JsonPathHit find_json_path(const nlohmann::json& doc, const JsonPath& path) {
  JsonPathHit hit;
  const nlohmann::json* at = &doc;
  const nlohmann::json* parent = nullptr;
  for (std::size_t i = 0; i < path.segments.size(); ++i) {
    const auto& seg = path.segments[i];
    const nlohmann::json* next = nullptr;
    if (seg.equals) {
      if (!at->is_array()) {
        hit.missing = walked(path, i) + " is not an array";
        return hit;
      }
      auto it = std::find_if(at->begin(), at->end(),
                             [&](const nlohmann::json& e) { return member_equals(e, seg.key, *seg.equals); });
      if (it == at->end()) {
        hit.missing = walked(path, i) + " has no element with " + seg.key + "=" + *seg.equals;
        return hit;
      }
      next = &*it;
    } else if (at->is_object()) {
      auto it = at->find(seg.key);
      if (it != at->end()) next = &*it;
      if (!next) {
        hit.missing = walked(path, i) + " has no member " + seg.key;
        return hit;
      }
    } else if (at->is_array() && all_digits(seg.key)) {
      std::size_t index = std::stoul(seg.key);
      if (index >= at->size()) {
        hit.missing = walked(path, i) + " has " + std::to_string(at->size()) + " elements, no element " + seg.key;
        return hit;
      }
      next = &(*at)[index];
    } else {
      hit.missing = walked(path, i) + " is " + (at->is_array() ? "an array" : "not an object") + ", no member " +
                    seg.key;
      return hit;
    }
    parent = at;
    at = next;
  }
  hit.value = at;
  hit.parent = parent;
  return hit;
}

std::string json_value_text(const nlohmann::json& value, std::size_t max_bytes) {
  if (value.is_string()) return nats::one_line(value.get_ref<const std::string&>(), max_bytes);
  return nats::one_line(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max_bytes);
}

}  // namespace rr::http
