#include "notify/teams/teams.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the teams target is not available yet"};
}

}  // namespace

const TargetType kTeamsTarget{"teams", {}, {}, {}, make};

}  // namespace rr
