#include "rules/yaml_reader.h"

#include <algorithm>
#include <charconv>

namespace rr::yaml {

std::optional<YAML::Node> Reader::load(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    error_at_line(e.mark.is_null() ? 1 : e.mark.line + 1, "YAML syntax error: " + e.msg);
  }
  return std::nullopt;
}

int Reader::line(const YAML::Node& at) const {
  if (at.IsDefined()) {
    YAML::Mark m = at.Mark();
    if (!m.is_null()) last_line_ = m.line + 1;
  }
  return last_line_;
}

void Reader::error(const YAML::Node& at, std::string message) { error_at_line(line(at), std::move(message)); }

void Reader::error_at_line(int line, std::string message) {
  errors_.emplace_back(line, Error{file_ + ":" + std::to_string(line), std::move(message)});
}

std::vector<Error> Reader::errors() const {
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Error> out;
  for (auto& e : sorted) out.push_back(std::move(e.second));
  return out;
}

std::optional<Fields> Fields::read(Reader& r, const YAML::Node& node, std::string_view what,
                                   std::vector<std::string_view> allowed) {
  if (!node.IsMap()) {
    r.error(node, std::string(what) + " must be a map");
    return std::nullopt;
  }
  Fields f(r, node, std::string(what));
  for (auto it = node.begin(); it != node.end(); ++it) {
    // By value: yaml-cpp's iterator hands out a temporary pair.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      r.error(key, "keys in " + std::string(what) + " must be strings");
      continue;
    }
    const std::string& name = key.Scalar();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      r.error(key, "unknown key \"" + name + "\" in " + std::string(what) + " (known: " + list + ")");
      continue;
    }
    if (f.find(name)) {
      r.error(key, "duplicate key \"" + name + "\" in " + std::string(what));
      continue;
    }
    f.entries_.emplace_back(name, value);
  }
  return f;
}

const YAML::Node* Fields::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return &v;
  return nullptr;
}

const YAML::Node* Fields::require(std::string_view key) const {
  const YAML::Node* v = find(key);
  if (!v) r_->error(node_, what_ + " needs \"" + std::string(key) + "\"");
  return v;
}

std::optional<std::string> string_value(Reader& r, const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    r.error(node, std::string(what) + " must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::vector<std::string>> string_list(Reader& r, const YAML::Node& node, std::string_view what) {
  if (!node.IsSequence()) {
    r.error(node, std::string(what) + " must be a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : node) {
    auto s = string_value(r, item, std::string(what) + " entries");
    if (s) out.push_back(std::move(*s));
    ok = ok && s;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Nanos> duration_value(Reader& r, const YAML::Node& node, std::string_view what) {
  auto s = string_value(r, node, what);
  if (!s) return std::nullopt;
  auto d = parse_duration(*s);
  if (!d || d->count() <= 0) {
    r.error(node, std::string(what) + " must be a positive duration such as 5s, 2m or 1h30m, not \"" + *s + "\"");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> integer_value(Reader& r, const YAML::Node& node, std::string_view what,
                                          std::int64_t min, std::int64_t max) {
  auto s = string_value(r, node, what);
  if (!s) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size() || v < min || v > max) {
    r.error(node, std::string(what) + " must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", not \"" + *s + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<Matcher>> match_map(Reader& r, const YAML::Node& node) {
  const std::size_t errors_before = r.error_count();
  auto fields = Fields::read(r, node, "match", {});
  if (!fields) return std::nullopt;
  std::vector<Matcher> out;
  bool ok = r.error_count() == errors_before;  // e.g. a key that is not a string
  for (const auto& [label, value] : fields->entries()) {
    if (label == "matchers") continue;
    auto v = string_value(r, value, "match." + label);
    if (!v) {
      ok = false;
      continue;
    }
    auto m = Matcher::make(label, Matcher::Op::Equal, *v);
    if (!m) {
      r.error(value, "match: " + m.error().message);
      ok = false;
      continue;
    }
    out.push_back(std::move(*m));
  }
  if (const YAML::Node* list = fields->find("matchers")) {
    if (!list->IsSequence()) {
      r.error(*list, "match.matchers must be a list of matcher strings such as 'severity=~\"critical|warning\"'");
      ok = false;
    } else {
      for (const auto& item : *list) {
        auto text = string_value(r, item, "match.matchers entries");
        if (!text) {
          ok = false;
          continue;
        }
        auto m = Matcher::parse(*text);
        if (!m) {
          r.error(item, "match.matchers: " + m.error().message);
          ok = false;
          continue;
        }
        out.push_back(std::move(*m));
      }
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace rr::yaml
