#include "notify/rate_limit.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/text.h"

namespace rr {

Result<RateLimit> parse_rate_limit(std::string_view text) {
  text = trim(text);
  if (text == "0" || text == "none") return RateLimit{};
  auto bad = [&] {
    return Error{"rate_limit", "\"" + std::string(text.substr(0, 32)) + "\" is not N/s, N/m or N/h"};
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash + 2 != text.size()) return bad();
  double n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + slash, n);
  if (ec != std::errc() || end != text.data() + slash || !(n > 0) || n > 1e6) return bad();
  double unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    default: return bad();
  }
  RateLimit limit;
  limit.per_second = n / unit;
  limit.burst = std::max(1, static_cast<int>(std::floor(limit.per_second)));
  return limit;
}

TokenBucket::TokenBucket(RateLimit limit, Clock::time_point now)
    : limit_(limit), tokens_(std::max(1, limit.burst)), last_(now) {}

std::chrono::milliseconds TokenBucket::take(Clock::time_point now) {
  if (limit_.per_second <= 0) return std::chrono::milliseconds(0);
  double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min<double>(std::max(1, limit_.burst), tokens_ + elapsed * limit_.per_second);
    last_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::chrono::milliseconds(0);
  }
  double wait = (1 - tokens_) / limit_.per_second;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait * 1000)));
}

}  // namespace rr
