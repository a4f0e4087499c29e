#pragma once
// The one grammar for rates in the config: "50/s", "120/m", "3600/h" (at
// most N per second, minute or hour; N > 0, at most 10^6); "0" or "none" for
// no limit. Used by notify[].rate_limit and rate_limit.per_client.

#include <string_view>

#include "common/result.h"

namespace rr {

// Per second; 0 for no limit. Errors quote the text (cut to 32 bytes) and
// name `key` as where.
Result<double> parse_rate(std::string_view text, std::string_view key);

}  // namespace rr
