#pragma once
// The Google Chat target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kGooglechatTarget;

}  // namespace rr
