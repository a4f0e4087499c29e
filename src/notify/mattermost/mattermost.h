#pragma once
// The Mattermost target. (Being written: see notify/target_type.h.)

#include "notify/target_type.h"

namespace rr {

extern const TargetType kMattermostTarget;

}  // namespace rr
