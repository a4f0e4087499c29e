#include "notify/http_target.h"
#include "notify/slack/slack.h"

namespace rr {

namespace {

class SlackNotifier final : public Notifier {
 public:
  explicit SlackNotifier(HttpTarget http) : http_(std::move(http)) {}
  Delivery send(const Message& message, Deadline deadline) override {
    std::string body =
        render_slack(message.report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return http_.post(body, "application/json", deadline);
  }

 private:
  HttpTarget http_;
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const bool webhook = !target.option("url").empty(), bot = !target.option("token").empty();
  if (webhook == bot) return Error{"url", "set either url (an incoming webhook) or token and channel (a bot)"};
  if (bot) return make_slack_bot_notifier(target);
  if (!target.option("channel").empty() || !target.option("api_url").empty())
    return Error{"channel", "channel and api_url go with a bot token; an incoming webhook has its channel"};
  // Incoming webhooks answer 200 "ok"; any other 200 body is an error.
  auto http = HttpTarget::make(target.option("url"), std::string("ok"));
  if (!http) return Error{"url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<SlackNotifier>(std::move(*http)));
}

}  // namespace

// About one message a second per incoming webhook or channel.
const TargetType kSlackTarget{"slack", {}, {"url", "token", "channel", "api_url"}, {1.0, 1}, make};

}  // namespace rr
