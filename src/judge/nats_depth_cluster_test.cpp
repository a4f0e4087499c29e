// Storage and consumer verdicts on a real three-node cluster: a stream with
// max_bytes and discard new filled until the server refuses publishes, and a
// consumer with a backlog and unacknowledged messages.

#include <catch2/catch.hpp>

#include "judge/judge.h"
#include "support/nats_cluster.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::with_code;
using test::describe;

using namespace std::chrono_literals;

StepResult run(const std::string& id, const std::string& kind, const ClusterConfig& config,
               std::map<std::string, std::string> params = {}) {
  static const StepRegistry registry = default_step_registry();
  StepInput input{id, std::move(params), &config, Deadline::after(5s)};
  return registry.find(kind)->run(input);
}

}  // namespace

TEST_CASE("a full discard-new stream and a consumer behind, judged on a real cluster") {
  test::NatsCluster cluster;
  test::JetStreamTarget app{{cluster.client_url(0), cluster.client_url(1), cluster.client_url(2)}, "app", "app"};
  test::create_stream(app, "FULL", "full.>", 3, 20000);  // discard new
  auto refusal = test::publish_until_refused(app, "full.x", 1000);
  INFO("publish refused after " << refusal.accepted << ": " << refusal.error << " (" << refusal.js_code << ")");
  REQUIRE(refusal.js_code == 10077);
  REQUIRE(refusal.accepted > 0);

  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.publish("cim.events.created", 2000);
  cluster.create_pull_consumer("CIM-EVENTS", "CIM-PROCESSOR");
  REQUIRE(test::fetch_without_ack(app, "CIM-EVENTS", "CIM-PROCESSOR", "cim.events.>", 50) == 50);

  ClusterConfig config = test::nats_cluster_config(cluster, "cim");
  std::vector<StepResult> steps = {
      run("full", "nats.stream_info", config, {{"stream", "FULL"}}),
      run("streams", "nats.stream_list", config),
      run("consumers", "nats.consumer_report", config, {{"stream", "CIM-EVENTS"}}),
      run("processor", "nats.consumer_info", config, {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}}),
      run("servers", "nats.server_list", config),
      run("jetstream", "nats.jetstream_report", config)};
  for (const auto& s : steps) {
    INFO(s.id << ": " << s.summary);
    CHECK(s.status == StepStatus::Ok);
  }

  Thresholds lowered;
  lowered.consumer_ack_pending = 10;
  const Judges judges = default_judges();
  auto fs = judges.run(steps, JudgeContext{&config, &lowered});
  INFO(describe(fs));

  // The finding quotes the words the publish got from the server.
  auto full = with_code(fs, "nats.stream_full_rejecting");
  REQUIRE(full.size() == 1);
  CHECK(full[0]->severity == Severity::Critical);
  CHECK(full[0]->values.at("stream") == "FULL");
  CHECK(full[0]->values.at("code") == std::to_string(refusal.js_code));
  CHECK(full[0]->values.at("error") == "maximum bytes exceeded");
  CHECK(refusal.error.find(full[0]->values.at("error")) != std::string::npos);
  CHECK(full[0]->evidence.size() == 2);  // stream_info and stream_list

  auto high = with_code(fs, "nats.stream_storage_high");
  REQUIRE(high.size() == 1);
  CHECK(high[0]->severity == Severity::Critical);
  CHECK(high[0]->values.at("stream") == "FULL");
  CHECK(high[0]->values.at("limit") == "20000");
  CHECK(std::stod(high[0]->values.at("percent")) >= 95.0);

  auto backlog = with_code(fs, "nats.consumer_backlog");
  REQUIRE(backlog.size() == 1);
  CHECK(backlog[0]->values == std::map<std::string, std::string>{{"stream", "CIM-EVENTS"},
                                                                 {"consumer", "CIM-PROCESSOR"},
                                                                 {"pending", "1950"},
                                                                 {"delivered_seq", "50"},
                                                                 {"ack_floor_seq", "0"},
                                                                 {"replay_from", "1"},
                                                                 {"last_seq", "2000"}});
  CHECK(backlog[0]->evidence.size() == 2);  // consumer_report and consumer_info

  auto ack = with_code(fs, "nats.consumer_ack_pending");
  REQUIRE(ack.size() == 1);
  CHECK(ack[0]->severity == Severity::Warning);
  CHECK(ack[0]->values.at("ack_pending") == "50");
  CHECK(ack[0]->values.at("max_ack_pending") == "1000");

  CHECK(with_code(fs, "nats.consumer_stale").empty());
  CHECK(with_code(fs, "nats.consumer_redeliveries").empty());
  CHECK(with_code(fs, "nats.server_storage_high").empty());
  CHECK(with_code(fs, "nats.slow_consumers").empty());

  // Without thresholds in the context, the defaults: 50 awaiting ack is fine.
  auto defaults = judges.run(steps, JudgeContext{&config});
  CHECK(with_code(defaults, "nats.consumer_ack_pending").empty());
  CHECK(with_code(defaults, "nats.consumer_backlog").size() == 1);
}

}  // namespace rr
