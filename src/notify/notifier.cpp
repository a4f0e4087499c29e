#include "notify/notifier.h"

#include "notify/console/console.h"
#include "notify/slack/slack.h"
#include "notify/webhook/webhook.h"

namespace rr {

Result<std::unique_ptr<Notifier>> make_notifier(const NotifyTarget& target) {
  if (target.type == "console") return make_console_notifier();
  if (target.type == "webhook") return make_webhook_notifier(target);
  if (target.type == "slack") return make_slack_notifier(target);
  std::string known;
  for (const auto& t : notify_types()) known += (known.empty() ? "" : ", ") + std::string(t.name);
  return Error{"notify." + target.name + ".type", "unknown target type \"" + target.type + "\" (expected " + known + ")"};
}

}  // namespace rr
