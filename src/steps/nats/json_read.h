#pragma once
// Reading JSON that came from outside (server replies, or facts built from
// them) without ever throwing: a missing key or a value of the wrong type
// reads as absent.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rr::nats {

// j[key] when j is an object holding key, else a null value.
const nlohmann::json& field(const nlohmann::json& j, std::string_view key);

// The string at key, or "" (also for non-strings).
std::string get_string(const nlohmann::json& j, std::string_view key);
// Integers; a float or an out-of-range value reads as absent.
std::optional<std::int64_t> get_int(const nlohmann::json& j, std::string_view key);
std::optional<std::uint64_t> get_uint(const nlohmann::json& j, std::string_view key);
// Any number.
std::optional<double> get_number(const nlohmann::json& j, std::string_view key);
bool get_bool(const nlohmann::json& j, std::string_view key, bool fallback = false);

// Copies from[from_key] to to[to_key] when it is a non-negative integer /
// a string (made safe with one_line); leaves `to` alone otherwise.
void copy_uint(nlohmann::json& to, const nlohmann::json& from, std::string_view from_key, const std::string& to_key);
void copy_string(nlohmann::json& to, const nlohmann::json& from, std::string_view from_key, const std::string& to_key);

// Text from a server made safe for facts, logs and chat: valid UTF-8, no
// control characters or newlines, at most `max_bytes`.
std::string one_line(std::string_view text, std::size_t max_bytes = 256);

}  // namespace rr::nats
