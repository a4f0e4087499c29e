#include <nlohmann/json.hpp>

#include "common/text.h"
#include "notify/http_target.h"
#include "notify/pagerduty/pagerduty.h"

namespace rr {

namespace {

constexpr std::string_view kDefaultApiUrl = "https://events.pagerduty.com/v2/enqueue";
constexpr std::size_t kRoutingKeyChars = 32;
constexpr std::size_t kErrorTextBytes = 300;

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

// PagerDuty's own words for a refusal: {"status": "invalid event", "message":
// "Event object is invalid", "errors": ["Length of 'routing_key' is incorrect
// ..."]}, joined on one line; any other body as it came.
std::string service_text(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return body;
  std::string text;
  auto add = [&text](const nlohmann::json& v) {
    if (!v.is_string() || v.get<std::string>().empty()) return;
    text += (text.empty() ? "" : ": ") + v.get<std::string>();
  };
  if (doc.contains("status")) add(doc["status"]);
  if (doc.contains("message")) add(doc["message"]);
  if (doc.contains("errors") && doc["errors"].is_array())
    for (const auto& e : doc["errors"]) add(e);
  return text.empty() ? body : text;
}

class PagerdutyNotifier final : public Notifier {
 public:
  PagerdutyNotifier(HttpTarget http, std::string routing_key, std::string source)
      : http_(std::move(http)), routing_key_(std::move(routing_key)), source_(std::move(source)) {}

  bool wants(const Report& report) const override { return pages(report); }

  Delivery send(const Message& message, Deadline deadline) override {
    const Report& report = message.report;
    if (!wants(report)) return Delivery{.ok = true};  // nothing this target sends for it
    bool resolve = report.kind == Report::Kind::Resolution;
    nlohmann::ordered_json event = resolve ? render_pagerduty_resolve(report, routing_key_)
                                           : render_pagerduty_trigger(report, routing_key_, source_);
    HttpCall call;
    call.body = event.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    HttpAnswer answer = http_.call(call, deadline);
    Delivery d = std::move(answer.delivery);
    if (!d.ok && d.http_status != 0) {
      // The whole refusal, not the first 120 bytes of its JSON: the reason is at the end.
      std::string text = service_text(answer.body);
      replace_all(text, routing_key_, "<routing_key>");
      text = truncate_utf8(std::string(trim(sanitize_utf8(text))), kErrorTextBytes);
      for (char& c : text)
        if (c == '\n' || c == '\t') c = ' ';
      d.error = http_.origin() + ": HTTP " + std::to_string(d.http_status) + (text.empty() ? "" : ": " + text);
    }
    replace_all(d.error, routing_key_, "<routing_key>");
    return d;
  }

 private:
  HttpTarget http_;
  std::string routing_key_;  // secret
  std::string source_;
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget& target) {
  const std::string& key = target.option("routing_key");
  // The key goes into JSON only, but a wrong one would be refused at the
  // first page: say so now, without quoting it.
  bool printable = !key.empty() && is_printable_ascii(key) && key.find(' ') == std::string::npos;
  if (!printable || key.size() != kRoutingKeyChars)
    return Error{"routing_key", "must be the 32-character integration key of an Events API v2 integration"};
  std::string url = target.option("api_url").empty() ? std::string(kDefaultApiUrl) : target.option("api_url");
  auto http = HttpTarget::make(url);
  if (!http) return Error{"api_url", http.error().message};
  const std::string& source = target.option("source");
  if (!source.empty() && (!is_printable_ascii(source) || source.size() > 255))
    return Error{"source", "must be at most 255 printable ASCII characters"};
  return std::unique_ptr<Notifier>(std::make_unique<PagerdutyNotifier>(std::move(*http), key, source));
}

}  // namespace

// About 120 events a minute per routing key.
const TargetType kPagerdutyTarget{"pagerduty", {"routing_key"}, {"api_url", "source"}, {2.0, 2}, make};

}  // namespace rr
