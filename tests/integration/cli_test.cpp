// The command line as an operator uses it: check, triage, --plan, --version.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/fixtures.h"
#include "support/process.h"

using namespace rr::test;

namespace {

std::string sample(const std::string& name) { return alertmanager_sample_path(name); }

}  // namespace

TEST_CASE("check accepts the shipped rules and names file and line of a broken one") {
  auto ok = run({RR_BINARY, "check"});
  INFO(ok.output);
  CHECK(ok.exit_code == 0);

  TempDir dir;
  write_file(dir / "broken.yaml", R"(rules:
  - name: fine
    match: {alertname: A}
    steps:
      - {id: health, kind: nats.health}
  - name: broken
    match: {alertname: B}
    steps:
      - {id: s, kind: nats.no_such_kind}
)");
  write_file(dir / "config.yaml", "rules: [\"broken.yaml\"]\n");
  auto bad = run({RR_BINARY, "check", "--config", (dir / "config.yaml").string()});
  INFO(bad.output);
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find((dir / "broken.yaml").string() + ":9:") != std::string::npos);
  CHECK(bad.output.find("nats.no_such_kind") != std::string::npos);

  // A step kind's own check of its parameters, through the registry the
  // service runs with (its steps wrapped for shared reads).
  write_file(dir / "metrics.yaml", R"(rules:
  - name: lag
    match: {alertname: C}
    steps:
      - id: lag
        kind: http.metrics
        with: {url: "http://127.0.0.1:3002/metrics", series: nats_lag_messages, max: "lag=5"}
)");
  write_file(dir / "config.yaml", "rules: [\"metrics.yaml\"]\n");
  auto max = run({RR_BINARY, "check", "--config", (dir / "config.yaml").string()});
  INFO(max.output);
  CHECK(max.exit_code == 1);
  CHECK(max.output.find((dir / "metrics.yaml").string() + ":7: with.max: names a metric that `series` does not") !=
        std::string::npos);
}

TEST_CASE("check refuses a public listen address without auth and an unknown key") {
  TempDir dir;
  write_file(dir / "config.yaml", "listen: \"0.0.0.0:9095\"\nrules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\nbogus: 1\n");
  auto r = run({RR_BINARY, "check", "--config", (dir / "config.yaml").string()});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("auth is required") != std::string::npos);
  CHECK(r.output.find("config.yaml:3:") != std::string::npos);
}

TEST_CASE("triage --plan shows the rule and refuses hostile parameters without running anything") {
  TempDir dir;
  auto payload = alert_payload("{}:{alertname=\"EventStreamDisconnected\"}",
                               {{"alertname", "EventStreamDisconnected"}, {"stream", "$(id); rm -rf /"}});
  write_file(dir / "payload.json", payload.dump());
  auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--plan"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("rule event-stream-disconnected") != std::string::npos);
  CHECK(r.output.find("step health: nats.health") != std::string::npos);
  CHECK(r.output.find("REFUSED") != std::string::npos);
  CHECK(r.output.find("$(id)") == std::string::npos);
}

TEST_CASE("triage prints a JSON report for an alert no rule handles") {
  auto r = run({RR_BINARY, "triage", "--payload", sample("g-prometheus-style.json"), "--format", "json"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto report = nlohmann::json::parse(r.output);
  CHECK(report["version"] == 1);
  CHECK(report["kind"] == "unmatched");
  CHECK(report["verdict"].get<std::string>().find("NatsSlowConsumers") != std::string::npos);
}

TEST_CASE("triage rejects a malformed payload naming the field") {
  TempDir dir;
  auto payload = alert_payload("{}:{alertname=\"A\"}", {{"alertname", "A"}});
  payload["alerts"][0].erase("startsAt");
  write_file(dir / "bad.json", payload.dump());
  auto r = run({RR_BINARY, "triage", "--payload", (dir / "bad.json").string()});
  CHECK(r.exit_code == 1);
  INFO(r.output);
  CHECK(r.output.find("alerts[0].startsAt") != std::string::npos);
}

TEST_CASE("The command line answers version and help requests and refuses bad arguments") {
  auto v = run({RR_BINARY, "--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.output.rfind("runbook-responder ", 0) == 0);
  auto h = run({RR_BINARY, "--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.output.find("triage --payload FILE") != std::string::npos);
  CHECK(run({RR_BINARY, "--bogus"}).exit_code == 2);
  CHECK(run({RR_BINARY, "serve", "--log-format", "xml"}).exit_code == 2);
}

TEST_CASE("The shipped Alertmanager example is a valid Alertmanager configuration") {
  auto r = run({"amtool", "check-config", RR_SOURCE_DIR "/alertmanager/alertmanager.yml"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
}
