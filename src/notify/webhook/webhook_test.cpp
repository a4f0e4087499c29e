#include <catch2/catch.hpp>

#include "notify/test_reports.h"
#include "notify/webhook/webhook.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;

TEST_CASE("render_json follows schema version 1") {
  Report r = test_reports::small();
  json j = render_json(r);
  CHECK(test::webhook_json_violations(j.dump()).empty());
  CHECK(j["version"] == 1);
  CHECK(j["id"] == "r-1");
  CHECK(j["kind"] == "triage");
  CHECK(j["status"] == "firing");
  CHECK(j["title"] == "[FIRING:1] NatsServerDown nats-west");
  CHECK(j["group_key"] == r.group_key);
  CHECK(j["receiver"] == "nats-diag");
  CHECK(j["rule"] == "nats-server-down");
  CHECK(j["cluster"] == "nats-west");
  CHECK(j["verdict"] == r.verdict);
  CHECK(j["summary"] == r.verdict);
  CHECK(j["severity"] == "critical");
  CHECK(j["truncated_alerts"] == 0);
  CHECK(j["created"] == "2026-11-23T00:33:20.000Z");
  REQUIRE(j["alerts"].size() == 1);
  CHECK(j["alerts"][0]["fingerprint"] == "c1aa405082786383");
  CHECK(j["alerts"][0]["labels"]["server"] == "nats-9");
  CHECK(j["alerts"][0]["starts_at"] == "2026-11-23T00:32:53.000Z");
  CHECK(j["alerts"][0]["rule"] == "nats-server-down");
  REQUIRE(j["findings"].size() == 2);
  CHECK(j["findings"][0]["severity"] == "critical");
  CHECK(j["findings"][0]["code"] == "nats.server_down");
  CHECK(j["findings"][0]["evidence"].size() == 2);
  REQUIRE(j["steps"].size() == 2);
  CHECK(j["steps"][0]["status"] == "ok");
  CHECK(j["steps"][0]["duration_ms"] == 120);
  CHECK(j["steps"][1]["status"] == "timeout");
  CHECK(j["steps"][0]["output"] == r.steps[0].output);
  CHECK(j["suggestions"][0]["risk"] == "medium");
  CHECK(j["links"][0]["title"] == "Runbook");
}

TEST_CASE("render_json kinds and the severity of a report without findings") {
  Report r = test_reports::small();
  r.kind = Report::Kind::Resolution;
  r.findings.clear();
  json j = render_json(r);
  CHECK(j["kind"] == "resolution");
  CHECK(j["severity"] == "ok");
  CHECK(j["findings"].is_array());
  r.kind = Report::Kind::Unmatched;
  CHECK(render_json(r)["kind"] == "unmatched");
}

TEST_CASE("render_json_text survives invalid UTF-8 and hostile text") {
  Report r = test_reports::small();
  r.steps[0].output = std::string("bad \xff\xfe bytes") + test_reports::kHostile;
  std::string text;
  REQUIRE_NOTHROW(text = render_json_text(r));
  json back = json::parse(text);
  CHECK(back["steps"][0]["output"].get<std::string>().find("bytes") != std::string::npos);
  CHECK(render_json_text(r, 2).find("\n  \"version\": 1") != std::string::npos);
}

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
