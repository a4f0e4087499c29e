#include "notify/discord/discord.h"

namespace rr {

namespace {

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) {
  return Error{"type", "the discord target is not available yet"};
}

}  // namespace

const TargetType kDiscordTarget{"discord", {}, {}, {}, make};

}  // namespace rr
