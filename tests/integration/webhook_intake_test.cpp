// The webhook as Alertmanager and attackers see it, against the real binary:
// status codes, authentication, body limits, back-pressure, metrics.

#include <catch2/catch.hpp>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

const std::string kToken = "s3cret-token-for-tests";

// A responder whose NATS cluster is a sink that answers slowly, so triage
// takes as long as a test needs.
std::string config(const TempDir& dir, const HttpSink& reports, const HttpSink& slow_monitor, int workers = 2,
                   int queue = 16) {
  write_file(dir / "token", kToken + "\n");
  write_file(dir / "rules.yaml", R"(rules:
  - name: test-health
    match: {alertname: TestHealth}
    steps:
      - {id: health, kind: nats.health}
  - name: test-stream
    match: {alertname: TestStream}
    steps:
      - id: stream
        kind: nats.stream_info
        with: {stream: "{{ labels.stream }}"}
    suggest:
      - command: "nats stream info {{ labels.stream }}"
        why: "the stream as the CLI shows it"
        risk: read-only
)");
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
         "body_limit: 64KiB\n"
         "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
         "clusters:\n"
         "  - name: test\n"
         "    servers: [\"nats://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
         "    monitor: [\"" + slow_monitor.url("") + "\"]\n"
         "notify:\n"
         "  - {name: archive, type: webhook, url: \"" + reports.url("/webhook-json") + "\"}\n"
         "engine: {workers: " + std::to_string(workers) + ", queue: " + std::to_string(queue) +
         ", cooldown: 5m, step_timeout: 5s, deadline: 10s}\n";
}

httplib::Result post(const Responder& r, const std::string& body, const std::string& token = kToken) {
  httplib::Client c("127.0.0.1", r.port());
  c.set_read_timeout(10, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return c.Post("/webhook", h, body, "application/json");
}

}  // namespace

TEST_CASE("Bad requests are rejected with the right status and the service keeps serving") {
  TempDir dir;
  HttpSink reports, monitor;
  Responder responder(config(dir, reports, monitor));
  std::string good = alert_payload("{}:{alertname=\"TestHealth\"}", {{"alertname", "TestHealth"}}).dump();

  SECTION("unauthenticated and wrong token: 401") {
    auto none = post(responder, good, "");
    REQUIRE(none);
    CHECK(none->status == 401);
    auto wrong = post(responder, good, "s3cret-token-for-testz");
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
  }
  SECTION("malformed: 400 naming the field") {
    auto bad_json = post(responder, "{\"version\": \"4\", ");
    REQUIRE(bad_json);
    CHECK(bad_json->status == 400);
    auto p = json::parse(good);
    p["alerts"][0]["startsAt"] = "yesterday";
    auto bad_time = post(responder, p.dump());
    REQUIRE(bad_time);
    CHECK(bad_time->status == 400);
    CHECK(json::parse(bad_time->body)["field"] == "alerts[0].startsAt");
    p = json::parse(good);
    p["alerts"][0]["labels"]["x"] = 5;
    auto bad_label = post(responder, p.dump());
    REQUIRE(bad_label);
    CHECK(bad_label->status == 400);
    CHECK(json::parse(bad_label->body)["field"].get<std::string>().find("alerts[0].labels") == 0);
  }
  SECTION("oversized: 413") {
    auto p = json::parse(good);
    p["alerts"][0]["annotations"]["description"] = std::string(100 * 1024, 'x');
    auto big = post(responder, p.dump());
    REQUIRE(big);
    CHECK(big->status == 413);
  }
  // After any of the above, a good request is still served and triaged.
  auto ok = post(responder, good);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(reports.wait_for(1, std::chrono::seconds(15)));
  CHECK(reports.violations().empty());

  httplib::Client c("127.0.0.1", responder.port());
  auto metrics = c.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("rr_webhooks_received_total") != std::string::npos);
  auto check = run({"promtool", "check", "metrics"}, std::chrono::seconds(20), metrics->body);
  INFO(check.output);
  CHECK(check.exit_code == 0);
}

TEST_CASE("A full queue answers 503 and nothing accepted is lost") {
  TempDir dir;
  HttpSink reports, monitor;
  // Every monitor read takes 1.5 s: one worker, a queue of one.
  monitor.script("/healthz", {}, SinkResponse(200, "{\"status\":\"ok\"}", {}, std::chrono::milliseconds(1500)));
  monitor.script("/healthz?js-enabled-only=true", {},
                 SinkResponse(200, "{\"status\":\"ok\"}", {}, std::chrono::milliseconds(1500)));
  Responder responder(config(dir, reports, monitor, 1, 1));

  int accepted = 0, refused = 0;
  std::vector<std::string> refused_bodies;
  for (int i = 0; i < 6; ++i) {
    auto body = alert_payload("{}:{alertname=\"TestHealth\", n=\"" + std::to_string(i) + "\"}",
                              {{"alertname", "TestHealth"}, {"n", std::to_string(i)}}, "firing",
                              "00000000000000a" + std::to_string(i))
                    .dump();
    auto r = post(responder, body);
    REQUIRE(r);
    if (r->status == 200) ++accepted;
    else if (r->status == 503) ++refused, refused_bodies.push_back(body);
    else FAIL("unexpected status " << r->status);
  }
  CHECK(refused > 0);
  CHECK(accepted >= 1);
  // Every accepted webhook gets its report.
  CHECK(reports.wait_for(accepted, std::chrono::seconds(30)));
  // Alertmanager would retry the refused ones; once there is room they are taken.
  for (const auto& body : refused_bodies) {
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
      auto r = post(responder, body);
      status = r ? r->status : 0;
      if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(status == 200);
  }
  CHECK(reports.wait_for(6, std::chrono::seconds(60)));
  CHECK(reports.requests().size() == 6);
}

TEST_CASE("Hostile label values never reach a step") {
  TempDir dir;
  HttpSink reports, monitor;
  Responder responder(config(dir, reports, monitor));
  const std::vector<std::string> hostile = {"a; rm -rf /", "$(id)", "`id`", "CIM\nEVENTS", std::string(10 * 1024, 'A'),
                                            "../../etc/passwd"};
  int n = 0;
  for (const auto& value : hostile) {
    auto body = alert_payload("{}:{alertname=\"TestStream\", n=\"" + std::to_string(n) + "\"}",
                              {{"alertname", "TestStream"}, {"stream", value}, {"n", std::to_string(n)}}, "firing",
                              "00000000000000b" + std::to_string(n))
                    .dump();
    ++n;
    auto r = post(responder, body);
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  REQUIRE(reports.wait_for(hostile.size(), std::chrono::seconds(30)));
  for (const auto& req : reports.requests()) {
    auto report = json::parse(req.body);
    REQUIRE(report["steps"].size() == 1);
    const auto& step = report["steps"][0];
    INFO(step.dump());
    CHECK(step["status"] == "skipped");
    CHECK(step["summary"].get<std::string>().find("refused") != std::string::npos);
    // The suggestion that would have carried the value is left out.
    CHECK(report["suggestions"].empty());
  }
  CHECK(reports.violations().empty());
}

TEST_CASE("Log lines cannot be forged by what clients send, and carry no credentials") {
  TempDir dir;
  HttpSink reports, monitor;
  Responder responder(config(dir, reports, monitor));
  // A group key with a newline and a fake log line after it, and a credential in it.
  auto body = alert_payload("{}:{alertname=\"TestHealth\"}\n2026-01-01T00:00:00.000 critical FORGED password=hunter2x",
                            {{"alertname", "TestHealth"}}, "firing", "00000000000000f1")
                  .dump();
  auto ok = post(responder, body);
  REQUIRE(ok);
  REQUIRE(ok->status == 200);
  // A rejected body whose error names the bad value.
  auto bad = alert_payload("g", {{"alertname", "TestHealth"}});
  bad["alerts"][0]["startsAt"] = "x\n2026-01-01T00:00:00.000 critical FORGED2";
  auto rejected = post(responder, bad.dump());
  REQUIRE(rejected);
  CHECK(rejected->status == 400);
  REQUIRE(reports.wait_for(1, std::chrono::seconds(30)));
  REQUIRE(responder.metric("rr_triages_total{rule=\"test-health\",outcome=\"critical\"}") +
              responder.metric("rr_triages_total{rule=\"test-health\",outcome=\"warning\"}") +
              responder.metric("rr_triages_total{rule=\"test-health\",outcome=\"ok\"}") +
              responder.metric("rr_triages_total{rule=\"test-health\",outcome=\"info\"}") >=
          1);

  const std::string log = responder.log();
  INFO(log);
  CHECK(log.find("hunter2x") == std::string::npos);
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    std::string line = log.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? log.size() : end + 1;
    if (line.empty()) continue;
    INFO(line);
    // Every line is the logger's own: it starts with its timestamp.
    CHECK((line.size() > 10 && line[4] == '-' && line[7] == '-' && line[10] == 'T'));
    CHECK(line.rfind("2026-01-01T00:00:00.000 critical FORGED", 0) != 0);
  }
  CHECK(log.find("FORGED") != std::string::npos);  // the text is there, escaped inside a real line
}

TEST_CASE("The same notification twice, and from a second Alertmanager of an HA pair, is triaged once") {
  TempDir dir;
  HttpSink reports, monitor;
  Responder responder(config(dir, reports, monitor));
  auto body = alert_payload("{}:{alertname=\"TestHealth\"}", {{"alertname", "TestHealth"}}, "firing", "00000000000000c1");
  // Alertmanager's own retry of one it believes lost, then its HA peer (each
  // member notifies when the gossip has not settled; they differ in externalURL).
  REQUIRE(post(responder, body.dump())->status == 200);
  REQUIRE(post(responder, body.dump())->status == 200);
  body["externalURL"] = "http://alertmanager-1.example:9093";
  REQUIRE(post(responder, body.dump())->status == 200);

  // All three handled: one triaged, two seen as duplicates (or coalesced in the queue).
  auto handled = [&] {
    return responder.metric("rr_alerts_total{action=\"triaged\"}") +
               responder.metric("rr_alerts_total{action=\"duplicate\"}") +
               responder.metric("rr_journal_total{event=\"coalesced\"}") ==
           3;
  };
  REQUIRE(wait_until(handled, std::chrono::seconds(30)));
  CHECK(responder.metric("rr_alerts_total{action=\"triaged\"}") == 1);
  REQUIRE(reports.wait_for(1, std::chrono::seconds(15)));
  CHECK(reports.requests().size() == 1);
}
