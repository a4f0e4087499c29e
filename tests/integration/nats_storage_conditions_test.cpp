// EventProcessingFailure through `runbook-responder triage` against a real
// cluster: a stream full to the point where publishes fail, and a consumer
// with a backlog and unacknowledged messages.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/report_reading.h"

#include "integration/payloads.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/process.h"

using namespace rr::test;
using nlohmann::json;

TEST_CASE("A full stream and a lagging consumer are named with the server's numbers and error") {
  NatsCluster nats(3);
  const JetStreamTarget app{{nats.client_url(0), nats.client_url(1)}, "app", "app"};
  create_stream(app, "CIM-EVENTS", "cim.events.>", 3, 64 * 1024);
  create_pull_consumer(app, "CIM-EVENTS", "CIM-PROCESSOR");
  PublishRefusal refusal = publish_until_refused(app, "cim.events.order", 5000, 200);
  REQUIRE_FALSE(refusal.error.empty());
  INFO("publish refused after " << refusal.accepted << ": " << refusal.error);
  CHECK(refusal.js_code == 10077);
  REQUIRE(fetch_without_ack(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.order", 30) == 30);

  TempDir dir;
  write_file(dir / "password", "jsro\n");
  std::string config = "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\nclusters:\n  - name: cim\n    servers: [";
  for (int i = 0; i < 3; ++i) config += std::string(i ? ", " : "") + "\"" + nats.client_url(i) + "\"";
  config += "]\n    monitor: [";
  for (int i = 0; i < 3; ++i) config += std::string(i ? ", " : "") + "\"" + nats.monitor_url(i) + "\"";
  config += "]\n    user: jsro\n    password_file: " + (dir / "password").string() +
            "\nthresholds: {consumer_pending: 10, consumer_ack_pending: 20}\n";
  write_file(dir / "config.yaml", config);
  write_file(dir / "payload.json",
             alert_payload("{}:{alertname=\"EventProcessingFailure\"}",
                           {{"alertname", "EventProcessingFailure"}, {"cluster", "cim"}})
                 .dump());

  auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                (dir / "config.yaml").string(), "--format", "json"},
               std::chrono::seconds(60));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto report = json::parse(r.output.substr(r.output.find('{')));
  CHECK(report["rule"] == "event-processing-failure");

  const json* full = finding(report, "nats.stream_full_rejecting");
  REQUIRE(full);
  CHECK((*full)["title"].get<std::string>().find("CIM-EVENTS") != std::string::npos);
  // The report quotes the error the publishers get.
  CHECK((*full)["detail"].get<std::string>().find("maximum bytes exceeded") != std::string::npos);
  CHECK(refusal.error.find("maximum bytes exceeded") != std::string::npos);

  const json* high = finding(report, "nats.stream_storage_high");
  REQUIRE(high);
  CHECK((*high)["severity"] == "critical");

  const json* backlog = finding(report, "nats.consumer_backlog");
  REQUIRE(backlog);
  std::string backlog_detail = (*backlog)["detail"].get<std::string>();
  CHECK(backlog_detail.find("CIM-PROCESSOR") != std::string::npos);
  CHECK(backlog_detail.find(std::to_string(refusal.accepted - 30)) != std::string::npos);  // pending
  const json* unacked = finding(report, "nats.consumer_ack_pending");
  REQUIRE(unacked);
  CHECK((*unacked)["detail"].get<std::string>().find("30") != std::string::npos);

  // Nothing is acknowledged: every purge loses unprocessed messages, so none
  // is suggested; a bigger limit is, and the replay from the first message.
  const json* unsafe = finding(report, "nats.stream_purge_unsafe");
  REQUIRE(unsafe);
  CHECK((*unsafe)["values"]["consumer"] == "CIM-PROCESSOR");
  bool replay = false, purge = false, raise = false;
  for (const auto& s : report["suggestions"]) {
    std::string c = s["command"];
    if (c == "nats consumer add CIM-EVENTS CIM-PROCESSOR-REPLAY --pull --deliver 1 --max-deliver=1 --defaults")
      replay = true;
    if (c.find("nats stream purge") == 0) purge = true;
    if (c.find("nats stream edit CIM-EVENTS --max-bytes=") == 0) raise = true;
  }
  CHECK(replay);
  CHECK_FALSE(purge);
  CHECK(raise);
}
