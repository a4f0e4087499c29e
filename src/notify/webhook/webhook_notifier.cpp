#include "notify/http_target.h"
#include "notify/webhook/webhook.h"
#include "report/report_json.h"

namespace rr {

namespace {

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(HttpTarget http) : http_(std::move(http)) {}
  Delivery send(const Message& message, Deadline deadline) override {
    return http_.post(report_to_json_text(message.report), "application/json", deadline);
  }

 private:
  HttpTarget http_;
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  auto http = HttpTarget::make(target.option("url"));
  if (!http) return Error{"url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<WebhookNotifier>(std::move(*http)));
}

}  // namespace

const TargetType kWebhookTarget{"webhook", {"url"}, {}, {}, make};

}  // namespace rr
