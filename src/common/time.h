#pragma once
// Wall-clock times and durations as they appear on the wire.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rr {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::nanoseconds>;
using Nanos = std::chrono::nanoseconds;
using Millis = std::chrono::milliseconds;

// RFC 3339 with any fractional precision (0 to 9 digits) and a `Z` or
// `+hh:mm` offset, e.g. "2026-11-23T00:32:13.620287586Z". Returns nullopt on
// anything else, including out-of-range fields.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// An HTTP-date in its one current form (RFC 9110 IMF-fixdate), as in
// Retry-After: "Sun, 06 Nov 1994 08:49:37 GMT". nullopt on anything else.
std::optional<TimePoint> parse_http_date(std::string_view text);

// "2026-11-23T00:32:13.620Z" (UTC, milliseconds).
std::string format_rfc3339(TimePoint t);

// Go-style durations as Prometheus and NATS write them: "30s", "5m",
// "1h30m", "500ms", "2d" (a day is 24h). Rejects negatives, empty strings,
// unknown units and overflow.
std::optional<Nanos> parse_duration(std::string_view text);

// Short human form: "850ms", "12s", "5m", "1h30m", "3d4h".
std::string format_duration(Nanos d);

// Bytes as "1.5 MiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace rr
