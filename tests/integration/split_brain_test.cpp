// Split brain on a real cluster: three nats-server nodes, each in a network
// namespace of the test's own making, one of them cut off from the other two
// while all stay reachable from here. The CLI's triage of an
// AbnormalEventPattern alert must name the minority and the majority.
// Needs root and `ip netns`; elsewhere CTest reports it skipped, with the reason.

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "integration/payloads.h"
#include "net/http.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/netns.h"
#include "support/skip.h"
#include "support/wait.h"
#include "support/process.h"

using namespace rr::test;
using namespace std::chrono_literals;

namespace {

constexpr int kClient = 4222, kCluster = 6222, kMonitor = 8222;

std::string node_config(const TestNetwork& net, int i, const std::string& store) {
  std::vector<std::string> routes;
  for (int p = 0; p < net.size(); ++p) {
    if (p != i) routes.push_back(net.address(p) + ":" + std::to_string(kCluster));
  }
  return nats_node_config({.name = "nats-node-" + std::to_string(i + 1),
                           .host = net.address(i),
                           .client_port = kClient,
                           .http_port = kMonitor,
                           .cluster_port = kCluster,
                           .store = store,
                           .cluster_name = "rr-split",
                           .routes = routes});
}

std::string client_url(const TestNetwork& net, int i) {
  return "nats://" + net.address(i) + ":" + std::to_string(kClient);
}
std::string monitor_url(const TestNetwork& net, int i) {
  return "http://" + net.address(i) + ":" + std::to_string(kMonitor);
}

// The meta leader server i names in /jsz; "" for none or no answer.
std::string meta_leader(const TestNetwork& net, int i) {
  rr::HttpRequest req;
  req.url = monitor_url(net, i) + "/jsz";
  auto resp = rr::http_request(req, rr::Deadline::after(1s));
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  if (resp.status != 200 || !body.is_object() || !body.contains("meta_cluster")) return "";
  return body["meta_cluster"].value("leader", "");
}

std::string findings_text(const nlohmann::json& report) {
  std::string out;
  for (const auto& f : report["findings"]) out += f.value("code", "") + ": " + f.value("title", "") + "\n";
  return out;
}

}  // namespace

TEST_CASE("split brain in network namespaces: the report names minority and majority") {
  const std::string why = netns_unavailable();
  RR_REQUIRE_OR_SKIP(why.empty(), "the split brain test needs network namespaces: " + why);
  TestNetwork net(3);
  TempDir dir;
  std::vector<Process> servers;
  for (int i = 0; i < 3; ++i) {
    auto conf = dir / ("node" + std::to_string(i) + ".conf");
    write_file(conf, node_config(net, i, (dir / ("store" + std::to_string(i))).string()));
    servers.emplace_back(net.in(i, {"nats-server", "-c", conf.string()}), dir / ("node" + std::to_string(i) + ".log"));
  }
  auto logs = [&] {
    std::string out;
    for (int i = 0; i < 3; ++i) out += read_file(dir / ("node" + std::to_string(i) + ".log")).substr(0, 20000);
    return out;
  };
  INFO("before the cut");
  REQUIRE(wait_until(
      [&] {
        std::string l0 = meta_leader(net, 0);
        return !l0.empty() && meta_leader(net, 1) == l0 && meta_leader(net, 2) == l0;
      },
      30s));

  const JetStreamTarget all{{client_url(net, 0), client_url(net, 1), client_url(net, 2)}, "app", "app"};
  create_stream(all, "CIM-EVENTS", "cim.events.>", 3);
  publish(all, "cim.events.test", 20);

  // nats-node-3 loses the other two; they keep each other.
  net.cut(2, 0);
  net.cut(2, 1);
  const JetStreamTarget majority{{client_url(net, 0), client_url(net, 1)}, "app", "app"};
  // The stream may need a new leader first: retry, bounded.
  bool published = wait_until(
      [&] {
        try {
          publish(majority, "cim.events.test", 30);
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      30s);
  INFO(logs());
  REQUIRE(published);
  // Node 3 loses the leader after its election timeout; the other two keep
  // (or elect) one between them.
  REQUIRE(wait_until(
      [&] {
        std::string l0 = meta_leader(net, 0);
        return !l0.empty() && l0 != "nats-node-3" && meta_leader(net, 1) == l0 && meta_leader(net, 2) != l0;
      },
      30s));

  write_file(dir / "password", "app");
  std::string config = "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\nclusters:\n  - name: cim\n    servers: [";
  for (int i = 0; i < 3; ++i) config += std::string(i ? ", " : "") + "\"" + client_url(net, i) + "\"";
  config += "]\n    monitor: [";
  for (int i = 0; i < 3; ++i) config += std::string(i ? ", " : "") + "\"" + monitor_url(net, i) + "\"";
  config += "]\n    user: app\n    password_file: " + (dir / "password").string() +
            "\nengine: {step_timeout: 5s, deadline: 20s}\n";
  write_file(dir / "config.yaml", config);
  write_file(dir / "payload.json",
             alert_payload("{}:{alertname=\"AbnormalEventPattern\"}", {{"alertname", "AbnormalEventPattern"}}).dump());

  // The leader may take a few more seconds to stop hearing node 3.
  nlohmann::json report;
  std::string output;
  bool named = wait_until(
      [&] {
        auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                      (dir / "config.yaml").string(), "--format", "json"},
                     40s);
        output = r.output;
        report = nlohmann::json::parse(r.output, nullptr, false);
        if (!report.is_object()) return false;
        for (const auto& f : report["findings"]) {
          if (f.value("code", "") == "nats.split_brain_minority") return true;
        }
        return false;
      },
      45s);
  INFO(output);
  REQUIRE(named);
  INFO(findings_text(report));
  CHECK(report["rule"] == "abnormal-event-pattern");

  const nlohmann::json* split = nullptr;
  for (const auto& f : report["findings"]) {
    if (f["code"] == "nats.split_brain") split = &f;
  }
  REQUIRE(split != nullptr);
  CHECK((*split)["severity"] == "critical");
  CHECK((*split)["title"] == "NATS split brain: nats-node-3 cut off from the majority nats-node-1, nats-node-2");
  const std::string detail = (*split)["detail"];
  // Cut off, node 3 names no leader, or itself while it was the leader and
  // has not stepped down yet: either way its own side.
  CHECK(std::regex_search(detail, std::regex("minority nats-node-3 \\(meta leader (none|nats-node-3)\\)")));
  // Each side's copy of the stream: at least 50 messages on the majority
  // (a retried publish may add some), at most the first 20 on node 3.
  std::smatch m;
  REQUIRE(std::regex_search(detail, m, std::regex("majority nats-node-1, nats-node-2: CIM-EVENTS ([0-9]+)")));
  CHECK(std::stoll(m[1]) >= 50);
  REQUIRE(std::regex_search(detail, m, std::regex("minority nats-node-3: CIM-EVENTS ([0-9]+)")));
  CHECK(std::stoll(m[1]) <= 20);
  CHECK(std::stoll(m[1]) > 0);
  CHECK(report["verdict"].get<std::string>().find("split brain") != std::string::npos);

  // The runbook's steps for the one node of the minority, and none for the others.
  std::vector<std::string> commands;
  for (const auto& s : report["suggestions"]) commands.push_back(s["command"]);
  auto suggested = [&](const std::string& c) { return std::find(commands.begin(), commands.end(), c) != commands.end(); };
  const std::string cut = net.address(2);
  CHECK(suggested("ssh root@" + cut + " systemctl stop nats"));
  CHECK(suggested("ssh root@" + cut + " rm -rf /var/lib/nats/jetstream/*"));
  CHECK(suggested("ssh root@" + cut + " systemctl start nats"));
  CHECK(suggested("ssh root@" + cut + " journalctl -f -u nats"));
  CHECK_FALSE(suggested("ssh root@" + net.address(0) + " systemctl stop nats"));
  CHECK_FALSE(suggested("ssh root@" + net.address(1) + " systemctl stop nats"));
}
