// nats.consumer_list and nats.consumer_report against a real three-node
// cluster: every consumer of a stream with its positions, a stream without
// consumers, and a stream that does not exist.

#include <catch2/catch.hpp>

#include "steps/nats/consumer_list.h"
#include "steps/nats/consumer_report.h"
#include "steps/step.h"
#include "support/nats_cluster.h"

namespace rr::nats {
namespace {

using namespace std::chrono_literals;

StepResult run(const std::string& kind, const ClusterConfig& cluster, const std::string& stream) {
  static const StepRegistry registry = default_step_registry();
  const StepKind* k = registry.find(kind);
  REQUIRE(k != nullptr);
  StepInput input{"consumers", {{"stream", stream}}, &cluster, Deadline::after(5s)};
  return k->run(input);
}

}  // namespace

TEST_CASE("consumer steps are registered with a required stream") {
  StepCatalog catalog = default_step_registry().catalog();
  for (const char* kind : {"nats.consumer_list", "nats.consumer_report"}) {
    INFO(kind);
    REQUIRE(catalog.kinds.count(kind) == 1);
    auto params = catalog.kinds[kind];
    REQUIRE(params.size() == 1);
    CHECK(params["stream"].type == ValueType::Name);
    CHECK(params["stream"].required);
  }
}

TEST_CASE("consumer list and report on a real cluster") {
  test::NatsCluster cluster;
  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.create_stream("QUIET", "quiet.>", 1);
  cluster.publish("cim.events.test", 30);
  cluster.create_pull_consumer("CIM-EVENTS", "B-WORKER");
  cluster.create_pull_consumer("CIM-EVENTS", "A-WORKER");
  test::JetStreamTarget app{{cluster.client_url(0), cluster.client_url(1), cluster.client_url(2)}, "app", "app"};
  REQUIRE(test::fetch_without_ack(app, "CIM-EVENTS", "A-WORKER", "cim.events.>", 5) == 5);
  ClusterConfig config = test::nats_cluster_config(cluster, "cim");  // the read-only user jsro

  auto report = run("nats.consumer_report", config, "CIM-EVENTS");
  INFO(report.summary << "\n" << report.output << "\n" << report.facts.dump(2));
  REQUIRE(report.status == StepStatus::Ok);
  CHECK(report.kind == "nats.consumer_report");
  CHECK(report.facts["found"] == true);
  CHECK(report.facts["stream"] == "CIM-EVENTS");
  CHECK(report.facts["stream_state"]["last_seq"] == 30);
  CHECK(report.summary == "CIM-EVENTS: 2 consumers, 55 pending, 5 awaiting ack");
  const auto& consumers = report.facts.at("consumers");
  REQUIRE(consumers.size() == 2);
  const auto& a = consumers[0];  // by name
  CHECK(a["consumer"] == "A-WORKER");
  CHECK(a["stream"] == "CIM-EVENTS");
  CHECK(a["num_pending"] == 25);
  CHECK(a["num_ack_pending"] == 5);
  CHECK(a["num_redelivered"] == 0);
  CHECK(a["delivered"]["stream_seq"] == 5);
  CHECK(a["ack_floor"]["stream_seq"] == 0);
  CHECK(a["last_active"] == a["delivered"]["last_active"]);
  CHECK_FALSE(a["last_active"].get<std::string>().empty());
  CHECK(a["config"]["ack_policy"] == "explicit");
  CHECK(a["config"]["durable_name"] == "A-WORKER");
  CHECK_FALSE(a["replication"]["leader"].get<std::string>().empty());
  CHECK(a["replication"]["replicas"].size() == 2);
  const auto& b = consumers[1];
  CHECK(b["consumer"] == "B-WORKER");
  CHECK(b["num_pending"] == 30);
  CHECK(b["num_ack_pending"] == 0);
  CHECK(b["last_active"] == "");
  CHECK(report.output.find("A-WORKER: 25 pending, 5 ack pending") != std::string::npos);
  CHECK(report.output.find("last seq 30") != std::string::npos);

  auto list = run("nats.consumer_list", config, "CIM-EVENTS");
  INFO(list.facts.dump(2));
  REQUIRE(list.status == StepStatus::Ok);
  CHECK(list.summary == "CIM-EVENTS: 2 consumers");
  REQUIRE(list.facts["consumers"].size() == 2);
  CHECK(list.facts["consumers"][0] == nlohmann::json({{"consumer", "A-WORKER"},
                                                       {"num_pending", 25},
                                                       {"num_ack_pending", 5},
                                                       {"num_redelivered", 0},
                                                       {"num_waiting", 0},
                                                       {"last_active", a["last_active"]},
                                                       {"leader", a["replication"]["leader"]}}));
  CHECK(list.facts["consumers"][1]["consumer"] == "B-WORKER");

  // A stream without consumers is an empty list, not an error.
  auto quiet = run("nats.consumer_report", config, "QUIET");
  REQUIRE(quiet.status == StepStatus::Ok);
  CHECK(quiet.facts["found"] == true);
  CHECK(quiet.facts["consumers"].empty());
  CHECK(quiet.facts["error"] == "");
  CHECK(quiet.summary == "QUIET: 0 consumers, 0 pending, 0 awaiting ack");

  // A missing stream: the server's 10059, and no consumers key.
  for (const char* kind : {"nats.consumer_report", "nats.consumer_list"}) {
    auto missing = run(kind, config, "NOPE");
    INFO(kind << ": " << missing.facts.dump());
    REQUIRE(missing.status == StepStatus::Ok);
    CHECK(missing.facts["found"] == false);
    CHECK(missing.facts["js_error_code"] == 10059);
    CHECK(missing.facts["error"] == "stream not found");
    CHECK_FALSE(missing.facts.contains("consumers"));
    CHECK(missing.summary == "NOPE: stream not found (10059)");
  }
}

TEST_CASE("consumer steps without a cluster or a reachable server") {
  StepInput input{"c", {{"stream", "S"}}, nullptr, Deadline::after(1s)};
  auto skipped = ConsumerReportStep().run(input);
  CHECK(skipped.status == StepStatus::Skipped);

  ClusterConfig dead;
  dead.name = "dead";
  dead.servers = {"nats://127.0.0.1:" + std::to_string(test::free_port())};
  input.cluster = &dead;
  auto down = ConsumerListStep().run(input);
  CHECK(down.status == StepStatus::Ok);
  CHECK(down.facts["reachable"] == false);
  CHECK(down.summary == "no server answered");
  CHECK_FALSE(down.facts.contains("consumers"));

  input.params.clear();
  auto no_stream = ConsumerReportStep().run(input);
  CHECK(no_stream.status == StepStatus::Failed);
  CHECK(no_stream.summary == "parameter stream is missing");
}

}  // namespace rr::nats
