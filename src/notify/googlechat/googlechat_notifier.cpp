#include <vector>

#include "common/text.h"
#include "notify/googlechat/googlechat.h"
#include "notify/http_target.h"

namespace rr {

namespace {

// Replaces every `secret` in `text` (HttpTarget already removes the whole URL).
std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  constexpr std::string_view kMark = "<secret>";
  for (const std::string& s : secrets)
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + kMark.size()))
      text.replace(pos, s.size(), kMark);
  return text;
}

// The values of the URL's key= and token= parameters, in case an answer quotes one alone.
std::vector<std::string> query_secrets(const std::string& url) {
  std::vector<std::string> out;
  auto q = url.find('?');
  if (q == std::string::npos) return out;
  for (const std::string& pair : split(std::string_view(url).substr(q + 1), '&')) {
    auto eq = pair.find('=');
    if (eq != std::string::npos && pair.size() - eq - 1 >= 8) out.push_back(pair.substr(eq + 1));
  }
  return out;
}

class GooglechatNotifier final : public Notifier {
 public:
  GooglechatNotifier(HttpTarget http, char separator, std::vector<std::string> secrets)
      : http_(std::move(http)), separator_(separator), secrets_(std::move(secrets)) {}

  Delivery send(const Message& message, Deadline deadline) override {
    const Report& r = message.report;
    HttpCall post{.suffix = std::string(1, separator_) + "threadKey=" + googlechat_thread_key(r.group_key) +
                            "&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
                  .body = render_googlechat(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    // The thread follows from the group key: nothing to keep.
    Delivery d = http_.call(post, deadline).delivery;
    d.error = scrub(std::move(d.error), secrets_);
    return d;
  }

 private:
  HttpTarget http_;
  char separator_;  // '&' after the URL's own ?key=...&token=..., '?' without one
  std::vector<std::string> secrets_;
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const std::string& url = target.option("url");
  if (url.find('#') != std::string::npos) return Error{"url", "a webhook URL has no #fragment"};
  if (url.find("threadKey=") != std::string::npos || url.find("messageReplyOption=") != std::string::npos)
    return Error{"url", "leave threadKey and messageReplyOption out of the URL: they are set per alert group"};
  auto http = HttpTarget::make(url);
  if (!http) return Error{"url", http.error().message};
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  return std::unique_ptr<Notifier>(std::make_unique<GooglechatNotifier>(std::move(*http), separator, query_secrets(url)));
}

}  // namespace

const TargetType kGooglechatTarget{"googlechat", {"url"}, {}, {1.0, 1}, make};

}  // namespace rr
