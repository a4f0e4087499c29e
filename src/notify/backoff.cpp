#include "notify/backoff.h"

#include <algorithm>

namespace rr {

Millis backoff(const BackoffPolicy& policy, int failures, double jitter, std::optional<Millis> retry_after) {
  double wait = static_cast<double>(policy.first.count());
  for (int i = 1; i < failures && wait < static_cast<double>(policy.max.count()); ++i) wait *= 2;
  wait = std::min(wait, static_cast<double>(policy.max.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  Millis out(static_cast<Millis::rep>(wait / 2 + wait / 2 * jitter));
  if (retry_after) out = std::max(out, *retry_after);
  return out;
}

}  // namespace rr
