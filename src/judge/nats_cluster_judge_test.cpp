#include <catch2/catch.hpp>

#include <algorithm>

#include "judge/judge.h"
#include "steps/nats/testdata/samples.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::with_code;

namespace s = nats::samples;

std::vector<s::Replies> replies(s::Replies (*make)(int)) { return {make(0), make(1), make(2)}; }

std::vector<Finding> judge(const std::vector<StepResult>& steps) {
  ClusterConfig c = s::cluster();
  return default_judges().run(steps, JudgeContext{&c});
}

bool cites(const Finding& f, const std::string& text) {
  return std::any_of(f.evidence.begin(), f.evidence.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

std::string codes(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) out += f.code + " ";
  return out;
}

}  // namespace

TEST_CASE("healthy cluster: only the meta leader is reported") {
  auto steps = s::monitor_steps(replies(s::healthy));
  steps.push_back(s::stream_info_result("js_api_stream_info.json"));
  auto fs = judge(steps);
  INFO(codes(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "nats.meta_leader");
  CHECK(fs[0].severity == Severity::Info);
  CHECK(fs[0].values.at("leader") == "n3");
  CHECK(fs[0].values.at("seen_by") == "n1, n2, n3");
  CHECK(fs[0].values.at("cluster_size") == "3");
}

TEST_CASE("one of three down: the report names the server, the missing routes and the leader") {
  auto steps = s::monitor_steps(replies(s::degraded));
  steps.push_back(s::stream_info_result("degraded_js_api_stream_info.json"));
  auto fs = judge(steps);
  INFO(codes(fs));

  CHECK(with_code(fs, "nats.cluster_down").empty());
  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 1);
  const Finding& d = *down[0];
  CHECK(d.severity == Severity::Critical);
  CHECK(d.values.at("server") == "n3");
  CHECK(d.values.at("name") == "n3");
  CHECK(d.values.at("host") == "127.0.0.1");
  CHECK(d.values.at("monitor") == "http://127.0.0.1:8224");
  CHECK(d.values.at("client") == "nats://127.0.0.1:4224");
  CHECK(d.title.find("n3") != std::string::npos);
  CHECK(d.detail.find("the meta leader n2 lists it offline") != std::string::npos);
  CHECK(cites(d, "health: http://127.0.0.1:8224 unreachable (connection refused)"));
  // One line per step that read the meta leader's peer list, and one from
  // the stream leader: the same server, so one finding.
  CHECK(cites(d, "servers: meta leader n2 reports peer n3 offline, last heard 10s ago, lag 13"));
  CHECK(cites(d, "jetstream: meta leader n2 reports peer n3 offline, last heard 10s ago, lag 13"));
  CHECK(cites(d, "stream: stream leader n1 reports replica n3 of CIM-EVENTS offline"));
  CHECK(d.detail.find("2 of the 3 configured servers answer.") != std::string::npos);
  CHECK(with_code(fs, "nats.peer_lagging").empty());

  auto routes = with_code(fs, "nats.routes_missing");
  REQUIRE(routes.size() == 2);
  for (const Finding* f : routes) {
    CHECK(f->severity == Severity::Warning);
    CHECK(f->values.at("routes") == "1");
    CHECK(f->values.at("expected") == "2");
    CHECK(f->values.at("missing") == "n3");
    CHECK(f->detail.find("Explained by the server(s) down") != std::string::npos);
  }
  CHECK(routes[0]->values.at("server") == "n1");
  CHECK(cites(*routes[0], "servers: n1 routes=1, expected 2 (peers: n2)"));
  CHECK(routes[1]->values.at("server") == "n2");

  auto leader = with_code(fs, "nats.meta_leader");
  REQUIRE(leader.size() == 1);
  CHECK(leader[0]->values.at("leader") == "n2");
  CHECK(leader[0]->values.at("seen_by") == "n1, n2");

  auto replica = with_code(fs, "nats.replica_offline");
  REQUIRE(replica.size() == 1);
  CHECK(replica[0]->values.at("stream") == "CIM-EVENTS");
  CHECK(replica[0]->values.at("replica") == "n3");
  CHECK(replica[0]->values.at("leader") == "n1");
  CHECK(replica[0]->values.at("lag") == "103");
  CHECK(cites(*replica[0], "stream: CIM-EVENTS replica n3 offline, lag 103"));

  CHECK(with_code(fs, "nats.split_brain").empty());
  CHECK(with_code(fs, "nats.server_unhealthy").empty());
  // Most severe first.
  CHECK(fs.front().severity == Severity::Critical);
  CHECK(fs.back().severity == Severity::Info);
  CHECK(std::is_sorted(fs.begin(), fs.end(), [](const Finding& a, const Finding& b) { return a.severity < b.severity; }));
}

TEST_CASE("one down seen by /healthz alone: named by address, not guessed") {
  auto steps = s::monitor_steps(replies(s::degraded));
  steps.resize(1);  // only nats.health ran
  auto fs = judge(steps);
  INFO(codes(fs));
  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 1);
  CHECK(down[0]->values.at("server") == "127.0.0.1:8224");
  CHECK(down[0]->values.at("name").empty());
  CHECK(down[0]->values.at("host") == "127.0.0.1");
  CHECK(fs.size() == 1);
}

TEST_CASE("all servers down: cluster down, and every server down") {
  auto steps = s::monitor_steps({s::down(), s::down(), s::down()});
  StepResult api = s::result("stream", "nats.stream_info",
                             {{"cluster", "cim"}, {"reachable", false}, {"stream", "CIM-EVENTS"},
                              {"connect_errors", {{{"server", "nats://127.0.0.1:4222"}, {"error", "No server available"}}}}});
  steps.push_back(api);
  auto fs = judge(steps);
  INFO(codes(fs));
  auto cluster = with_code(fs, "nats.cluster_down");
  REQUIRE(cluster.size() == 1);
  CHECK(cluster[0]->severity == Severity::Critical);
  CHECK(cluster[0]->values.at("cluster") == "cim");
  CHECK(cluster[0]->values.at("seed_host") == "127.0.0.1");
  CHECK(cluster[0]->values.at("seed_monitor") == "http://127.0.0.1:8222");
  CHECK(cites(*cluster[0], "stream: no server answered (nats://127.0.0.1:4222: No server available)"));
  CHECK(cites(*cluster[0], "health: http://127.0.0.1:8224 unreachable (connection refused)"));
  CHECK(cluster[0]->evidence.size() == 4);  // one line per server, one per API step
  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 3);
  CHECK(down[2]->values.at("monitor") == "http://127.0.0.1:8224");
  CHECK(with_code(fs, "nats.no_meta_leader").empty());  // nobody to ask is not "no leader"
  CHECK(with_code(fs, "nats.meta_leader").empty());
}

TEST_CASE("servers naming different meta leaders or sizes are a split brain") {
  auto r = replies(s::healthy);
  SECTION("leader") {
    auto varz = nlohmann::json::parse(r[0].varz.body);
    varz["jetstream"]["meta"]["leader"] = "n1";
    r[0].varz = s::ok(varz);
    auto fs = judge(s::monitor_steps(r));
    INFO(codes(fs));
    auto d = with_code(fs, "nats.split_brain");
    REQUIRE(d.size() == 1);
    CHECK(d[0]->severity == Severity::Critical);
    CHECK(d[0]->values.at("leaders") == "n1 by n1; n3 by n2, n3");
    CHECK(cites(*d[0], "servers: meta leader n1 by n1; n3 by n2, n3"));
    // n1 names itself although it has routes to both others: two leaders.
    CHECK(d[0]->values.at("majority") == "n2, n3");
    CHECK(d[0]->values.at("minority") == "n1");
    CHECK(d[0]->values.at("majority_leader") == "n3");
    CHECK(with_code(fs, "nats.split_brain_minority").size() == 1);
    // The jetstream step still agrees, so the leader it saw is reported too.
    CHECK(with_code(fs, "nats.meta_leader").size() == 1);
    CHECK(fs.front().code == "nats.split_brain");
  }
  SECTION("cluster size") {
    auto jsz = nlohmann::json::parse(r[1].jsz.body);
    jsz["meta_cluster"]["cluster_size"] = 2;
    r[1].jsz = s::ok(jsz);
    auto fs = judge(s::monitor_steps(r));
    auto d = with_code(fs, "nats.split_brain");
    REQUIRE(d.size() == 1);
    CHECK(d[0]->values.at("cluster_sizes") == "2 by n2; 3 by n1, n3");
  }
  SECTION("a server that lost the leader but keeps its routes") {
    auto varz = nlohmann::json::parse(r[1].varz.body);
    varz["jetstream"]["meta"]["leader"] = "";
    r[1].varz = s::ok(varz);
    auto fs = judge(s::monitor_steps(r));
    auto d = with_code(fs, "nats.split_brain");
    REQUIRE(d.size() == 1);
    CHECK(d[0]->values.at("leaders") == "none by n2; n3 by n1, n3");
    // Connected to the others, it is on their side: nobody to stop.
    CHECK(d[0]->values.at("majority") == "n1, n2, n3");
    CHECK(d[0]->values.at("minority").empty());
    CHECK(with_code(fs, "nats.split_brain_minority").empty());
  }
}

TEST_CASE("quorum lost: no meta leader, unhealthy servers, stream without leader") {
  const std::string no_leader = "JetStream has not established contact with a meta leader";
  std::vector<s::Replies> r = {s::degraded(0), s::down(), s::down()};
  r[0].healthz = s::ok({{"status", "unavailable"}, {"error", no_leader}}, 503);
  for (auto* body : {&r[0].varz, &r[0].jsz}) {
    auto j = nlohmann::json::parse(body->body);
    auto& meta = j.contains("meta_cluster") ? j["meta_cluster"] : j["jetstream"]["meta"];
    meta["leader"] = "";
    meta.erase("replicas");
    *body = s::ok(j);
  }
  auto steps = s::monitor_steps(r);
  steps.push_back(s::stream_info_result("noquorum_js_api_stream_info.json"));
  auto fs = judge(steps);
  INFO(codes(fs));
  auto none = with_code(fs, "nats.no_meta_leader");
  REQUIRE(none.size() == 1);
  CHECK(none[0]->values.at("servers") == "n1");
  auto sick = with_code(fs, "nats.server_unhealthy");
  REQUIRE(sick.size() == 1);
  CHECK(sick[0]->severity == Severity::Critical);
  CHECK(sick[0]->values.at("server") == "n1");
  CHECK(sick[0]->values.at("code") == "503");
  CHECK(sick[0]->values.at("error") == no_leader);
  CHECK(sick[0]->title.find(no_leader) != std::string::npos);
  CHECK(with_code(fs, "nats.server_down").size() == 2);
  auto stream = with_code(fs, "nats.stream_no_leader");
  REQUIRE(stream.size() == 1);
  CHECK(stream[0]->values.at("stream") == "CIM-EVENTS");
  CHECK(with_code(fs, "nats.replica_offline").size() == 2);  // n2 and n3
  CHECK(with_code(fs, "nats.replica_lagging").size() == 1);  // n1: not current
}

TEST_CASE("a stream catching up after a restart is a warning, not critical") {
  auto r = replies(s::healthy);
  r[1].healthz = s::ok({{"status", "unavailable"}, {"error", "JetStream stream 'APP > CIM-EVENTS' is not current"}}, 503);
  auto fs = judge(s::monitor_steps(r));
  auto sick = with_code(fs, "nats.server_unhealthy");
  REQUIRE(sick.size() == 1);
  CHECK(sick[0]->severity == Severity::Warning);
  CHECK(sick[0]->values.at("server") == "n2");
}

TEST_CASE("JetStream API errors become findings") {
  auto api = [](int code, const std::string& error) {
    return s::result("stream", "nats.stream_info",
                     {{"cluster", "cim"}, {"reachable", true}, {"stream", "CIM-EVENTS"}, {"found", code != 10059},
                      {"error", error}, {"js_error_code", code}});
  };
  SECTION("10059") {
    auto fs = judge({api(10059, "stream not found")});
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].code == "nats.stream_not_found");
    CHECK(fs[0].values.at("stream") == "CIM-EVENTS");
    CHECK(cites(fs[0], "stream: CIM-EVENTS: stream not found (10059)"));
  }
  SECTION("10008, seen by two steps, is one finding") {
    auto other = api(10008, "JetStream system temporarily unavailable");
    other.id = "stream-again";
    auto fs = judge({api(10008, "JetStream system temporarily unavailable"), other});
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].code == "nats.jetstream_unavailable");
    CHECK(fs[0].severity == Severity::Critical);
    CHECK(fs[0].evidence.size() == 2);
  }
  SECTION("a timeout") {
    auto fs = judge({api(0, "Timeout")});
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].code == "nats.jetstream_error");
    CHECK(fs[0].values.at("error") == "Timeout");
  }
}

TEST_CASE("judges ignore steps that did not run and facts of the wrong shape") {
  StepResult failed = s::result("health", "nats.health", nlohmann::json::object());
  failed.status = StepStatus::Failed;
  CHECK(judge({failed}).empty());
  for (auto facts : {nlohmann::json("text"), nlohmann::json::array({1, 2}),
                     nlohmann::json{{"servers", 5}},
                     nlohmann::json{{"servers", {{{"index", -4}, {"reachable", "yes"}}, {{"index", 1e12}}, 7}}},
                     nlohmann::json{{"servers", {{{"index", 2}, {"routes", "x"}, {"meta_replicas", 3}}}}}}) {
    for (const char* kind : {"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_info",
                             "nats.stream_list", "nats.consumer_info"}) {
      CHECK_NOTHROW(judge({s::result("x", kind, facts)}));
    }
  }
}

TEST_CASE("severity names") {
  CHECK(severity_name(Severity::Critical) == "critical");
  CHECK(severity_name(Severity::Warning) == "warning");
  CHECK(severity_name(Severity::Info) == "info");
  CHECK(severity_name(Severity::Ok) == "ok");
}

}  // namespace rr
