// Split brain judged from hand-built facts of nats.server_list and
// nats.jetstream_report: which servers form which side, and what each holds.

#include <catch2/catch.hpp>

#include "judge/judge.h"
#include "judge/nats_cluster_view.h"
#include "steps/nats/testdata/samples.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::with_code;
using test::describe;

namespace s = nats::samples;

// What one server says: its meta leader ("" none), the cluster size it
// sees, the servers it has routes to and its copy of CIM-EVENTS.
struct Node {
  std::string name, leader;
  int size = 3;
  std::vector<std::string> peers;
  std::uint64_t last_seq = 0;
  // When it leads: the peers it hears from (true) or not for 30 s (false).
  std::vector<std::pair<std::string, bool>> heard = {};
};

nlohmann::json server(int index, const Node& n) {
  return {{"index", index},
          {"monitor", "http://127.0.0.1:" + std::to_string(8222 + index)},
          {"client", "nats://127.0.0.1:" + std::to_string(4222 + index)},
          {"reachable", true},
          {"server_name", n.name},
          {"meta_leader", n.leader},
          {"meta_cluster_size", n.size}};
}

void add_peers(nlohmann::json& server, const Node& n) {
  if (n.heard.empty()) return;
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& [name, heard] : n.heard) {
    peers.push_back({{"name", name}, {"current", heard}, {"offline", false},
                     {"active_ns", heard ? 500'000'000ULL : 30'000'000'000ULL}, {"lag", 0}});
  }
  server["meta_replicas"] = peers;
}

std::vector<StepResult> steps(const std::vector<Node>& nodes, bool with_routes = true) {
  nlohmann::json list = nlohmann::json::array(), js = nlohmann::json::array();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto l = server(static_cast<int>(i), nodes[i]);
    l["routes"] = nodes[i].peers.size();
    l["route_peers"] = nodes[i].peers;
    add_peers(l, nodes[i]);
    list.push_back(l);
    auto j = server(static_cast<int>(i), nodes[i]);
    add_peers(j, nodes[i]);
    j["stream_detail"] = {{{"name", "CIM-EVENTS"}, {"account", "APP"}, {"messages", nodes[i].last_seq},
                           {"last_seq", nodes[i].last_seq}, {"leader", nodes[i].leader}}};
    js.push_back(j);
  }
  std::vector<StepResult> out;
  if (with_routes) out.push_back(s::result("servers", "nats.server_list", {{"cluster", "cim"}, {"servers", list}}));
  out.push_back(s::result("jetstream", "nats.jetstream_report", {{"cluster", "cim"}, {"servers", js}}));
  return out;
}

std::vector<Finding> judge(const std::vector<StepResult>& st) {
  ClusterConfig c = s::cluster();
  return default_judges().run(st, JudgeContext{&c});
}

}  // namespace

TEST_CASE("2+1: the cut-off server is the minority, with the sequences of each side") {
  // n3 lost its routes and its leader; n1 and n2 elected n1 and went on.
  auto fs = judge(steps({{"n1", "n1", 3, {"n2"}, 150}, {"n2", "n1", 3, {"n1"}, 150}, {"n3", "", 3, {}, 100}}));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);  // two steps saw it: one finding, evidence from both
  const Finding& f = *sb[0];
  CHECK(f.severity == Severity::Critical);
  CHECK(f.values.at("majority") == "n1, n2");
  CHECK(f.values.at("minority") == "n3");
  CHECK(f.values.at("majority_leader") == "n1");
  CHECK(f.values.at("leaders") == "none by n3; n1 by n1, n2");
  CHECK(f.values.at("cluster_size") == "3");
  CHECK(f.values.at("sequences") == "majority n1, n2: CIM-EVENTS 150; minority n3: CIM-EVENTS 100");
  CHECK(f.title == "NATS split brain: n3 cut off from the majority n1, n2");
  CHECK(f.detail.find("minority n3 (meta leader none)") != std::string::npos);
  CHECK(std::find(f.evidence.begin(), f.evidence.end(), "servers: n1 routes=1, n2 routes=1") != f.evidence.end());
  CHECK(std::find(f.evidence.begin(), f.evidence.end(), "jetstream: meta leader none by n3; n1 by n1, n2; cluster size 3 by n1, n2, n3") !=
        f.evidence.end());
  CHECK(fs.front().code == "nats.split_brain");  // it leads: it explains the rest

  auto minority = with_code(fs, "nats.split_brain_minority");
  REQUIRE(minority.size() == 1);
  CHECK(minority[0]->values.at("server") == "n3");
  CHECK(minority[0]->values.at("host") == "127.0.0.1");
  CHECK(minority[0]->values.at("leader").empty());
  CHECK(minority[0]->values.at("majority") == "n1, n2");
  CHECK(minority[0]->values.at("majority_leader") == "n1");
  CHECK(minority[0]->values.at("sequences") == "CIM-EVENTS 100");
  CHECK(with_code(fs, "nats.routes_missing").size() == 3);
}

TEST_CASE("2+1 where the cut-off server still names the old leader: the leader's view decides") {
  // Routes are still listed (stale until the ping interval), but the leader
  // n2 has not heard from n3 for 30 s.
  auto fs = judge(steps({{"n1", "n2", 3, {"n2", "n3"}, 9},
                         {"n2", "n2", 3, {"n1", "n3"}, 9, {{"n1", true}, {"n3", false}}},
                         {"n3", "n2", 3, {"n1", "n2"}, 5}}));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);
  CHECK(sb[0]->values.at("majority") == "n1, n2");
  CHECK(sb[0]->values.at("minority") == "n3");
  auto minority = with_code(fs, "nats.split_brain_minority");
  REQUIRE(minority.size() == 1);
  CHECK(minority[0]->values.at("leader") == "n2");
}

TEST_CASE("a server without a leader that the leader hears from is on its side") {
  auto nodes = std::vector<Node>{{"n1", "n1", 3, {}, 9, {{"n2", true}, {"n3", true}}}, {"n2", "n1", 3, {}, 9},
                                 {"n3", "", 3, {}, 9}};
  auto fs = judge(steps(nodes));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);
  CHECK(sb[0]->values.at("minority").empty());
  CHECK(with_code(fs, "nats.split_brain_minority").empty());
  nodes[0].heard[1].second = false;  // silent now: cut off
  fs = judge(steps(nodes));
  REQUIRE(with_code(fs, "nats.split_brain").size() == 1);
  CHECK(with_code(fs, "nats.split_brain")[0]->values.at("minority") == "n3");
}

TEST_CASE("two leaders without route facts: the side naming each leader") {
  auto fs = judge(steps({{"n1", "n1", 3, {}, 7}, {"n2", "n2", 3, {}, 12}, {"n3", "n2", 3, {}, 12}}, false));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);
  CHECK(sb[0]->values.at("majority") == "n2, n3");
  CHECK(sb[0]->values.at("minority") == "n1");
  CHECK(sb[0]->values.at("sequences") == "majority n2, n3: CIM-EVENTS 12; minority n1: CIM-EVENTS 7");
}

TEST_CASE("1+1+1: every server alone, no majority, nothing to clear") {
  auto fs = judge(steps({{"n1", "", 3, {}, 4}, {"n2", "", 3, {}, 5}, {"n3", "", 3, {}, 6}}));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);
  CHECK(sb[0]->values.at("majority").empty());
  CHECK(sb[0]->values.at("minority") == "n1, n2, n3");
  CHECK(sb[0]->title == "NATS split brain: no partition holds a majority");
  CHECK(sb[0]->values.at("sequences") ==
        "minority n1: CIM-EVENTS 4; minority n2: CIM-EVENTS 5; minority n3: CIM-EVENTS 6");
  // With no side to rejoin, the runbook's "clear the minority" would clear everything.
  CHECK(with_code(fs, "nats.split_brain_minority").empty());
  CHECK(with_code(fs, "nats.no_meta_leader").size() == 1);
}

TEST_CASE("disagreement on the cluster size only: connected, no minority") {
  auto fs = judge(steps({{"n1", "n1", 3, {"n2", "n3"}, 3}, {"n2", "n1", 3, {"n1", "n3"}, 3},
                         {"n3", "n1", 2, {"n1", "n2"}, 3}}));
  INFO(describe(fs));
  auto sb = with_code(fs, "nats.split_brain");
  REQUIRE(sb.size() == 1);
  CHECK(sb[0]->values.at("cluster_sizes") == "2 by n3; 3 by n1, n2");
  CHECK(sb[0]->values.at("majority") == "n1, n2, n3");
  CHECK(sb[0]->values.at("minority").empty());
  CHECK(sb[0]->title == "NATS servers disagree about the JetStream meta group");
  CHECK(with_code(fs, "nats.split_brain_minority").empty());
  CHECK(with_code(fs, "nats.meta_leader").empty());
}

TEST_CASE("a healthy cluster has one partition and no split brain") {
  auto fs = judge(steps({{"n1", "n2", 3, {"n2", "n3"}, 3}, {"n2", "n2", 3, {"n1", "n3"}, 3},
                         {"n3", "n2", 3, {"n1", "n2"}, 3}}));
  INFO(describe(fs));
  CHECK(with_code(fs, "nats.split_brain").empty());
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "nats.meta_leader");

  ClusterConfig c = s::cluster();
  auto view = build_cluster_view(steps({{"n1", "n2", 3, {"n2", "n3"}, 3}, {"n2", "n2", 3, {"n1", "n3"}, 3},
                                        {"n3", "n2", 3, {"n1", "n2"}, 3}}),
                                 JudgeContext{&c});
  auto parts = partitions_of(view, "servers");
  CHECK(parts.routes_known);
  REQUIRE(parts.partitions.size() == 1);
  CHECK(parts.partitions[0].majority);
  CHECK(parts.partitions[0].leaders == std::vector<std::string>{"n2"});
  CHECK(partitions_of(view, "no-such-step").partitions.empty());
}

}  // namespace rr
