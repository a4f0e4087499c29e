// The report reaches the pager as well as the chat, through a real
// Alertmanager: PagerDuty and Opsgenie get one incident per alert group and
// resolve it,
// Slack (a bot) gets one message that moves from "diagnosing" to the report
// to resolved with the resolution in its thread, and both continue across a
// responder killed with SIGKILL and restarted in between.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const char* kRoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";  // 32 characters
const char* kSlackToken = "xoxb-2222-3333-paging-test-token";
const char* kGenieKey = "g3n1e-k3y-0000-1111-paging-test";

std::string config(const TempDir& dir, const HttpSink& monitor, const HttpSink& services) {
  write_file(dir / "rules.yaml", R"(rules:
  - name: test-health
    match: {alertname: TestHealth}
    steps:
      - {id: health, kind: nats.health}
)");
  write_file(dir / "pd-key", std::string(kRoutingKey) + "\n");
  write_file(dir / "slack-token", std::string(kSlackToken) + "\n");
  write_file(dir / "genie-key", std::string(kGenieKey) + "\n");
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "external_url: \"http://127.0.0.1:{{PORT}}\"\n"
         "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
         "clusters:\n"
         "  - name: test\n"
         "    servers: [\"nats://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
         "    monitor: [\"" + monitor.url("") + "\"]\n"
         "notify:\n"
         "  - {name: pager, type: pagerduty, routing_key_file: " + (dir / "pd-key").string() +
         ", api_url: \"" + services.url("/pagerduty/v2/enqueue") + "\"}\n"
         "  - {name: chat, type: slack, token_file: " + (dir / "slack-token").string() +
         ", channel: \"#nats\", api_url: \"" + services.url("/slack-api") + "\"}\n"
         "  - {name: genie, type: opsgenie, api_key_file: " + (dir / "genie-key").string() +
         ", api_url: \"" + services.url("/opsgenie") + "\"}\n"
         "engine: {workers: 2, queue: 16, cooldown: 5m, step_timeout: 5s, deadline: 10s}\n"
         "delivery: {first_backoff: 100ms, max_backoff: 500ms}\n"
         "state: {dir: \"" + (dir / "state").string() + "\"}\n";
}

std::vector<json> bodies(const HttpSink& sink, const std::string& path) {
  std::vector<json> out;
  for (const auto& r : sink.requests(path)) out.push_back(json::parse(r.body));
  return out;
}

}  // namespace

TEST_CASE("paging: PagerDuty, Opsgenie and a Slack bot follow one incident from firing to resolved, across a restart") {
  TempDir dir;
  HttpSink monitor, services;
  monitor.script("/healthz", {}, SinkResponse(503, "{\"status\":\"unavailable\",\"error\":\"JetStream not current\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(503, "{\"status\":\"unavailable\"}"));
  const std::string yaml = config(dir, monitor, services);
  std::optional<Responder> responder(std::in_place, yaml);
  const int port = responder->port();
  Alertmanager am({.webhook_url = responder->url() + "/webhook"});
  const std::map<std::string, std::string> labels = {{"cluster", "test"}, {"severity", "critical"}};

  REQUIRE(am.fire("TestHealth", labels, {{"summary", "NATS health is failing"}}) == 0);
  INFO(responder->log());
  // Slack: the notice, then the report in its place; PagerDuty: a trigger.
  REQUIRE(wait_until([&] { return services.requests("/slack-api/chat.update").size() == 1 &&
                                  services.requests("/pagerduty/v2/enqueue").size() == 1 &&
                                  services.requests("/opsgenie/v2/alerts").size() == 1; },
                     60s));
  auto genie = services.requests("/opsgenie/v2/alerts");
  CHECK(genie[0].header("Authorization") == std::string("GenieKey ") + kGenieKey);
  const std::string alias = json::parse(genie[0].body)["alias"];
  CHECK(alias.rfind("rr-", 0) == 0);
  auto pages = bodies(services, "/pagerduty/v2/enqueue");
  CHECK(pages[0]["event_action"] == "trigger");
  CHECK(pages[0]["routing_key"] == kRoutingKey);
  const std::string dedup = pages[0]["dedup_key"];
  CHECK(dedup.rfind("rr-", 0) == 0);
  CHECK(alias == dedup);  // one key per alert group, the same on both services
  CHECK(pages[0]["payload"]["severity"] == "warning");  // the worst finding: /healthz answers 503
  CHECK(pages[0]["client_url"].get<std::string>().find("/reports/") != std::string::npos);
  auto posts = bodies(services, "/slack-api/chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0]["text"].get<std::string>().find("Diagnosing") != std::string::npos);
  const std::string ts = bodies(services, "/slack-api/chat.update")[0]["ts"];

  // The responder dies (SIGKILL) and comes back on the same port, once every
  // delivery is recorded: a kill between a send and its record would resend
  // it (delivery is at least once), which is not what this test is about.
  REQUIRE(wait_until([&] { return responder->metric("rr_outbox_pending{target=\"chat\"}") == 0 &&
                                  responder->metric("rr_outbox_pending{target=\"pager\"}") == 0 &&
                                  responder->metric("rr_outbox_pending{target=\"genie\"}") == 0; },
                     30s));
  responder->process().kill_now();
  responder.emplace(yaml, port);

  REQUIRE(am.resolve("TestHealth", labels) == 0);
  bool resolved = wait_until([&] { return services.requests("/pagerduty/v2/enqueue").size() == 2 &&
                                  services.requests("/slack-api/chat.postMessage").size() == 2 &&
                                  services.requests("/opsgenie/v2/alerts/" + alias + "/close").size() == 1; },
                     60s);
  INFO(responder->log());
  INFO(am.log());
  REQUIRE(resolved);
  pages = bodies(services, "/pagerduty/v2/enqueue");
  CHECK(pages[1]["event_action"] == "resolve");
  CHECK(pages[1]["dedup_key"] == dedup);
  auto updates = bodies(services, "/slack-api/chat.update");
  REQUIRE(updates.size() == 2);
  CHECK(updates[1]["ts"] == ts);  // the message posted before the restart is the one marked resolved
  CHECK(updates[1]["blocks"][0]["text"]["text"].get<std::string>().find("[RESOLVED]") != std::string::npos);
  posts = bodies(services, "/slack-api/chat.postMessage");
  CHECK(posts[1]["thread_ts"] == ts);
  CHECK(services.violations().empty());
  for (const auto& v : services.violations()) INFO(v);

  // No secret in anything the responder wrote.
  std::string log = responder->log();
  CHECK(log.find(kRoutingKey) == std::string::npos);
  CHECK(log.find(kSlackToken) == std::string::npos);
  CHECK(log.find(kGenieKey) == std::string::npos);
  CHECK(responder->metric("rr_outbox_pending{target=\"genie\"}") == 0);
}
