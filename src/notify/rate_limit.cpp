#include "notify/rate_limit.h"

#include <algorithm>
#include <cmath>

#include "common/rate.h"

namespace rr {

Result<RateLimit> parse_rate_limit(std::string_view text) {
  auto per_second = parse_rate(text, "rate_limit");
  if (!per_second) return per_second.error();
  RateLimit limit;
  limit.per_second = *per_second;
  if (limit.per_second > 0) limit.burst = std::max(1, static_cast<int>(std::floor(limit.per_second)));
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
