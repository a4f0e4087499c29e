#include <algorithm>
#include <cmath>

#include "notify/discord/discord.h"
#include "notify/http_target.h"

namespace rr {

namespace {

using nlohmann::json;

constexpr double kMaxRetryAfterSeconds = 3600;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Message ids are snowflakes: decimal, at most 20 digits. Anything else
// kept for a group is not put into a URL.
bool is_snowflake(std::string_view id) {
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The id of the message Discord made, from the ?wait=true answer.
std::string message_id(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string()) return "";
  std::string id = doc["id"];
  return is_snowflake(id) ? id : "";
}

// Adds the body's retry_after to a 429 that has no usable Retry-After header.
Delivery with_retry_after(HttpAnswer answer) {
  Delivery d = std::move(answer.delivery);
  if (d.http_status == 429 && !d.retry_after) d.retry_after = discord_retry_after(answer.body);
  return d;
}

class DiscordNotifier final : public Notifier {
 public:
  DiscordNotifier(HttpTarget http, std::string query) : http_(std::move(http)), query_(std::move(query)) {}

  Delivery send(const Message& message, Deadline deadline) override {
    const Report& r = message.report;
    bool resolved = r.status == "resolved";
    if (resolved && is_snowflake(message.thread)) {
      HttpCall edit{.method = "PATCH",
                    .suffix = "/messages/" + message.thread + (query_.empty() ? "" : "?" + query_),
                    .body = dump(render_discord_resolved_edit(r))};
      HttpAnswer answer = http_.call(edit, deadline);
      // Worth retrying: nothing is posted yet, so the retry does both. A
      // final failure (404: deleted) leaves the old message as it is.
      if (!answer.delivery.ok && answer.delivery.retryable) return with_retry_after(std::move(answer));
    }
    HttpCall post{.suffix = "?wait=true" + (query_.empty() ? "" : "&" + query_), .body = dump(render_discord(r))};
    HttpAnswer answer = http_.call(post, deadline);
    std::string id = answer.delivery.ok ? message_id(answer.body) : "";
    Delivery d = with_retry_after(std::move(answer));
    if (!d.ok) return d;
    if (resolved)
      d.thread = "";  // the group is over: its next message starts afresh
    else if (r.kind != Report::Kind::Resolution && !id.empty())
      d.thread = id;  // a partial resolution keeps the triage message as the one to edit
    return d;
  }

 private:
  HttpTarget http_;
  std::string query_;  // the configured URL's own query (thread_id=...), if any
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const std::string& url = target.option("url");
  if (url.find('#') != std::string::npos) return Error{"url", "a webhook URL has no #fragment"};
  auto q = url.find('?');
  std::string base = url.substr(0, q);
  std::string query = q == std::string::npos ? "" : url.substr(q + 1);
  if (query.find("wait=") != std::string::npos) return Error{"url", "leave wait= out of the URL: it is always set"};
  auto http = HttpTarget::make(base);
  if (!http) return Error{"url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<DiscordNotifier>(std::move(*http), std::move(query)));
}

}  // namespace

std::optional<Millis> discord_retry_after(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("retry_after") || !doc["retry_after"].is_number()) return std::nullopt;
  double seconds = doc["retry_after"].get<double>();
  if (!(seconds >= 0)) return std::nullopt;  // also NaN
  seconds = std::min(seconds, kMaxRetryAfterSeconds);
  return Millis(static_cast<long long>(std::ceil(seconds * 1000)));
}

const TargetType kDiscordTarget{"discord", {"url"}, {}, {0.5, 5}, make};

}  // namespace rr
