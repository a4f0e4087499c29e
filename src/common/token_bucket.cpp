#include "common/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace rr {

TokenBucket::TokenBucket(double per_second, double burst, Clock::time_point now)
    : per_second_(per_second), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

void TokenBucket::set_limit(double per_second, double burst) {
  per_second_ = per_second;
  burst_ = std::max(1.0, burst);
  tokens_ = std::min(tokens_, burst_);
}

std::chrono::milliseconds TokenBucket::take(Clock::time_point now) {
  if (per_second_ <= 0) return std::chrono::milliseconds(0);
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * per_second_);
    last_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::chrono::milliseconds(0);
  }
  // At least 1 ms: a caller waiting "0" would spin.
  double wait = (1 - tokens_) / per_second_;
  return std::chrono::milliseconds(std::max(1LL, static_cast<long long>(std::ceil(wait * 1000))));
}

}  // namespace rr
