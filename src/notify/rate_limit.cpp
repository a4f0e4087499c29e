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

TokenBucket token_bucket(RateLimit limit, TokenBucket::Clock::time_point now) {
  return TokenBucket(limit.per_second, limit.burst, now);
}

}  // namespace rr
