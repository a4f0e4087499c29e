#include "notify/http_target.h"
#include "notify/webhook/webhook.h"

namespace rr {

namespace {

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(HttpTarget http) : http_(std::move(http)) {}
  std::string_view type() const override { return "webhook"; }
  Delivery send(const Report& report, Deadline deadline) override {
    return http_.post(render_json_text(report), "application/json", deadline);
  }

 private:
  HttpTarget http_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> make_webhook_notifier(const NotifyTarget& target) {
  auto http = HttpTarget::make(target.url);
  if (!http) return Error{"notify." + target.name + ".url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<WebhookNotifier>(std::move(*http)));
}

}  // namespace rr
