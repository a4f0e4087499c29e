// $SYS scatter-gather, the system-account step kinds, leaf nodes and TCP
// reachability against a real three-node cluster (nats-server on loopback).
// One cluster for the whole test case: sections would restart it.

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "steps/nats/json_read.h"
#include "steps/nats/sys_request.h"
#include "steps/step.h"
#include "support/nats_cluster.h"
#include "support/process.h"
#include "support/wait.h"

namespace rr::nats {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

StepResult run(const std::string& kind, const ClusterConfig* cluster, std::chrono::milliseconds timeout = 5s) {
  static const StepRegistry registry = default_step_registry();
  const StepKind* k = registry.find(kind);
  REQUIRE(k != nullptr);
  StepInput input{"t", {}, cluster, Deadline::after(timeout)};
  auto started = Clock::now();
  StepResult r = k->run(input);
  // Never past the deadline (a little slack for thread joins).
  CHECK(Clock::now() - started < timeout + 250ms);
  return r;
}

std::set<std::string> names_of(const SysGather& g) {
  std::set<std::string> names;
  for (const auto& r : g.replies) names.insert(r.server_name);
  return names;
}

std::set<std::string> answering_names(const nlohmann::json& facts) {
  std::set<std::string> names;
  for (const auto& s : field(facts, "servers")) {
    if (get_bool(s, "reachable")) names.insert(get_string(s, "server_name"));
  }
  return names;
}

const nlohmann::json& port_of(const nlohmann::json& server, const std::string& kind) {
  for (const auto& p : field(server, "ports")) {
    if (get_string(p, "kind") == kind) return p;
  }
  FAIL("no port of kind " << kind);
  return server;
}

}  // namespace

TEST_CASE("sys replies are parsed defensively") {
  SysReply r;
  CHECK_FALSE(parse_sys_reply("", r));
  CHECK_FALSE(parse_sys_reply("[1,2]", r));
  CHECK_FALSE(parse_sys_reply("{\"server\":", r));
  CHECK_FALSE(parse_sys_reply(std::string(kSysReplyLimit + 1, ' '), r));
  REQUIRE(parse_sys_reply(R"({"server": 5, "data": "x", "error": {"code": 500, "description": "bad\nthing"}})", r));
  CHECK(r.server_name.empty());
  CHECK(r.data.is_null());
  CHECK(r.error == "bad thing");
  REQUIRE(parse_sys_reply(R"({"server": {"name": "n1", "id": "ID1", "cluster": "c"}, "statsz": {"routes": []}})", r));
  CHECK(r.server_name == "n1");
  CHECK(r.server_id == "ID1");
  CHECK(r.data.contains("routes"));
}

TEST_CASE("system account reads against a real cluster") {
  test::NatsCluster cluster(3);
  const std::string leader = cluster.wait_for_meta_leader();
  REQUIRE(!leader.empty());
  const ClusterConfig config = test::nats_cluster_config(cluster);
  const std::set<std::string> all = {cluster.name(0), cluster.name(1), cluster.name(2)};

  // --- scatter-gather itself ---
  {
    SysConnection conn = SysConnection::open(config, Deadline::after(2s));
    REQUIRE(conn.connected());
    CHECK(!conn.server_id().empty());
    auto started = Clock::now();
    SysGather varz = conn.ping("VARZ", "", Deadline::after(30s));
    auto took = Clock::now() - started;
    CHECK(varz.problem == SysProblem::None);
    CHECK(names_of(varz) == all);  // every server, not just the first reply
    CHECK(varz.invalid == 0);
    // Waited for a quiet gap (libnats times in whole milliseconds on its own clock) ...
    CHECK(took >= kSysQuietGap - 20ms);
    CHECK(took < 10s);            // ... not for the 30 s deadline
    for (const auto& r : varz.replies) CHECK(get_int(r.data, "port").has_value());

    SysGather js = conn.ping("JSZ", R"({"leader_only":true})", Deadline::after(3s));
    REQUIRE(js.replies.size() == 1);
    CHECK(js.replies[0].server_name == leader);

    // A deadline shorter than the quiet gap ends the collection on time.
    started = Clock::now();
    conn.ping("VARZ", "", Deadline::after(100ms));
    CHECK(Clock::now() - started < 350ms);
  }
  {
    ClusterConfig app = config;  // an application user with every permission
    app.system_user = "app";
    app.system_password = "app";
    SysConnection conn = SysConnection::open(app, Deadline::after(2s));
    REQUIRE(conn.connected());
    SysGather g = conn.ping("VARZ", "", Deadline::after(2s));
    CHECK(g.problem == SysProblem::NoResponders);
    CHECK_THAT(g.error, Catch::Contains("system account"));
  }
  {
    ClusterConfig jsro = config;  // may publish only JetStream API subjects
    jsro.system_user = "jsro";
    jsro.system_password = "jsro";
    SysConnection conn = SysConnection::open(jsro, Deadline::after(2s));
    REQUIRE(conn.connected());
    SysGather g = conn.ping("VARZ", "", Deadline::after(2s));
    CHECK(g.problem == SysProblem::NotPermitted);
    CHECK_THAT(g.error, Catch::Contains("Permissions Violation"));
  }

  // --- nats.sys_server_list: every server, even unconfigured ones ---
  {
    StepResult r = run("nats.sys_server_list", &config);
    INFO(r.summary << "\n" << r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(get_int(r.facts, "answered") == 3);
    CHECK(get_int(r.facts, "expected_routes") == 2);
    for (int i = 0; i < 3; ++i) {
      const auto& s = r.facts["servers"][i];
      CHECK(get_int(s, "index") == i);  // placed on the configured server
      CHECK(get_string(s, "server_name") == cluster.name(i));
      CHECK(get_bool(s, "configured"));
      CHECK(get_int(s, "routes") == 2);
      CHECK(field(s, "route_peers").size() == 2);
      CHECK(get_string(s, "meta_leader") == leader);
      CHECK(get_string(s, "version") == "2.9.10");
      CHECK(get_uint(s, "leafnodes") == 0u);
    }
    CHECK_THAT(r.output, Catch::Contains(cluster.name(2)));
  }
  ClusterConfig one = config;  // the configuration names only the first server
  one.servers.resize(1);
  one.monitor.resize(1);
  {
    StepResult r = run("nats.sys_server_list", &one);
    INFO(r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(answering_names(r.facts) == all);
    CHECK(get_int(r.facts, "expected_routes") == 2);
    const auto& servers = r.facts["servers"];
    REQUIRE(servers.size() == 3);
    CHECK(get_string(servers[0], "server_name") == cluster.name(0));
    CHECK(get_bool(servers[0], "configured"));
    CHECK_FALSE(get_bool(servers[1], "configured"));
    CHECK(get_int(servers[2], "index") == 2);  // discovered ones follow the configured
    CHECK(get_string(servers[1], "monitor").empty());
  }

  // --- nats.sys_jetstream_report ---
  {
    StepResult r = run("nats.sys_jetstream_report", &config);
    INFO(r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(get_string(r.facts, "meta_leader") == leader);
    int leaders = 0;
    for (const auto& s : r.facts["servers"]) {
      CHECK(get_bool(s, "reachable"));
      CHECK(get_bool(s, "jetstream"));
      CHECK(get_int(s, "meta_cluster_size") == 3);
      CHECK(get_uint(s, "max_storage").value_or(0) > 0);
      CHECK(get_string(s, "meta_leader") == leader);
      if (get_bool(s, "is_meta_leader")) {
        ++leaders;
        CHECK(get_string(s, "server_name") == leader);
        CHECK(field(s, "meta_replicas").size() == 2);
      }
    }
    CHECK(leaders == 1);
  }

  // --- leaf nodes and reachability on the healthy cluster ---
  {
    StepResult r = run("nats.leafnodes", &config);
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(get_int(r.facts, "answered") == 3);
    CHECK(get_uint(r.facts, "leafnodes") == 0u);
    for (const auto& s : r.facts["servers"]) CHECK(field(s, "leafs").is_array());
  }
  {
    StepResult r = run("nats.reachability", &config);
    INFO(r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(get_int(r.facts, "checked") == 9);
    CHECK(get_int(r.facts, "unreachable") == 0);
    for (const auto& s : r.facts["servers"]) {
      for (const char* kind : {"client", "monitor", "cluster"}) {
        const auto& p = port_of(s, kind);
        CHECK(get_bool(p, "reachable"));
        CHECK(get_number(p, "ms").value_or(-1) >= 0);
        CHECK(get_string(p, "error").empty());
      }
    }
  }

  // --- identities that do not work ---
  {
    ClusterConfig wrong = config;
    wrong.system_password = "not-the-password";
    StepResult r = run("nats.sys_server_list", &wrong, 2s);
    CHECK(r.status == StepStatus::Failed);
    CHECK_THAT(r.summary, Catch::Contains("login failed"));
    CHECK_THAT(r.summary, Catch::Contains("Authorization Violation"));
    CHECK(get_string(field(r.facts, "system"), "problem") == "auth_failed");
  }
  {
    ClusterConfig none = config;
    none.system_user.reset();
    none.system_password.reset();
    StepResult r = run("nats.sys_server_list", &none);
    CHECK(r.status == StepStatus::Skipped);
    CHECK_THAT(r.summary, Catch::Contains("no system-account user configured for cluster test"));
    CHECK(run("nats.sys_jetstream_report", &none).status == StepStatus::Skipped);
  }

  // --- one node stopped ---
  cluster.stop(2);
  REQUIRE(!cluster.wait_for_meta_leader().empty());
  {
    StepResult r = run("nats.sys_server_list", &config);
    INFO(r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(get_int(r.facts, "answered") == 2);
    CHECK(get_int(r.facts, "expected_routes") == 2);
    const auto& down = r.facts["servers"][2];
    CHECK(get_int(down, "index") == 2);
    CHECK_FALSE(get_bool(down, "reachable"));
    CHECK_THAT(get_string(down, "error"), Catch::Contains("no reply"));
  }
  {
    StepResult r = run("nats.sys_server_list", &one);
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(answering_names(r.facts) == std::set<std::string>{cluster.name(0), cluster.name(1)});
    CHECK(get_int(r.facts, "expected_routes") == 2);  // from the meta group size
  }
  {
    StepResult r = run("nats.reachability", &config, 3s);
    INFO(r.facts.dump(1));
    REQUIRE(r.status == StepStatus::Ok);
    const auto& down = r.facts["servers"][2];
    CHECK(get_string(port_of(down, "client"), "error") == "connection refused");
    CHECK(get_string(port_of(down, "monitor"), "error") == "connection refused");
    CHECK_THAT(get_string(port_of(down, "cluster"), "skipped"), Catch::Contains("monitor did not answer"));
    CHECK(get_bool(port_of(r.facts["servers"][0], "cluster"), "reachable"));
    CHECK(get_int(r.facts, "unreachable") == 2);
  }

  // --- every node stopped: facts, not failures, within the deadline ---
  cluster.stop(0);
  cluster.stop(1);
  {
    StepResult r = run("nats.sys_server_list", &config, 2s);
    INFO(r.summary);
    CHECK(r.status == StepStatus::Ok);
    CHECK(get_int(r.facts, "answered") == 0);
    for (const auto& s : r.facts["servers"]) CHECK_FALSE(get_string(s, "error").empty());
  }
}

TEST_CASE("nats.leafnodes lists a leaf node connection") {
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
  test::Process leaf({"nats-server", "-c", (dir / "leaf.conf").string()}, dir / "leaf.log");

  ClusterConfig config;
  config.name = "hub";
  config.servers = {"nats://127.0.0.1:" + std::to_string(hub_client)};
  config.monitor = {"http://127.0.0.1:" + std::to_string(hub_http)};
  StepResult r;
  test::wait_until(
      [&] {
        r = run("nats.leafnodes", &config);
        return get_uint(r.facts, "leafnodes").value_or(0) > 0;
      },
      30s);
  INFO(r.facts.dump(1));
  REQUIRE(get_uint(r.facts, "leafnodes") == 1u);
  const auto& l = r.facts["servers"][0]["leafs"][0];
  CHECK(get_string(l, "account") == "$G");  // 2.9.10 does not name the remote server
  CHECK(get_string(l, "ip") == "127.0.0.1");
  CHECK(get_uint(l, "port").value_or(0) > 0);
  CHECK(field(l, "subscriptions").is_number());
  CHECK_THAT(r.output, Catch::Contains("1 leaf nodes"));
  CHECK_THAT(r.output, Catch::Contains("account $G from 127.0.0.1:"));
}

}  // namespace rr::nats
