// The NATS step kinds against a real three-node cluster (nats-server on
// loopback), healthy and degraded, and against a server that never answers.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "steps/nats/json_read.h"
#include "steps/step.h"
#include "support/nats_cluster.h"
#include "support/wait.h"

namespace rr::nats {
namespace {

using namespace std::chrono_literals;

StepResult run(const std::string& kind, const ClusterConfig* cluster, std::map<std::string, std::string> params = {},
               std::chrono::milliseconds timeout = 5s) {
  static const StepRegistry registry = default_step_registry();
  const StepKind* k = registry.find(kind);
  REQUIRE(k != nullptr);
  StepInput input{kind.substr(5), std::move(params), cluster, Deadline::after(timeout)};
  return k->run(input);
}

const nlohmann::json& server_fact(const StepResult& r, int index) { return r.facts.at("servers").at(index); }

// A TCP port that accepts connections (the kernel completes the handshake)
// but never says a word: the worst case for deadlines.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("nats steps on a healthy cluster") {
  test::NatsCluster cluster;
  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.publish("cim.events.test", 20);
  cluster.create_pull_consumer("CIM-EVENTS", "CIM-PROCESSOR");
  ClusterConfig config = test::nats_cluster_config(cluster, "cim");

  auto health = run("nats.health", &config);
  REQUIRE(health.status == StepStatus::Ok);
  CHECK(health.summary == "3/3 servers healthy");
  CHECK(health.facts["healthy"] == 3);
  CHECK(server_fact(health, 0)["healthz"]["code"] == 200);
  CHECK(server_fact(health, 0)["healthz"]["status"] == "ok");
  CHECK(server_fact(health, 2)["healthz_js"]["code"] == 200);

  auto servers = run("nats.server_list", &config);
  REQUIRE(servers.status == StepStatus::Ok);
  CHECK(servers.facts["expected_routes"] == 2);
  std::string leader = server_fact(servers, 0).value("meta_leader", "");
  CHECK_FALSE(leader.empty());
  for (int i = 0; i < 3; ++i) {
    const auto& s = server_fact(servers, i);
    INFO(s.dump());
    CHECK(s["reachable"] == true);
    CHECK(s["server_name"] == cluster.name(i));
    CHECK(s["version"] == "2.9.10");
    CHECK(s["routes"] == 2);
    CHECK(s["route_peers"].size() == 2);
    CHECK(s["cluster_name"] == "rr-test");
    CHECK(s["jetstream"] == true);
    CHECK(s["meta_leader"] == leader);
    CHECK(s["meta_cluster_size"] == 3);
  }
  CHECK(servers.output.find("nats-node-1 v2.9.10") != std::string::npos);

  auto js = run("nats.jetstream_report", &config);
  REQUIRE(js.status == StepStatus::Ok);
  CHECK(js.facts["meta_leader"] == leader);
  int leaders = 0;
  for (int i = 0; i < 3; ++i) {
    const auto& s = server_fact(js, i);
    INFO(s.dump());
    CHECK(s["server_name"] == cluster.name(i));  // followers named through the leader's peer list
    CHECK(s["streams"] == 1);
    CHECK(s["messages"] == 20);
    CHECK(s["max_storage"] == 256 * 1024 * 1024);
    if (s["is_meta_leader"] == true) {
      ++leaders;
      CHECK(s["meta_replicas"].size() == 2);
      for (const auto& r : s["meta_replicas"]) CHECK(r["offline"] == false);
    }
  }
  CHECK(leaders == 1);

  auto list = run("nats.stream_list", &config);
  REQUIRE(list.status == StepStatus::Ok);
  INFO(list.facts.dump());
  CHECK(list.facts["reachable"] == true);
  REQUIRE(list.facts["streams"].size() == 1);
  const auto& st = list.facts["streams"][0];
  CHECK(st["name"] == "CIM-EVENTS");
  CHECK(st["subjects"] == nlohmann::json::array({"cim.events.>"}));
  CHECK(st["messages"] == 20);
  CHECK(st["num_replicas"] == 3);
  CHECK(st["discard"] == "old");
  CHECK(st["max_bytes"] == -1);
  CHECK_FALSE(st["leader"].get<std::string>().empty());
  CHECK(st["replicas"].size() == 2);
  CHECK(list.summary == "1 streams");

  auto info = run("nats.stream_info", &config, {{"stream", "CIM-EVENTS"}});
  REQUIRE(info.status == StepStatus::Ok);
  INFO(info.facts.dump());
  CHECK(info.facts["found"] == true);
  CHECK(info.facts["config"]["storage"] == "file");
  CHECK(info.facts["config"]["retention"] == "limits");
  CHECK(info.facts["state"]["messages"] == 20);
  CHECK(info.facts["state"]["first_seq"] == 1);
  CHECK(info.facts["state"]["last_seq"] == 20);
  CHECK(info.facts["state"]["consumer_count"] == 1);
  CHECK_FALSE(info.facts["state"]["last_ts"].get<std::string>().empty());
  CHECK(info.facts["replication"]["cluster"] == "rr-test");
  for (const auto& r : info.facts["replication"]["replicas"]) CHECK(r["current"] == true);
  CHECK(info.summary.rfind("CIM-EVENTS: 20 messages", 0) == 0);

  auto consumer = run("nats.consumer_info", &config, {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}});
  REQUIRE(consumer.status == StepStatus::Ok);
  INFO(consumer.facts.dump());
  CHECK(consumer.facts["found"] == true);
  CHECK(consumer.facts["num_pending"] == 20);
  CHECK(consumer.facts["num_ack_pending"] == 0);
  CHECK(consumer.facts["delivered"]["stream_seq"] == 0);
  CHECK(consumer.facts["config"]["durable_name"] == "CIM-PROCESSOR");
  CHECK(consumer.facts["config"]["ack_policy"] == "explicit");
  CHECK(consumer.facts["config"]["deliver_policy"] == "all");
  CHECK(consumer.facts["config"]["replay_policy"] == "instant");

  SECTION("a stream or consumer that does not exist is a fact") {
    auto missing = run("nats.stream_info", &config, {{"stream", "NOPE"}});
    REQUIRE(missing.status == StepStatus::Ok);
    CHECK(missing.facts["found"] == false);
    CHECK(missing.facts["js_error_code"] == 10059);
    CHECK(missing.facts["error"] == "stream not found");
    CHECK(missing.summary == "NOPE: stream not found (10059)");

    auto no_consumer = run("nats.consumer_info", &config, {{"stream", "CIM-EVENTS"}, {"consumer", "NOPE"}});
    CHECK(no_consumer.facts["found"] == false);
    CHECK(no_consumer.facts["js_error_code"] == 10014);
  }

  SECTION("again: a second read later, the first kept under earlier; none when the deadline has no room") {
    auto twice = run("nats.consumer_info", &config,
                     {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}, {"again", "200ms"}});
    REQUIRE(twice.status == StepStatus::Ok);
    INFO(twice.facts.dump());
    CHECK(twice.facts["num_pending"] == 20);
    CHECK(twice.facts["earlier"]["num_pending"] == 20);
    CHECK(twice.facts["earlier"]["ack_floor_stream_seq"] == 0);
    CHECK(twice.facts["earlier"]["interval_ms"] == 200);
    CHECK_FALSE(twice.facts.contains("again_skipped"));

    auto no_room = run("nats.consumer_info", &config,
                       {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}, {"again", "10s"}}, 2s);
    REQUIRE(no_room.status == StepStatus::Ok);
    CHECK_FALSE(no_room.facts.contains("earlier"));
    CHECK(no_room.facts["num_pending"] == 20);
    CHECK(no_room.facts["again_skipped"] == "the step's deadline leaves no room for a second read 10s later");
  }

  SECTION("wrong credentials are a connection fact, with the server's words") {
    ClusterConfig wrong = config;
    wrong.password = "not-the-password";
    auto r = run("nats.stream_info", &wrong, {{"stream", "CIM-EVENTS"}});
    REQUIRE(r.status == StepStatus::Ok);
    CHECK(r.facts["reachable"] == false);
    CHECK(r.summary == "no server answered");
    REQUIRE(r.facts["connect_errors"].size() == 3);
    CHECK(r.facts["connect_errors"][0]["error"].get<std::string>().find("Authorization") != std::string::npos);
  }

  SECTION("no cluster configured") {
    for (const char* kind : {"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_list"}) {
      auto r = run(kind, nullptr);
      CHECK(r.status == StepStatus::Skipped);
      CHECK(r.summary == "no cluster configured for this alert");
    }
  }
}

TEST_CASE("nats steps with one node stopped, then all") {
  test::NatsCluster cluster;
  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.publish("cim.events.test", 10);
  ClusterConfig config = test::nats_cluster_config(cluster, "cim");

  cluster.stop(2);
  REQUIRE_FALSE(cluster.wait_for_meta_leader().empty());

  // The stream leader marks the stopped peer offline once it has noticed.
  StepResult info;
  bool offline_seen = test::wait_until(
      [&] {
        info = run("nats.stream_info", &config, {{"stream", "CIM-EVENTS"}});
        for (const auto& r : info.facts.value("replication", nlohmann::json::object()).value("replicas", nlohmann::json::array())) {
          if (r.value("name", "") == "nats-node-3" && r.value("offline", false)) return true;
        }
        return false;
      },
      30s);
  INFO(info.facts.dump());
  REQUIRE(offline_seen);
  CHECK(info.facts["state"]["messages"] == 10);
  CHECK(info.summary.find("nats-node-3 offline") != std::string::npos);

  auto health = run("nats.health", &config);
  CHECK(health.summary == "2/3 servers healthy; " + cluster.monitor_url(2) + " unreachable");
  CHECK(server_fact(health, 2)["reachable"] == false);
  CHECK_FALSE(server_fact(health, 2)["error"].get<std::string>().empty());
  CHECK(server_fact(health, 0)["healthz"]["code"] == 200);

  auto servers = run("nats.server_list", &config);
  CHECK(server_fact(servers, 2)["reachable"] == false);
  CHECK(server_fact(servers, 0)["routes"] == 1);
  CHECK(server_fact(servers, 1)["routes"] == 1);
  CHECK(servers.facts["answered"] == 2);

  // The meta leader, too, reports the peer offline once it has noticed.
  StepResult js;
  bool leader_sees_offline = test::wait_until(
      [&] {
        js = run("nats.jetstream_report", &config);
        for (int i = 0; i < 2; ++i) {
          for (const auto& r : server_fact(js, i).value("meta_replicas", nlohmann::json::array())) {
            if (r["name"] == "nats-node-3" && r["offline"] == true) return true;
          }
        }
        return false;
      },
      30s);
  INFO(js.facts.dump());
  CHECK(leader_sees_offline);
  CHECK(server_fact(js, 2)["reachable"] == false);

  // Started again on the same ports and store, it rejoins the mesh.
  cluster.start(2);
  StepResult again;
  test::wait_until(
      [&] {
        again = run("nats.server_list", &config);
        return again.facts["answered"] == 3 && server_fact(again, 0)["routes"] == 2 &&
               server_fact(again, 2)["routes"] == 2;
      },
      30s);
  INFO(again.facts.dump());
  CHECK(server_fact(again, 2)["server_name"] == "nats-node-3");
  CHECK(server_fact(again, 2)["routes"] == 2);

  // All stopped: every step returns within its deadline, nothing reachable.
  for (int i = 0; i < 3; ++i) cluster.stop(i);
  std::vector<StepResult> results;
  for (const char* kind : {"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_list",
                           "nats.stream_info", "nats.consumer_info"}) {
    auto started = std::chrono::steady_clock::now();
    auto r = run(kind, &config, {{"stream", "CIM-EVENTS"}, {"consumer", "C"}}, 2s);
    auto elapsed = std::chrono::steady_clock::now() - started;
    INFO(kind << ": " << r.summary);
    CHECK(elapsed < 10s);  // the 2 s deadline with room for a loaded machine
    CHECK(r.status == StepStatus::Ok);
    CHECK(r.facts["reachable"] == false);
    results.push_back(r);
  }
  CHECK(results[4].summary == "no server answered");
  CHECK(results[4].facts["connect_errors"].size() == 3);
  CHECK(results[0].summary.rfind("0/3 servers healthy", 0) == 0);
}

TEST_CASE("nats steps against a server that accepts but never answers keep their deadline") {
  SilentListener silent;
  ClusterConfig config;
  config.name = "silent";
  config.monitor = {"http://127.0.0.1:" + std::to_string(silent.port())};
  config.servers = {"nats://127.0.0.1:" + std::to_string(silent.port())};
  for (const char* kind : {"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_info"}) {
    auto started = std::chrono::steady_clock::now();
    auto r = run(kind, &config, {{"stream", "CIM-EVENTS"}}, 1500ms);
    auto elapsed = std::chrono::steady_clock::now() - started;
    INFO(kind << ": " << r.summary << " " << r.facts.dump());
    CHECK(elapsed < 10s);  // the listener never answers: only the 1.5 s deadline ends it
    CHECK(r.status == StepStatus::Ok);
    CHECK(r.facts["reachable"] == false);
  }
}

}  // namespace rr::nats
