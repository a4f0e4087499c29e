// The whole product, as an SRE runs it: a real 3-node NATS cluster, a real
// Alertmanager posting to the real responder binary, and sinks standing in
// for Slack and a JSON webhook consumer.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", \"" : "\"") + i + "\"";
  return out + "]";
}

std::string responder_config(const NatsCluster& nats, const HttpSink& sink, const TempDir& dir) {
  write_file(dir / "token", "am-to-responder\n");
  write_file(dir / "slack-url", sink.url("/slack/T000/B000/XXXX") + "\n");
  std::vector<std::string> servers, monitors;
  for (int i = 0; i < nats.size(); ++i) {
    servers.push_back(nats.client_url(i));
    monitors.push_back(nats.monitor_url(i));
  }
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
         "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
         "clusters:\n"
         "  - name: cim\n"
         "    match: {cluster: cim}\n"
         "    servers: " + quoted_list(servers) + "\n"
         "    monitor: " + quoted_list(monitors) + "\n"
         "    user: jsro\n"
         "    password_env: RR_TEST_NATS_PASSWORD\n"
         "notify:\n"
         "  - {name: oncall, type: slack, url_file: " + (dir / "slack-url").string() + "}\n"
         "  - {name: archive, type: webhook, url: \"" + sink.url("/webhook-json") + "\"}\n"
         "engine: {workers: 2, queue: 64, cooldown: 5m, step_timeout: 4s, deadline: 15s}\n";
}

std::vector<json> reports(const HttpSink& sink) {
  std::vector<json> out;
  for (const auto& r : sink.requests("/webhook-json")) out.push_back(json::parse(r.body));
  return out;
}

}  // namespace

TEST_CASE("A stopped NATS node is named in the report that reaches chat") {
  NatsCluster nats(3);
  create_stream({{nats.client_url(0)}, "app", "app"}, "CIM-EVENTS", "cim.events.>", 3);
  publish({{nats.client_url(0)}, "app", "app"}, "cim.events.test", 50);

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(responder_config(nats, sink, dir));
  // A short repeat_interval: Alertmanager re-sends the unchanged group every
  // few seconds, as it does hourly in production.
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder",
                   .repeat_interval = "3s"});

  nats.stop(2);
  REQUIRE_FALSE(nats.wait_for_meta_leader().empty());

  REQUIRE(am.fire("EventStreamDisconnected", {{"cluster", "cim"}, {"severity", "critical"}, {"server_name", nats.name(2)}},
                  {{"summary", "Event stream disconnected"},
                   {"runbook_url", "https://runbooks.example.com/nats/cluster-recovery"}}) == 0);

  INFO(responder.log());
  INFO(am.log());
  REQUIRE(sink.wait_for(2, std::chrono::seconds(40)));
  auto got = reports(sink);
  REQUIRE(got.size() == 1);
  const json& report = got[0];
  INFO(report.dump(2));
  CHECK(report["kind"] == "triage");
  CHECK(report["rule"] == "event-stream-disconnected");
  CHECK(report["cluster"] == "cim");
  CHECK(report["severity"] == "critical");
  CHECK(report["verdict"].get<std::string>().find(nats.name(2)) != std::string::npos);

  bool named_down = false;
  for (const auto& f : report["findings"])
    if (f["code"] == "nats.server_down" && f["title"].get<std::string>().find(nats.name(2)) != std::string::npos)
      named_down = true;
  CHECK(named_down);
  bool suggests_ssh = false;
  for (const auto& s : report["suggestions"])
    if (s["command"].get<std::string>().find("systemctl status nats") != std::string::npos) suggests_ssh = true;
  CHECK(suggests_ssh);
  bool runbook_link = false;
  for (const auto& l : report["links"])
    if (l["url"] == "https://runbooks.example.com/nats/cluster-recovery") runbook_link = true;
  CHECK(runbook_link);

  auto slack = sink.requests("/slack/T000/B000/XXXX");
  REQUIRE(slack.size() == 1);
  CHECK(slack[0].body.find(nats.name(2)) != std::string::npos);
  CHECK(sink.violations().empty());

  // Alertmanager re-sends the group; nothing new fires, so nothing new is posted.
  const std::string duplicates = "rr_alerts_total{action=\"duplicate\"}";
  REQUIRE(wait_until([&] { return responder.metric(duplicates) >= 1; }, std::chrono::seconds(40)));
  CHECK(sink.requests().size() == 2);
  CHECK(reports(sink).size() == 1);

  // Resolving the alert sends a short resolution notice.
  REQUIRE(am.resolve("EventStreamDisconnected",
                     {{"cluster", "cim"}, {"severity", "critical"}, {"server_name", nats.name(2)}}) == 0);
  REQUIRE(sink.wait_for(4, std::chrono::seconds(30)));
  got = reports(sink);
  REQUIRE(got.size() == 2);
  CHECK(got[1]["kind"] == "resolution");
  CHECK(got[1]["steps"].empty());
  CHECK(sink.violations().empty());
}
