// The one list of target types. Adding a target is its folder and one line here.

#include <algorithm>

#include "notify/console/console.h"
#include "notify/discord/discord.h"
#include "notify/googlechat/googlechat.h"
#include "notify/mattermost/mattermost.h"
#include "notify/opsgenie/opsgenie.h"
#include "notify/pagerduty/pagerduty.h"
#include "notify/rate_limit.h"
#include "notify/slack/slack.h"
#include "notify/target_type.h"
#include "notify/teams/teams.h"
#include "notify/webhook/webhook.h"

namespace rr {

const std::vector<const TargetType*>& target_types() {
  static const std::vector<const TargetType*> types = {
      &kConsoleTarget,    &kWebhookTarget, &kSlackTarget,   &kPagerdutyTarget, &kOpsgenieTarget,
      &kMattermostTarget, &kTeamsTarget,   &kDiscordTarget, &kGooglechatTarget,
  };
  return types;
}

const TargetType* find_target_type(std::string_view name) {
  for (const TargetType* t : target_types())
    if (t->name == name) return t;
  return nullptr;
}

namespace {

bool listed(const std::vector<std::string_view>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

Result<std::unique_ptr<Notifier>> make_notifier(const NotifyTarget& target) {
  auto fail = [&](const std::string& message) {
    return Error{target.where(), "notify target " + target.name + ": " + message};
  };
  const TargetType* type = find_target_type(target.type);
  if (!type) {
    std::string known;
    for (const TargetType* t : target_types()) known += (known.empty() ? "" : ", ") + std::string(t->name);
    return fail("unknown type \"" + target.type.substr(0, 64) + "\" (known: " + known + ")");
  }
  for (std::string_view key : type->required) {
    if (target.option(std::string(key)).empty()) {
      std::string k(key);
      return fail("type " + target.type + " needs " + k + ", " + k + "_file or " + k + "_env");
    }
  }
  for (const auto& [key, value] : target.options) {
    bool common = std::find(std::begin(kCommonTargetOptions), std::end(kCommonTargetOptions), key) !=
                  std::end(kCommonTargetOptions);
    if (!common && !listed(type->required, key) && !listed(type->optional, key)) {
      std::string takes;
      for (auto k : type->required) takes += (takes.empty() ? "" : ", ") + std::string(k);
      for (auto k : type->optional) takes += (takes.empty() ? "" : ", ") + std::string(k);
      return fail("type " + target.type + " takes no option " + key +
                  (takes.empty() ? std::string(" (it takes none)") : " (it takes " + takes + ")"));
    }
  }
  if (const std::string& rate = target.option("rate_limit"); !rate.empty()) {
    if (auto r = parse_rate_limit(rate); !r) return fail(r.error().where + ": " + r.error().message);
  }
  if (const std::string& age = target.option("max_age"); !age.empty()) {
    auto d = parse_duration(age);
    if (!d || d->count() <= 0) return fail("max_age must be a positive duration such as 30m");
  }
  auto notifier = type->make(target);
  if (!notifier) return fail(notifier.error().where + ": " + notifier.error().message);
  return notifier;
}

std::vector<Error> check_targets(const std::vector<NotifyTarget>& targets) {
  std::vector<Error> errors;
  for (const NotifyTarget& t : targets)
    if (auto n = make_notifier(t); !n) errors.push_back(n.error());
  return errors;
}

}  // namespace rr
