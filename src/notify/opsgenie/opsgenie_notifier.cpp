#include <nlohmann/json.hpp>

#include "common/text.h"
#include "notify/http_target.h"
#include "notify/opsgenie/opsgenie.h"

namespace rr {

namespace {

constexpr std::string_view kDefaultApiUrl = "https://api.opsgenie.com";
constexpr std::size_t kErrorTextBytes = 300;

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

// Opsgenie's own words for a refusal: {"message": "Request body is not
// processable. Please check the errors.", "errors": {"message": "Message can
// not be empty."}, "took": 0.0, "requestId": "..."}, on one line.
std::string service_text(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return body;
  std::string text;
  if (doc.contains("message") && doc["message"].is_string()) text = doc["message"].get<std::string>();
  if (doc.contains("errors") && doc["errors"].is_object()) {
    for (const auto& [field, why] : doc["errors"].items())
      text += (text.empty() ? "" : " ") + field + ": " + (why.is_string() ? why.get<std::string>() : why.dump());
  }
  return text.empty() ? body : text;
}

class OpsgenieNotifier final : public Notifier {
 public:
  OpsgenieNotifier(HttpTarget http, std::string api_key) : http_(std::move(http)), api_key_(std::move(api_key)) {}

  bool wants(const Report& report) const override { return pages(report); }

  Delivery send(const Message& message, Deadline deadline) override {
    const Report& report = message.report;
    if (!wants(report)) return Delivery{.ok = true};  // nothing this target sends for it
    HttpCall call;
    call.headers = {{"Authorization", "GenieKey " + api_key_}};
    nlohmann::ordered_json body;
    if (report.kind == Report::Kind::Resolution) {
      // The alias is hex: nothing in it needs encoding.
      call.suffix = "/v2/alerts/" + opsgenie_alias(report.group_key) + "/close?identifierType=alias";
      body = render_opsgenie_close(report);
    } else {
      call.suffix = "/v2/alerts";
      body = render_opsgenie_alert(report);
    }
    call.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    HttpAnswer answer = http_.call(call, deadline);
    Delivery d = std::move(answer.delivery);
    if (!d.ok && d.http_status != 0) {
      // The message and the field errors, not the first 120 bytes of the JSON.
      std::string text = service_text(answer.body);
      replace_all(text, api_key_, "<api_key>");
      text = truncate_utf8(std::string(trim(sanitize_utf8(text))), kErrorTextBytes);
      for (char& c : text)
        if (c == '\n' || c == '\t') c = ' ';
      d.error = http_.origin() + ": HTTP " + std::to_string(d.http_status) + (text.empty() ? "" : ": " + text);
    }
    replace_all(d.error, api_key_, "<api_key>");
    return d;
  }

 private:
  HttpTarget http_;
  std::string api_key_;  // secret
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const std::string& key = target.option("api_key");
  // It becomes a header value: no spaces, no control characters.
  if (key.empty() || !is_printable_ascii(key) || key.find(' ') != std::string::npos || key.size() > 256)
    return Error{"api_key", "must be an Opsgenie API key (printable characters, no spaces)"};
  std::string url = target.option("api_url").empty() ? std::string(kDefaultApiUrl) : target.option("api_url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto http = HttpTarget::make(url);
  if (!http) return Error{"api_url", http.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<OpsgenieNotifier>(std::move(*http), key));
}

}  // namespace

// Two requests a second, a burst of two, as for PagerDuty; a 429 still
// brings its Retry-After.
const TargetType kOpsgenieTarget{"opsgenie", {"api_key"}, {"api_url"}, {2.0, 2}, make};

}  // namespace rr
