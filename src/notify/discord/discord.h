#pragma once
// The Discord target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kDiscordTarget;

}  // namespace rr
