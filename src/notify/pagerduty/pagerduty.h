#pragma once
// The PagerDuty target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kPagerdutyTarget;

}  // namespace rr
