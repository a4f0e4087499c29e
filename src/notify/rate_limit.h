#pragma once
// The per-target rate limit stage: a token bucket, so a burst of reports
// for one chat channel or routing key is spread out as the service asks
// (Slack about one message a second per webhook, PagerDuty about 120
// events a minute per routing key) instead of being refused with 429.

#include <chrono>
#include <string_view>

#include "common/result.h"
#include "notify/target_type.h"

namespace rr {

// "2/s", "120/m", "600/h": at most N messages per unit on average; the burst
// is N per second, at least 1. "0" or "none": unlimited. Errors quote the text.
Result<RateLimit> parse_rate_limit(std::string_view text);

// Not thread-safe: one per target, used by that target's delivery thread.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(RateLimit limit, Clock::time_point now = Clock::now());

  // Zero, and a token taken, when a message may go at `now`; otherwise how
  // long to wait before asking again.
  std::chrono::milliseconds take(Clock::time_point now);

 private:
  RateLimit limit_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace rr
