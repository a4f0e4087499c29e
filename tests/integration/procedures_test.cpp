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

#include "common/deadline.h"
#include "integration/cim_responder.h"
#include "net/http.h"
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

// A server's JetStream store as its /jsz says: storage + reserved_storage, and config.max_storage.
struct Store {
  std::uint64_t used = 0, max = 0;
};
Store store_of(const std::string& monitor) {
  rr::HttpRequest req;
  req.url = monitor + "/jsz";
  auto resp = rr::http_request(req, rr::Deadline::after(std::chrono::seconds(2)));
  auto body = json::parse(resp.body, nullptr, false);
  if (resp.status != 200 || !body.is_object() || !body.contains("config")) return {};
  return {body.value("storage", std::uint64_t{0}) + body.value("reserved_storage", std::uint64_t{0}),
          body["config"].value("max_storage", std::uint64_t{0})};
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

TEST_CASE("Titan storage pressure on a stream without max_bytes: the purge is computed against the server's store") {
  // Titan's standalone server with a 1 MB store, TITAN_INTENTS without max_bytes filling it.
  TempDir dir;
  const int client = free_port(), http = free_port();
  std::string config = nats_node_config({.name = "titan-nats", .client_port = client, .http_port = http,
                                         .store = (dir / "store").string()});
  const std::string from = "max_file_store: 256MB", to = "max_file_store: 1MB";
  REQUIRE(config.find(from) != std::string::npos);
  config.replace(config.find(from), from.size(), to);
  write_file(dir / "titan.conf", config);
  Process server({"nats-server", "-c", (dir / "titan.conf").string()}, dir / "titan.log");
  const std::string monitor = "http://127.0.0.1:" + std::to_string(http);
  REQUIRE(wait_for_http(http, "/healthz"));
  const JetStreamTarget app{{"nats://127.0.0.1:" + std::to_string(client)}, "app", "app"};
  create_stream(app, "TITAN_INTENTS", "titan.intents.>", 1);
  const double max_storage = static_cast<double>(store_of(monitor).max);
  REQUIRE(max_storage > 0);
  // Up to 85 % of the store, in steps of about 7 %: the alert's warning is 80 %.
  for (int i = 0; i < 40 && static_cast<double>(store_of(monitor).used) < 0.85 * max_storage; ++i)
    publish(app, "titan.intents.order", 500);
  const Store before = store_of(monitor);
  INFO("store " << before.used << " of " << before.max);
  REQUIRE(before.used >= 0.85 * before.max);
  REQUIRE(before.used < before.max);
  const StreamUsage usage = stream_usage(app, "TITAN_INTENTS");

  HttpSink sink;
  TempDir rdir;
  write_file(rdir / "token", "am-to-responder\n");
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder("listen: \"127.0.0.1:{{PORT}}\"\n"
                      "auth: {bearer_token_file: " + (rdir / "token").string() + "}\n"
                      "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
                      "clusters:\n"
                      "  - name: titan\n"
                      "    match: {system: titan}\n"
                      "    servers: [\"nats://127.0.0.1:" + std::to_string(client) + "\"]\n"
                      "    monitor: [\"" + monitor + "\"]\n"
                      "    user: jsro\n"
                      "    password_env: RR_TEST_NATS_PASSWORD\n"
                      "notify:\n"
                      "  - {name: archive, type: webhook, url: \"" + sink.url("/webhook-json") + "\"}\n"
                      "engine: {workers: 2, queue: 64, cooldown: 5m, step_timeout: 4s, deadline: 15s}\n");
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  REQUIRE(am.fire("TitanNatsStoragePressure",
                  {{"system", "titan"}, {"severity", "warning"}, {"stream", "TITAN_INTENTS"}}) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return !webhook_reports(sink).empty(); }, std::chrono::seconds(40)));
  const json report = webhook_reports(sink).front();
  INFO(report.dump(2));
  CHECK(report["rule"] == "titan-nats-storage");
  CHECK(finding(report, "nats.server_storage_high"));

  // Half the store less what else it holds, in messages of the stream's average size, as the judge computes it.
  const double per_message = static_cast<double>(usage.bytes) / static_cast<double>(usage.messages);
  const std::uint64_t other = before.used - std::min(usage.bytes, before.used);
  const double budget = 0.5 * static_cast<double>(before.max) - static_cast<double>(other);
  const auto keep = std::min<std::uint64_t>(usage.messages, static_cast<std::uint64_t>(budget / per_message));
  const json* plan = finding(report, "nats.stream_purge_plan");
  REQUIRE(plan);
  CHECK((*plan)["values"]["keep"] == std::to_string(keep));
  CHECK((*plan)["values"]["lossless"] == "yes");  // no consumer to lose anything
  CHECK(suggests(report, "docker exec titan-nats nats stream purge TITAN_INTENTS --keep " + std::to_string(keep) +
                             " --force"));
  CHECK_FALSE(suggests(report, "docker exec titan-nats nats stream purge TITAN_INTENTS --keep 1000 --force"));
  CHECK(finding(report, "nats.stream_retention_plan"));

  // Following it does what the report said: the store back under its warning, at about half.
  purge_stream(app, "TITAN_INTENTS", keep);
  const Store after = store_of(monitor);
  CHECK(stream_usage(app, "TITAN_INTENTS").messages == keep);
  CHECK(static_cast<double>(after.used) < 0.8 * static_cast<double>(after.max));
  CHECK(static_cast<double>(after.used) < 0.55 * static_cast<double>(after.max));
}

TEST_CASE("A resolution over a consumer that works off nothing is not recovered, and says so") {
  NatsCluster nats(3);
  const JetStreamTarget app{{nats.client_url(0), nats.client_url(1)}, "app", "app"};
  create_stream(app, "CIM-EVENTS", "cim.events.>", 3);
  create_pull_consumer(app, "CIM-EVENTS", "CIM-PROCESSOR");
  publish(app, "cim.events.order", 40);
  // The processor handled 25 events, then stopped.
  REQUIRE(fetch(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.order", 25, true) == 25);

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  const std::map<std::string, std::string> labels = {
      {"cluster", "cim"}, {"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}};
  REQUIRE(am.fire("EventProcessingFailure", labels) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return webhook_reports(sink).size() == 1; }, std::chrono::seconds(40)));

  // The alert stops firing, but nobody restarted the processor.
  REQUIRE(am.resolve("EventProcessingFailure", labels) == 0);
  REQUIRE(wait_until([&] { return webhook_reports(sink).size() == 2; }, std::chrono::seconds(40)));
  const json resolution = webhook_reports(sink)[1];
  INFO(resolution.dump(2));
  CHECK(resolution["kind"] == "resolution");
  const std::string verdict = resolution["verdict"].get<std::string>();
  CHECK(verdict.rfind("Resolved: EventProcessingFailure", 0) == 0);
  CHECK(verdict.find("but not recovered: ") != std::string::npos);
  CHECK(verdict.find("Recovered") == std::string::npos);
  // Read twice 5 s apart: 15 pending both times, the ack floor still at 25.
  const json* stuck = finding(resolution, "nats.consumer_not_progressing");
  REQUIRE(stuck);
  CHECK((*stuck)["severity"] == "warning");
  CHECK((*stuck)["title"] == "Consumer CIM-EVENTS/CIM-PROCESSOR is not catching up: 15 pending, ack floor 25 "
                             "unchanged over 5s");
  CHECK_FALSE(finding(resolution, "nats.consumer_catching_up"));
  CHECK(sink.violations().empty());
}
