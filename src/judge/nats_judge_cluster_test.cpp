// End to end on a real cluster: the steps of the EventStreamDisconnected rule
// run against three nats-server nodes with one stopped, and the judges name
// the server that is down, the routes that are missing and the meta leader.

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "judge/judge.h"
#include "support/nats_cluster.h"
#include "support/wait.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::with_code;
using test::describe;

using namespace std::chrono_literals;

std::vector<StepResult> run_rule_steps(const ClusterConfig& config) {
  const StepRegistry registry = default_step_registry();
  std::vector<StepResult> results;
  for (auto [id, kind] : std::vector<std::pair<std::string, std::string>>{{"health", "nats.health"},
                                                                          {"servers", "nats.server_list"},
                                                                          {"jetstream", "nats.jetstream_report"},
                                                                          {"stream", "nats.stream_info"}}) {
    StepInput input{id, {{"stream", "CIM-EVENTS"}}, &config, Deadline::after(3s)};
    results.push_back(registry.find(kind)->run(input));
  }
  return results;
}

}  // namespace

TEST_CASE("EventStreamDisconnected on a real cluster with one node stopped") {
  test::NatsCluster cluster;
  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.publish("cim.events.test", 5);
  ClusterConfig config = test::nats_cluster_config(cluster, "cim");

  auto healthy = default_judges().run(run_rule_steps(config), JudgeContext{&config});
  INFO(describe(healthy));
  REQUIRE(healthy.size() == 1);
  CHECK(healthy[0].code == "nats.meta_leader");

  cluster.stop(1);
  std::string leader = cluster.wait_for_meta_leader();
  REQUIRE_FALSE(leader.empty());
  // The stream leader needs a moment to mark the peer offline.
  std::vector<Finding> fs;
  test::wait_until(
      [&] {
        fs = default_judges().run(run_rule_steps(config), JudgeContext{&config});
        return !with_code(fs, "nats.replica_offline").empty();
      },
      30s);
  INFO(describe(fs));

  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 1);
  CHECK(down[0]->values.at("server") == "nats-node-2");
  CHECK(down[0]->values.at("host") == "127.0.0.1");
  CHECK(down[0]->values.at("monitor") == cluster.monitor_url(1));
  CHECK(down[0]->values.at("client") == cluster.client_url(1));
  CHECK(fs[0].code == "nats.server_down");  // the most severe comes first

  auto routes = with_code(fs, "nats.routes_missing");
  REQUIRE(routes.size() == 2);
  CHECK(routes[0]->values.at("server") == "nats-node-1");
  CHECK(routes[0]->values.at("missing") == "nats-node-2");
  CHECK(routes[1]->values.at("server") == "nats-node-3");

  auto meta = with_code(fs, "nats.meta_leader");
  REQUIRE(meta.size() == 1);
  CHECK(meta[0]->values.at("leader") == leader);

  auto replica = with_code(fs, "nats.replica_offline");
  REQUIRE(replica.size() == 1);
  CHECK(replica[0]->values.at("replica") == "nats-node-2");
  CHECK(with_code(fs, "nats.cluster_down").empty());
  CHECK(with_code(fs, "nats.split_brain").empty());

  cluster.stop(0);
  cluster.stop(2);
  auto all_down = default_judges().run(run_rule_steps(config), JudgeContext{&config});
  INFO(describe(all_down));
  REQUIRE_FALSE(all_down.empty());
  CHECK(all_down[0].code == "nats.cluster_down");
  CHECK(with_code(all_down, "nats.server_down").size() == 3);
}

}  // namespace rr
