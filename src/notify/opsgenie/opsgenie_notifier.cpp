#include "notify/opsgenie/opsgenie.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the opsgenie target is not available yet"};
}

}  // namespace

const TargetType kOpsgenieTarget{"opsgenie", {}, {}, {}, make};

}  // namespace rr
