#pragma once
// What a kind of target declares about itself: its name in the config, the
// options it takes, the service's rate limit, and how to build its
// notifier. Each target folder exports one TargetType; notify/targets.cpp
// lists them, and that list is the only place a type is named.

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "notify/notifier.h"

namespace rr {

// At most `per_second` messages on average, `burst` at once.
struct RateLimit {
  double per_second = 0;  // 0: unlimited
  int burst = 1;
};

struct TargetType {
  std::string_view name;                      // `type:` in the config
  std::vector<std::string_view> required;     // options that must be set
  std::vector<std::string_view> optional;     // options that may be set
  RateLimit rate;                             // the service's documented limit, per target
  // Builds the notifier once the options were checked against the lists
  // above; returns an error naming the option (never its value) otherwise.
  Result<std::unique_ptr<Notifier>> (*make)(const NotifyTarget& target);
};

// Every target type, in the order the README lists them.
const std::vector<const TargetType*>& target_types();
const TargetType* find_target_type(std::string_view name);

// Options every target takes, whatever its type: `rate_limit` ("1/s",
// "120/m": overrides the type's) and `max_age` (a duration: how long a
// report may wait for this target; default the delivery's).
inline constexpr std::string_view kCommonTargetOptions[] = {"rate_limit", "max_age"};

// Checks `target` against its type (known type, required options present,
// no unknown option) and builds its notifier. Errors are "file:line" of the
// entry plus a message naming the target and the option, never a value.
Result<std::unique_ptr<Notifier>> make_notifier(const NotifyTarget& target);

// make_notifier() for each target, every error collected: for `check`.
std::vector<Error> check_targets(const std::vector<NotifyTarget>& targets);

}  // namespace rr
