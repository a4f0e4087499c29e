#include "notify/googlechat/googlechat.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the googlechat target is not available yet"};
}

}  // namespace

const TargetType kGooglechatTarget{"googlechat", {}, {}, {}, make};

}  // namespace rr
