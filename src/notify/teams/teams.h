#pragma once
// The Microsoft Teams target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kTeamsTarget;

}  // namespace rr
