// The runbook's procedures after the diagnosis, through a real Alertmanager
// posting to the responder binary over a real 3-node cluster: the numbers
// in the suggested commands are the ones the cluster's state calls for, and
// following them does what the report says it does.

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "integration/report_reading.h"

#include "integration/cim_responder.h"
#include "support/alertmanager.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

std::string suggestions_text(const json& report) {
  std::string out;
  for (const auto& s : report["suggestions"]) out += s["command"].get<std::string>() + "\n";
  return out;
}

}  // namespace

TEST_CASE("Storage full: purge, limit and replay commands carry the numbers the stream's state calls for") {
  NatsCluster nats(3);
  const JetStreamTarget app{{nats.client_url(0), nats.client_url(1)}, "app", "app"};
  constexpr long long kMaxBytes = 64 * 1024;
  create_stream(app, "CIM-EVENTS", "cim.events.>", 3, kMaxBytes);
  create_pull_consumer(app, "CIM-EVENTS", "CIM-PROCESSOR");
  PublishRefusal refusal = publish_until_refused(app, "cim.events.order", 5000, 1000);
  REQUIRE(refusal.js_code == 10077);
  // The processor handled 12 events and holds 5 more it has not acknowledged.
  REQUIRE(fetch(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.order", 12, true) == 12);
  REQUIRE(fetch(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.order", 5, false) == 5);
  REQUIRE(ack_floor(app, "CIM-EVENTS", "CIM-PROCESSOR") == 12);
  const StreamUsage before = stream_usage(app, "CIM-EVENTS");
  REQUIRE(before.messages == static_cast<std::uint64_t>(refusal.accepted));

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  REQUIRE(am.fire("EventProcessingFailure",
                  {{"cluster", "cim"}, {"severity", "critical"}, {"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}},
                  {{"summary", "CIM processor fails on events"}}) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return !webhook_reports(sink).empty(); }, std::chrono::seconds(40)));
  const json report = webhook_reports(sink).front();
  INFO(report.dump(2));
  CHECK(report["rule"] == "event-processing-failure");
  CHECK(sink.violations().empty());

  // The purge that brings the stream to half its limit, from the server's own numbers.
  const double per_message = static_cast<double>(before.bytes) / static_cast<double>(before.messages);
  const auto keep = static_cast<std::uint64_t>(0.5 * kMaxBytes / per_message);
  const std::uint64_t first_kept = before.last_seq - keep + 1;
  const json* plan = finding(report, "nats.stream_purge_plan");
  REQUIRE(plan);
  CHECK((*plan)["values"]["keep"] == std::to_string(keep));
  CHECK((*plan)["values"]["lossless"] == "no");
  // The processor loses what lies between its ack floor and the first kept message.
  CHECK((*plan)["values"]["losses"] == "CIM-PROCESSOR loses about " + std::to_string(first_kept - 13) +
                                           " unprocessed messages (ack floor 12)");
  CHECK(suggests(report, "nats stream purge CIM-EVENTS --keep=" + std::to_string(keep)));
  // What goes without loss: everything below the processor's floor.
  CHECK(suggests(report, "nats stream purge CIM-EVENTS --seq=13"));
  // Or room for everything: today's bytes at half the new limit, in KiB rounded up.
  const auto kib = static_cast<std::uint64_t>(std::ceil(static_cast<double>(before.bytes) * 2 / 1024));
  CHECK(suggests(report, "nats stream edit CIM-EVENTS --max-bytes=" + std::to_string(kib) + "KiB"));
  // A retention computed from the measured rate, never a fixed 7d.
  const json* retention = finding(report, "nats.stream_retention_plan");
  REQUIRE(retention);
  CHECK(suggests(report, "nats stream edit CIM-EVENTS --max-age=" + (*retention)["values"]["max_age"].get<std::string>()));
  CHECK(suggestions_text(report).find("7d") == std::string::npos);

  // The replay starts after the ack floor and counts every unprocessed message.
  const json* replay = finding(report, "nats.consumer_replay");
  REQUIRE(replay);
  CHECK((*replay)["values"]["count"] == std::to_string(before.messages - 12));
  CHECK(suggests(report, "nats consumer add CIM-EVENTS CIM-PROCESSOR-REPLAY --pull --deliver 13 --max-deliver=1 --defaults"));

  // Following the purge does what the report said: under the warning, the floor moved past the loss.
  purge_stream(app, "CIM-EVENTS", keep);
  const StreamUsage after = stream_usage(app, "CIM-EVENTS");
  CHECK(after.messages == keep);
  CHECK(static_cast<double>(after.bytes) < 0.8 * kMaxBytes);
  CHECK(after.first_seq == first_kept);
  CHECK(ack_floor(app, "CIM-EVENTS", "CIM-PROCESSOR") == first_kept - 1);
}

TEST_CASE("A replay is suggested whenever the alert names a consumer, backlog threshold or not") {
  NatsCluster nats(3);
  const JetStreamTarget app{{nats.client_url(0), nats.client_url(1)}, "app", "app"};
  create_stream(app, "CIM-EVENTS", "cim.events.>", 3);
  create_pull_consumer(app, "CIM-EVENTS", "CIM-PROCESSOR");
  publish(app, "cim.events.order", 40);
  REQUIRE(fetch(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.order", 25, true) == 25);

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  REQUIRE(am.fire("EventProcessingFailure", {{"cluster", "cim"}, {"consumer", "CIM-PROCESSOR"}}) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return !webhook_reports(sink).empty(); }, std::chrono::seconds(40)));
  const json report = webhook_reports(sink).front();
  INFO(report.dump(2));
  CHECK_FALSE(finding(report, "nats.consumer_backlog"));  // 15 pending: far under 1,000
  const json* replay = finding(report, "nats.consumer_replay");
  REQUIRE(replay);
  CHECK((*replay)["values"]["count"] == "15");
  CHECK(suggests(report, "nats consumer add CIM-EVENTS CIM-PROCESSOR-REPLAY --pull --deliver 26 --max-deliver=1 --defaults"));
  // Nothing is full: no purge of any kind.
  CHECK(suggestions_text(report).find("purge") == std::string::npos);
}

TEST_CASE("A resolution is called recovered only once the verification passes on the real cluster") {
  NatsCluster nats(3);
  const JetStreamTarget app{{nats.client_url(0), nats.client_url(1)}, "app", "app"};
  create_stream(app, "CIM-EVENTS", "cim.events.>", 3);
  publish(app, "cim.events.test", 20);

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  const std::map<std::string, std::string> labels = {{"cluster", "cim"}, {"server_name", nats.name(1)}};

  nats.stop(1);
  REQUIRE_FALSE(nats.wait_for_meta_leader().empty());
  REQUIRE(am.fire("EventStreamDisconnected", labels) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return webhook_reports(sink).size() == 1; }, std::chrono::seconds(40)));

  // The operator follows the runbook: the node is started again and catches up.
  nats.start(1);
  REQUIRE(nats.wait_until_healthy());
  REQUIRE(am.resolve("EventStreamDisconnected", labels) == 0);
  REQUIRE(wait_until([&] { return webhook_reports(sink).size() == 2; }, std::chrono::seconds(40)));
  const json resolution = webhook_reports(sink)[1];
  INFO(resolution.dump(2));
  CHECK(resolution["kind"] == "resolution");
  CHECK(resolution["verdict"].get<std::string>().rfind("Recovered: EventStreamDisconnected", 0) == 0);
  // Every verification step ran against the cluster and none found anything wrong.
  std::set<std::string> ran;
  for (const auto& s : resolution["steps"]) {
    CHECK(s["status"] == "ok");
    ran.insert(s["id"].get<std::string>());
  }
  CHECK(ran == std::set<std::string>{"health", "servers", "jetstream", "stream", "consumers", "leafnodes"});
  for (const auto& f : resolution["findings"]) CHECK(f["severity"] != "critical");
  for (const auto& f : resolution["findings"]) CHECK(f["severity"] != "warning");
  CHECK(sink.violations().empty());
}
