#include "steps/nats/json_read.h"

#include <limits>

#include "common/text.h"

namespace rr::nats {

const nlohmann::json& field(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(std::string(key));
  return it == j.end() ? null_value : *it;
}

std::string get_string(const nlohmann::json& j, std::string_view key) {
  const auto& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::optional<std::int64_t> get_int(const nlohmann::json& j, std::string_view key) {
  const auto& v = field(j, key);
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return std::nullopt;
}

std::optional<std::uint64_t> get_uint(const nlohmann::json& j, std::string_view key) {
  const auto& v = field(j, key);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(i);
  }
  return std::nullopt;
}

std::optional<double> get_number(const nlohmann::json& j, std::string_view key) {
  const auto& v = field(j, key);
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

bool get_bool(const nlohmann::json& j, std::string_view key, bool fallback) {
  const auto& v = field(j, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

void copy_uint(nlohmann::json& to, const nlohmann::json& from, std::string_view from_key, const std::string& to_key) {
  if (auto v = get_uint(from, from_key)) to[to_key] = *v;
}

void copy_string(nlohmann::json& to, const nlohmann::json& from, std::string_view from_key, const std::string& to_key) {
  const auto& v = field(from, from_key);
  if (v.is_string()) to[to_key] = one_line(v.get<std::string>());
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string clean = sanitize_utf8(text);
  for (char& c : clean) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return truncate_utf8(trim(clean), max_bytes);
}

}  // namespace rr::nats
