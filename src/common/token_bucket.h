#pragma once
// A token bucket: at most `per_second` on average, in bursts of up to
// `burst`. The one refill rule behind the webhook's per-client limit
// (intake/http/rate_limiter.h) and each notify destination's pace
// (notify/rate_limit.h). Not thread-safe: its owner locks.

#include <chrono>

namespace rr {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second <= 0: unlimited. A burst below 1 counts as 1. Starts full.
  TokenBucket(double per_second, double burst, Clock::time_point now);

  // Zero, and a token taken, when one is there at `now`; otherwise how long
  // until one is (nothing taken). A clock going backwards adds nothing.
  std::chrono::milliseconds take(Clock::time_point now);

  // A new limit from now on; the tokens kept are capped at the new burst.
  void set_limit(double per_second, double burst);

 private:
  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace rr
