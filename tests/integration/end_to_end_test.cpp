// The whole product, as an SRE runs it: a real 3-node NATS cluster, a real
// Alertmanager posting to the real responder binary, and sinks standing in
// for Slack and a JSON webhook consumer.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/cim_responder.h"
#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;


TEST_CASE("A stopped NATS node is named in the report that reaches chat") {
  NatsCluster nats(3);
  create_stream({{nats.client_url(0)}, "app", "app"}, "CIM-EVENTS", "cim.events.>", 3);
  publish({{nats.client_url(0)}, "app", "app"}, "cim.events.test", 50);

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
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
  auto got = webhook_reports(sink);
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
  CHECK(webhook_reports(sink).size() == 1);

  // Resolving the alert runs the rule's verification.
  REQUIRE(am.resolve("EventStreamDisconnected",
                     {{"cluster", "cim"}, {"severity", "critical"}, {"server_name", nats.name(2)}}) == 0);
  REQUIRE(sink.wait_for(4, std::chrono::seconds(30)));
  got = webhook_reports(sink);
  REQUIRE(got.size() == 2);
  // The node is still stopped: the resolution's verification says so.
  CHECK(got[1]["kind"] == "resolution");
  CHECK_FALSE(got[1]["steps"].empty());
  CHECK(got[1]["verdict"].get<std::string>().find("but not recovered") != std::string::npos);
  CHECK(got[1]["verdict"].get<std::string>().find(nats.name(2)) != std::string::npos);
  CHECK(sink.violations().empty());
}
