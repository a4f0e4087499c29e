#include "notify/pagerduty/pagerduty.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the pagerduty target is not available yet"};
}

}  // namespace

const TargetType kPagerdutyTarget{"pagerduty", {}, {}, {}, make};

}  // namespace rr
