#include "notify/mattermost/mattermost.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the mattermost target is not available yet"};
}

}  // namespace

const TargetType kMattermostTarget{"mattermost", {}, {}, {}, make};

}  // namespace rr
