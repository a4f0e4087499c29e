// Cluster conditions as an operator meets them, through the CLI's triage of
// an EventStreamDisconnected alert against a real 3-node cluster: a node
// stopped and restarted, a stream replica offline, every node down.

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/nats_cluster.h"
#include "support/process.h"

using namespace rr::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A config naming `cluster` (as cim), its password in a file, and the
// payload of an EventStreamDisconnected alert, in `dir`.
void write_inputs(const NatsCluster& cluster, const TempDir& dir) {
  write_file(dir / "password", "jsro");
  std::string servers, monitors;
  for (int i = 0; i < cluster.size(); ++i) {
    servers += std::string(i ? ", " : "") + "\"" + cluster.client_url(i) + "\"";
    monitors += std::string(i ? ", " : "") + "\"" + cluster.monitor_url(i) + "\"";
  }
  write_file(dir / "config.yaml", "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\nclusters:\n  - name: cim\n    servers: [" +
                                      servers + "]\n    monitor: [" + monitors +
                                      "]\n    user: jsro\n    password_file: " + (dir / "password").string() +
                                      "\nengine: {step_timeout: 3s, deadline: 10s}\n");
  write_file(dir / "payload.json", alert_payload("{}:{alertname=\"EventStreamDisconnected\"}",
                                                 {{"alertname", "EventStreamDisconnected"}, {"cluster", "cim"}})
                                       .dump());
}

json triage(const TempDir& dir) {
  auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                (dir / "config.yaml").string(), "--format", "json"},
               30s);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.output);
}

std::vector<json> with_code(const json& report, const std::string& code) {
  std::vector<json> out;
  for (const auto& f : report["findings"]) {
    if (f["code"] == code) out.push_back(f);
  }
  return out;
}

std::string describe(const json& report) {
  std::string out = "verdict: " + report.value("verdict", "") + "\n";
  for (const auto& f : report["findings"]) {
    out += f.value("severity", "") + " " + f.value("code", "") + ": " + f.value("title", "") + "\n";
  }
  for (const auto& s : report["suggestions"]) out += "  $ " + s.value("command", "") + "\n";
  return out;
}

bool suggests(const json& report, const std::string& command) {
  const auto& s = report["suggestions"];
  return std::any_of(s.begin(), s.end(), [&](const json& x) { return x["command"] == command; });
}

// Triages until `done(report)` or `timeout`; returns the last report.
template <class Done>
json triage_until(const TempDir& dir, Done done, std::chrono::seconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  json report = triage(dir);
  while (!done(report) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(500ms);
    report = triage(dir);
  }
  return report;
}

}  // namespace

TEST_CASE("conditions: a node stopped is named down with its replica offline, and clears after a restart") {
  NatsCluster cluster;
  cluster.create_stream("CIM-EVENTS", "cim.events.>", 3);
  cluster.publish("cim.events.test", 10);
  TempDir dir;
  write_inputs(cluster, dir);

  json healthy = triage(dir);
  INFO(describe(healthy));
  CHECK(with_code(healthy, "nats.server_down").empty());
  CHECK(with_code(healthy, "nats.routes_missing").empty());
  CHECK(with_code(healthy, "nats.meta_leader").size() == 1);

  cluster.stop(1);
  REQUIRE_FALSE(cluster.wait_for_meta_leader().empty());
  // The stream leader marks the replica offline after a moment.
  json down = triage_until(
      dir, [](const json& r) { return !with_code(r, "nats.replica_offline").empty(); }, 20s);
  INFO(describe(down));
  auto server_down = with_code(down, "nats.server_down");
  REQUIRE(server_down.size() == 1);
  CHECK(server_down[0]["title"] == "NATS server nats-node-2 is down");
  CHECK(server_down[0]["severity"] == "critical");
  auto replica = with_code(down, "nats.replica_offline");
  REQUIRE(replica.size() == 1);
  CHECK(replica[0]["title"].get<std::string>().find("nats-node-2") != std::string::npos);
  CHECK(with_code(down, "nats.routes_missing").size() == 2);
  CHECK(with_code(down, "nats.cluster_down").empty());
  CHECK(with_code(down, "nats.split_brain").empty());
  CHECK(down["verdict"].get<std::string>().find("nats-node-2") != std::string::npos);
  CHECK(suggests(down, "ssh root@127.0.0.1 systemctl restart nats"));

  cluster.start(1);
  REQUIRE(cluster.wait_until_healthy(30s));  // caught up: /healthz 200 everywhere
  json back = triage_until(
      dir,
      [](const json& r) {
        return with_code(r, "nats.server_down").empty() && with_code(r, "nats.routes_missing").empty() &&
               with_code(r, "nats.replica_offline").empty() && with_code(r, "nats.peer_lagging").empty();
      },
      20s);
  INFO(describe(back));
  CHECK(with_code(back, "nats.server_down").empty());
  CHECK(with_code(back, "nats.routes_missing").empty());
  CHECK(with_code(back, "nats.replica_offline").empty());
  CHECK(with_code(back, "nats.split_brain").empty());
  CHECK(with_code(back, "nats.meta_leader").size() == 1);
}

TEST_CASE("conditions: every node down is said plainly within the step timeout, with the cluster failure procedure") {
  NatsCluster cluster;
  TempDir dir;
  write_inputs(cluster, dir);
  for (int i = 0; i < cluster.size(); ++i) cluster.stop(i);

  auto started = std::chrono::steady_clock::now();
  json report = triage(dir);
  auto took = std::chrono::steady_clock::now() - started;
  INFO(describe(report));
  // Refused connections answer at once; the bound is the 3 s step timeout
  // plus the process start, far below the 10 s triage deadline.
  CHECK(took < 8s);
  REQUIRE_FALSE(report["findings"].empty());
  CHECK(report["findings"][0]["code"] == "nats.cluster_down");
  CHECK(report["verdict"].get<std::string>().rfind("No server of NATS cluster cim answered", 0) == 0);
  CHECK(with_code(report, "nats.server_down").size() == 3);
  CHECK(with_code(report, "nats.split_brain").empty());
  CHECK(suggests(report, "ping -c 3 127.0.0.1"));
  CHECK(suggests(report, "ssh root@127.0.0.1 systemctl start nats"));
  CHECK(suggests(report, "nats server report jetstream"));
}
