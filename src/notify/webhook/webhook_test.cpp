#include <catch2/catch.hpp>

#include "notify/test_reports.h"
#include "notify/webhook/webhook.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;

TEST_CASE("the webhook notifier posts the JSON to its URL") {
  test::HttpSink sink;
  NotifyTarget target{"ops", "webhook", {{"url", sink.url("/webhook-json/ops")}}, {}};
  auto notifier = make_notifier(target);
  REQUIRE(notifier.ok());
  Report r = test_reports::huge();
  Delivery d = (*notifier)->send(Message{r, ""}, Deadline::after(std::chrono::seconds(5)));
  CHECK(d.ok);
  CHECK(d.http_status == 200);
  auto requests = sink.requests("/webhook-json/ops");
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].header("Content-Type") == "application/json");
  CHECK(json::parse(requests[0].body)["findings"].size() == 200);
  CHECK(sink.violations().empty());
}

TEST_CASE("a webhook target with a bad URL is refused without echoing it") {
  NotifyTarget target{"ops", "webhook", {{"url", "ftp://secret-token@example.com/hook"}}, {}, "/etc/rr.yaml", 7};
  auto notifier = make_notifier(target);
  REQUIRE_FALSE(notifier.ok());
  CHECK(notifier.error().to_string().find("secret-token") == std::string::npos);
  CHECK(notifier.error().where == "/etc/rr.yaml:7");
  CHECK(notifier.error().message.rfind("notify target ops: url: ", 0) == 0);
}

}  // namespace
}  // namespace rr
