#pragma once
// The retry stage's wait: exponential backoff with jitter, and the
// service's own Retry-After when it asked for longer.

#include <chrono>
#include <optional>

#include "common/time.h"

namespace rr {

struct BackoffPolicy {
  Millis first{1000};  // after the first failure
  Millis max{300000};  // the wait never grows beyond this (Retry-After may)
};

// The wait after `failures` retryable failures in a row (1 for the first):
// first * 2^(failures-1), capped at `max`, then jittered into [half, full]
// by `jitter` in [0, 1) so that a fleet of responders does not retry in step;
// at least `retry_after` when the service gave one.
Millis backoff(const BackoffPolicy& policy, int failures, double jitter, std::optional<Millis> retry_after = {});

}  // namespace rr
