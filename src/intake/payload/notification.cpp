#include "intake/payload/notification.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/text.h"

namespace rr {

namespace {

using nlohmann::json;
using Failure = std::optional<Error>;

// Nesting beyond this is no Alertmanager payload (it needs 3 levels); the
// limit keeps hostile input from costing stack or time.
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxFingerprint = 64;

// True when `body` nests arrays and objects deeper than kMaxDepth, counted
// outside strings. A scan before parsing, so the parser needs no per-value
// callback (which costs a third of the parse).
bool too_deep(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

Error fail(std::string where, std::string message) { return Error{std::move(where), std::move(message)}; }

std::string path(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

// What is wrong with a text value, if anything. NUL bytes (from \u0000)
// would be cut short by every C API downstream. (Error paths are built only
// on failure: a valid payload reads hundreds of fields.)
std::optional<std::string> text_problem(const std::string& s, std::size_t max_bytes) {
  if (s.size() > max_bytes) return fmt::format("longer than {} bytes", max_bytes);
  if (s.find('\0') != std::string::npos) return "contains a NUL character";
  return std::nullopt;
}

enum class Need { Required, Optional };

// Reads obj[key] as a string into `out`; absent optional fields leave `out` as is.
Failure read_string(const json& obj, std::string_view key, const std::string& prefix, Need need,
                    std::size_t max_bytes, std::string& out) {
  auto where = [&] { return path(prefix, key); };
  auto it = obj.find(key);
  if (it == obj.end()) return need == Need::Required ? Failure(fail(where(), "missing")) : std::nullopt;
  if (!it->is_string()) return fail(where(), fmt::format("must be a string, not {}", type_name(*it)));
  const auto& s = it->get_ref<const std::string&>();
  if (auto p = text_problem(s, max_bytes)) return fail(where(), *p);
  out = s;
  return std::nullopt;
}

Failure read_status(const json& obj, const std::string& prefix, std::string& out) {
  if (auto f = read_string(obj, "status", prefix, Need::Required, 16, out)) return f;
  if (out != "firing" && out != "resolved") return fail(path(prefix, "status"), "must be \"firing\" or \"resolved\"");
  return std::nullopt;
}

// A map of string to string, as labels and annotations are.
Failure read_label_set(const json& obj, std::string_view key, const std::string& prefix, Need need,
                       const PayloadLimits& limits, LabelSet& out) {
  auto where = [&] { return path(prefix, key); };
  auto it = obj.find(key);
  if (it == obj.end()) return need == Need::Required ? Failure(fail(where(), "missing")) : std::nullopt;
  if (!it->is_object()) return fail(where(), fmt::format("must be an object, not {}", type_name(*it)));
  if (it->size() > limits.max_labels) return fail(where(), fmt::format("more than {} entries", limits.max_labels));
  for (auto item = it->begin(); item != it->end(); ++item) {
    // Not a structured binding: clang (the fuzz build) cannot capture one.
    const std::string& name = item.key();
    const json& value = item.value();
    if (name.empty()) return fail(where(), "has an empty name");
    if (auto p = text_problem(name, limits.max_value_bytes)) return fail(where(), "name " + *p);
    // Names are valid UTF-8 (the parser checked); cut them so an error stays short.
    auto entry = [&] { return path(where(), truncate_utf8(name, 64)); };
    if (!value.is_string()) return fail(entry(), fmt::format("must be a string, not {}", type_name(value)));
    const auto& s = value.get_ref<const std::string&>();
    if (auto p = text_problem(s, limits.max_value_bytes)) return fail(entry(), *p);
    out.emplace_hint(out.end(), name, s);
  }
  return std::nullopt;
}

Failure read_time(const json& obj, std::string_view key, const std::string& prefix, TimePoint& out) {
  std::string text;
  if (auto f = read_string(obj, key, prefix, Need::Required, 64, text)) return f;
  auto t = parse_rfc3339(text);
  if (!t) return fail(path(prefix, key), "not an RFC 3339 time");
  out = *t;
  return std::nullopt;
}

Failure read_alert(const json& a, const std::string& where, const PayloadLimits& limits, Alert& out) {
  if (!a.is_object()) return fail(where, fmt::format("must be an object, not {}", type_name(a)));
  if (auto f = read_status(a, where, out.status)) return f;
  if (auto f = read_label_set(a, "labels", where, Need::Required, limits, out.labels)) return f;
  if (auto f = read_label_set(a, "annotations", where, Need::Required, limits, out.annotations)) return f;
  if (auto f = read_time(a, "startsAt", where, out.starts_at)) return f;
  if (auto f = read_time(a, "endsAt", where, out.ends_at)) return f;
  if (auto f = read_string(a, "generatorURL", where, Need::Optional, limits.max_value_bytes, out.generator_url))
    return f;
  if (auto f = read_string(a, "fingerprint", where, Need::Required, kMaxFingerprint, out.fingerprint)) return f;
  if (out.fingerprint.empty()) return fail(path(where, "fingerprint"), "must not be empty");
  return std::nullopt;
}

Failure read_alerts(const json& body, const PayloadLimits& limits, std::vector<Alert>& out) {
  auto it = body.find("alerts");
  if (it == body.end()) return fail("alerts", "missing");
  if (!it->is_array()) return fail("alerts", fmt::format("must be an array, not {}", type_name(*it)));
  if (it->size() > limits.max_alerts) return fail("alerts", fmt::format("more than {} alerts", limits.max_alerts));
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    Alert alert;
    if (auto f = read_alert((*it)[i], fmt::format("alerts[{}]", i), limits, alert)) return f;
    out.push_back(std::move(alert));
  }
  return std::nullopt;
}

Failure read_truncated(const json& body, std::int64_t& out) {
  auto it = body.find("truncatedAlerts");
  if (it == body.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return fail("truncatedAlerts", "too large");
    out = static_cast<std::int64_t>(v);
    return std::nullopt;
  }
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
    out = it->get<std::int64_t>();
    return std::nullopt;
  }
  return fail("truncatedAlerts", "must be a non-negative integer");
}

Failure read_notification(const json& body, const PayloadLimits& limits, Notification& n) {
  if (!body.is_object()) return fail("body", fmt::format("must be a JSON object, not {}", type_name(body)));
  if (auto f = read_string(body, "version", "", Need::Required, 16, n.version)) return f;
  if (n.version != "4") return fail("version", "unsupported version (only \"4\" is understood)");
  if (auto f = read_status(body, "", n.status)) return f;
  if (auto f = read_string(body, "receiver", "", Need::Required, limits.max_value_bytes, n.receiver)) return f;
  if (auto f = read_string(body, "externalURL", "", Need::Required, limits.max_value_bytes, n.external_url))
    return f;
  if (auto f = read_string(body, "groupKey", "", Need::Required, limits.max_value_bytes, n.group_key)) return f;
  if (n.group_key.empty()) return fail("groupKey", "must not be empty");
  if (auto f = read_label_set(body, "groupLabels", "", Need::Optional, limits, n.group_labels)) return f;
  if (auto f = read_label_set(body, "commonLabels", "", Need::Optional, limits, n.common_labels)) return f;
  if (auto f = read_label_set(body, "commonAnnotations", "", Need::Optional, limits, n.common_annotations))
    return f;
  if (auto f = read_truncated(body, n.truncated_alerts)) return f;
  return read_alerts(body, limits, n.alerts);
}

}  // namespace

Result<Notification> parse_notification(std::string_view body, const PayloadLimits& limits) {
  try {
    if (trim(body).empty()) return fail("body", "empty");
    if (too_deep(body)) return fail("body", fmt::format("JSON nested deeper than {} levels", kMaxDepth));
    json doc;
    try {
      doc = json::parse(body.begin(), body.end());
    } catch (const json::parse_error& e) {
      // e.what() quotes the offending bytes, which may be invalid UTF-8.
      return fail("body", truncate_utf8(sanitize_utf8(fmt::format("invalid JSON: {}", e.what())), 300));
    }
    Notification n;
    if (auto f = read_notification(doc, limits, n)) return *f;
    return n;
  } catch (const std::bad_alloc&) {
    return fail("body", "too large to parse");
  } catch (const std::exception& e) {
    return fail("body", truncate_utf8(sanitize_utf8(e.what()), 300));
  }
}

}  // namespace rr
