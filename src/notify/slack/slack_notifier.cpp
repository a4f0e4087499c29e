#include "notify/http_target.h"
#include "notify/slack/slack.h"

namespace rr {

namespace {

class SlackNotifier final : public Notifier {
 public:
  explicit SlackNotifier(HttpTarget http) : http_(std::move(http)) {}
  std::string_view type() const override { return "slack"; }
  Delivery send(const Report& report, Deadline deadline) override {
    std::string body = render_slack(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return http_.post(body, "application/json", deadline);
  }

 private:
  HttpTarget http_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> make_slack_notifier(const NotifyTarget& target) {
  // Incoming webhooks answer 200 "ok"; any other 200 body is an error.
  auto http = HttpTarget::make(target.url, std::string("ok"));
  if (!http) return Error{"notify." + target.name + ".url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<SlackNotifier>(std::move(*http)));
}

}  // namespace rr
