// NatsLeafnodesJudge on facts the real nats.leafnodes step builds: from
// /leafz bodies in the servers' own shape, and from a real hub with a real
// leaf node that connects and then goes away.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/nats_leafnodes_judge.h"
#include "steps/nats/json_read.h"
#include "steps/nats/leafnodes.h"
#include "support/process.h"
#include "support/wait.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using nats::get_uint;

std::vector<Finding> judge(const std::vector<StepResult>& steps) {
  std::vector<Finding> out;
  NatsLeafnodesJudge().judge(steps, JudgeContext{}, out);
  return out;
}

// A /leafz answer as 2.9.10 sends it: no leaf names.
nlohmann::json leafz(int leafs) {
  nlohmann::json list = leafs == 0 ? nlohmann::json(nullptr) : nlohmann::json::array();
  for (int i = 0; i < leafs; ++i)
    list.push_back({{"account", "$G"}, {"ip", "10.0.2." + std::to_string(i + 1)}, {"port", 53412 + i},
                    {"rtt", "1ms"}, {"subscriptions", 3}});
  return {{"server_id", "NA56U2Y6SVKDUD7FGCZO6DCI5DVVQWUKWRKRM5OFC7BDCR6X7UR4IHHG"}, {"leafnodes", leafs},
          {"leafs", list}};
}

// nats.leafnodes over three servers answering with these leaf counts
// (-1: the server does not answer), with `expect` when given.
StepResult step(const std::vector<int>& counts, std::optional<std::uint64_t> expect) {
  ClusterConfig cluster;
  cluster.name = "cim";
  std::vector<nlohmann::json> servers;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    nats::ServerRef ref{static_cast<int>(i), "http://nats-node-" + std::to_string(i + 1) + ":8222",
                        "nats://nats-node-" + std::to_string(i + 1) + ":4222"};
    nats::MonitorReply reply;
    if (counts[i] >= 0) {
      reply = {true, 200, leafz(counts[i]), ""};
    } else {
      reply.error = "connection refused";
    }
    cluster.monitor.push_back(ref.monitor);
    servers.push_back(nats::leafnodes_server_facts(ref, reply));
  }
  StepResult r;
  r.id = "leafnodes";
  r.kind = "nats.leafnodes";
  r.status = StepStatus::Ok;
  r.facts = nats::leafnodes_facts(cluster, std::move(servers));
  if (expect) r.facts["expected"] = *expect;
  return r;
}

}  // namespace

TEST_CASE("leafnodes judge: no leaf node connected where the rule expects some is a warning") {
  auto findings = judge({step({0, 0, 0}, 2)});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  const Finding& f = findings[0];
  CHECK(f.code == "nats.leafnodes_missing");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.title == "No leaf node connected to NATS cluster cim (2 expected)");
  CHECK(f.values.at("connected") == "0");
  CHECK(f.values.at("expected") == "2");
  CHECK(f.values.at("missing") == "2");
  CHECK(f.values.at("unanswered").empty());
  REQUIRE(f.evidence.size() == 1);
  CHECK(f.evidence[0] ==
        "leafnodes: /leafz http://nats-node-1:8222: 0, http://nats-node-2:8222: 0, http://nats-node-3:8222: 0 "
        "(0 of 2 expected)");
}

TEST_CASE("leafnodes judge: some connected, counted over every server, names the ones there") {
  auto findings = judge({step({1, 0, 1}, 3)});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  const Finding& f = findings[0];
  CHECK(f.code == "nats.leafnodes_missing");
  CHECK(f.title == "Only 2 of 3 expected leaf nodes connected to NATS cluster cim");
  CHECK(f.values.at("missing") == "1");
  // 2.9.10 sends no names: the address and account stand for them.
  CHECK_THAT(f.detail, Catch::Contains("Connected: 10.0.2.1:53412 (account $G), 10.0.2.1:53412 (account $G)."));
}

TEST_CASE("leafnodes judge: a server that does not answer is named, its leaf nodes not counted") {
  auto findings = judge({step({1, -1, 0}, 2)});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  const Finding& f = findings[0];
  CHECK(f.code == "nats.leafnodes_missing");
  CHECK(f.values.at("connected") == "1");
  CHECK(f.values.at("unanswered") == "http://nats-node-2:8222");
  CHECK_THAT(f.values.at("servers"), Catch::Contains("http://nats-node-2:8222: no answer (connection refused)"));
  CHECK_THAT(f.detail, Catch::Contains("http://nats-node-2:8222 did not answer /leafz"));
}

TEST_CASE("leafnodes judge: as many as expected (or more) is ok; without an expectation nothing is judged") {
  for (std::vector<int> counts : {std::vector<int>{2, 0, 0}, std::vector<int>{1, 1, 1}}) {
    auto findings = judge({step(counts, 2)});
    INFO(test::describe(findings));
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].code == "nats.leafnodes_connected");
    CHECK(findings[0].severity == Severity::Ok);
  }
  CHECK(judge({step({0, 0, 0}, std::nullopt)}).empty());
  CHECK(judge({step({0, 0, 0}, 0)})[0].code == "nats.leafnodes_connected");
  // A step that did not run says nothing about the leaf nodes.
  StepResult skipped = step({0, 0, 0}, 2);
  skipped.status = StepStatus::Skipped;
  CHECK(judge({skipped}).empty());
}

TEST_CASE("leafnodes judge: a real leaf node connected, then gone, against the step's expect") {
  test::TempDir dir;
  const int hub_client = test::free_port(), hub_http = test::free_port(), hub_leaf = test::free_port();
  const int leaf_client = test::free_port();
  test::write_file(dir / "hub.conf", "server_name: hub\nlisten: 127.0.0.1:" + std::to_string(hub_client) +
                                         "\nhttp: 127.0.0.1:" + std::to_string(hub_http) +
                                         "\nleafnodes { listen: 127.0.0.1:" + std::to_string(hub_leaf) + " }\n");
  test::write_file(dir / "leaf.conf", "server_name: leaf-1\nlisten: 127.0.0.1:" + std::to_string(leaf_client) +
                                          "\nleafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:" +
                                          std::to_string(hub_leaf) + "\" } ] }\n");
  test::Process hub({"nats-server", "-c", (dir / "hub.conf").string()}, dir / "hub.log");
  REQUIRE(test::wait_for_port(hub_leaf));
  auto leaf = std::make_unique<test::Process>(std::vector<std::string>{"nats-server", "-c", (dir / "leaf.conf").string()},
                                              dir / "leaf.log");

  ClusterConfig config;
  config.name = "hub";
  config.servers = {"nats://127.0.0.1:" + std::to_string(hub_client)};
  config.monitor = {"http://127.0.0.1:" + std::to_string(hub_http)};
  auto read = [&] {
    return nats::LeafnodesStep().run(
        StepInput{.id = "leafnodes", .params = {{"expect", "1"}}, .cluster = &config, .deadline = Deadline::after(5s)});
  };
  StepResult r;
  REQUIRE(test::wait_until(
      [&] {
        r = read();
        return get_uint(r.facts, "leafnodes").value_or(0) > 0;
      },
      30s));
  CHECK(get_uint(r.facts, "expected") == 1u);
  auto findings = judge({r});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "nats.leafnodes_connected");
  CHECK(findings[0].title == "1 leaf node connected to NATS cluster hub (1 expected)");

  leaf.reset();  // the leaf node stops: the hub drops its connection
  REQUIRE(test::wait_until(
      [&] {
        r = read();
        return r.status == StepStatus::Ok && get_uint(r.facts, "leafnodes") == 0u;
      },
      30s));
  findings = judge({r});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "nats.leafnodes_missing");
  CHECK(findings[0].title == "No leaf node connected to NATS cluster hub (1 expected)");

  // Without `expect`, the cluster's configured count applies; the rule's wins.
  config.leafnodes = 2;
  auto unparameterised =
      nats::LeafnodesStep().run(StepInput{.id = "leafnodes", .cluster = &config, .deadline = Deadline::after(5s)});
  CHECK(get_uint(unparameterised.facts, "expected") == 2u);
  CHECK(get_uint(read().facts, "expected") == 1u);
  config.leafnodes.reset();
  unparameterised =
      nats::LeafnodesStep().run(StepInput{.id = "leafnodes", .cluster = &config, .deadline = Deadline::after(5s)});
  CHECK_FALSE(unparameterised.facts.contains("expected"));
}

}  // namespace rr
