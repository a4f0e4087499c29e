#pragma once
// The per-target rate limit stage: a token bucket, so a burst of reports
// for one chat channel or routing key is spread out as the service asks
// (Slack about one message a second per webhook, PagerDuty about 120
// events a minute per routing key) instead of being refused with 429.

#include <chrono>
#include <string_view>

#include "common/result.h"
#include "common/token_bucket.h"
#include "notify/target_type.h"

namespace rr {

// "2/s", "120/m", "600/h": at most N messages per unit on average; the burst
// is N per second, at least 1. "0" or "none": unlimited. Errors quote the text.
Result<RateLimit> parse_rate_limit(std::string_view text);

// A bucket for `limit`, full at `now`.
TokenBucket token_bucket(RateLimit limit, TokenBucket::Clock::time_point now = TokenBucket::Clock::now());

}  // namespace rr
