#include "notify/http_target.h"
#include "notify/teams/teams.h"

namespace rr {

namespace {

class TeamsNotifier final : public Notifier {
 public:
  explicit TeamsNotifier(HttpTarget http) : http_(std::move(http)) {}

  Delivery send(const Message& message, Deadline deadline) override {
    std::string body =
        render_teams(message.report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return http_.post(body, "application/json", deadline);  // Workflows answer 202
  }

 private:
  HttpTarget http_;
};

// Office 365 connector URLs: retired, and they take MessageCards, not this.
bool connector_url(const std::string& url) {
  auto host_end = url.find('/', url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  std::string host = url.substr(0, host_end);
  return host.find("outlook.office.com") != std::string::npos || host.find(".webhook.office.com") != std::string::npos;
}

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const std::string& url = target.option("url");
  if (connector_url(url))
    return Error{"url", "Office 365 connector webhooks are retired and not supported: create a Workflows webhook"};
  auto http = HttpTarget::make(url);
  if (!http) return Error{"url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<TeamsNotifier>(std::move(*http)));
}

}  // namespace

const TargetType kTeamsTarget{"teams", {"url"}, {}, {1.0, 4}, make};

}  // namespace rr
