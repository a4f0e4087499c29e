#pragma once
// The Opsgenie target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kOpsgenieTarget;

}  // namespace rr
