#include "common/text.h"
#include "notify/http_target.h"
#include "notify/mattermost/mattermost.h"
#include "report/links.h"

namespace rr {

namespace {

class MattermostNotifier final : public Notifier {
 public:
  MattermostNotifier(HttpTarget http, MattermostOptions options)
      : http_(std::move(http)), options_(std::move(options)) {}

  Delivery send(const Message& message, Deadline deadline) override {
    std::string body = render_mattermost(message.report, options_)
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return http_.post(body, "application/json", deadline);
  }

 private:
  HttpTarget http_;
  MattermostOptions options_;
};

// A channel name (no spaces) or a display name: short printable ASCII.
bool plain_name(const std::string& value, bool spaces) {
  return value.size() <= 64 && is_printable_ascii(value) && (spaces || value.find(' ') == std::string::npos);
}

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  // Incoming webhooks answer 200 "ok"; any other 200 body is an error.
  auto http = HttpTarget::make(target.option("url"), std::string("ok"));
  if (!http) return Error{"url", http.error().message};
  MattermostOptions options{target.option("channel"), target.option("username"), target.option("icon_url")};
  if (!plain_name(options.channel, false))
    return Error{"channel", "must be a channel name (up to 64 printable ASCII characters, no spaces)"};
  if (!plain_name(options.username, true))
    return Error{"username", "must be up to 64 printable ASCII characters"};
  if (!options.icon_url.empty() && !is_web_url(options.icon_url))
    return Error{"icon_url", "must be an http(s) URL"};
  return std::unique_ptr<Notifier>(std::make_unique<MattermostNotifier>(std::move(*http), std::move(options)));
}

}  // namespace

const TargetType kMattermostTarget{"mattermost", {"url"}, {"channel", "username", "icon_url"}, {1.0, 1}, make};

}  // namespace rr
