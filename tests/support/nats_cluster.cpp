#include "support/nats_cluster.h"

#include <memory>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "net/http.h"
#include "support/jetstream_seed.h"

namespace rr::test {
std::string nats_node_config(const NatsNodeSpec& n) {
  std::string routes;
  for (const auto& r : n.routes) routes += "    nats-route://" + r + "\n";
  const std::string at = n.host + ":";
  return "server_name: " + n.name + "\nlisten: " + at + std::to_string(n.client_port) + "\nhttp: " + at +
         std::to_string(n.http_port) + "\n\njetstream {\n  store_dir: \"" + n.store +
         "\"\n  max_memory_store: 64MB\n  max_file_store: 256MB\n}\n\n" +
         (n.routes.empty() ? std::string()
                           : "cluster {\n  name: " + n.cluster_name + "\n  listen: " + at +
                                 std::to_string(n.cluster_port) + "\n  routes: [\n" + routes + "  ]\n}\n") +
         R"(
accounts {
  SYS: {
    users: [
      { user: sys, password: sys }
      { user: sysmon, password: sysmon,
        permissions: {
          publish: { allow: ["$SYS.REQ.SERVER.PING", "$SYS.REQ.SERVER.PING.*", "$SYS.REQ.SERVER.*.*"] }
          subscribe: { allow: ["_INBOX.>"] }
        }
      }
    ]
  }
  APP: {
    jetstream: enabled
    users: [
      { user: app, password: app }
      { user: jsro, password: jsro,
        permissions: {
          publish: { allow: ["$JS.API.INFO", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST",
                             "$JS.API.STREAM.INFO.*", "$JS.API.CONSUMER.NAMES.*",
                             "$JS.API.CONSUMER.LIST.*", "$JS.API.CONSUMER.INFO.*.*"] }
          subscribe: { allow: ["_INBOX.>"] }
        }
      }
    ]
  }
}
system_account: SYS
)";
}

NatsCluster::NatsCluster(int size, std::vector<std::string> names) {
  if (size < 1) throw std::runtime_error("a cluster needs at least one node");
  nodes_.resize(static_cast<std::size_t>(size));
  std::vector<int> cluster_ports;
  for (int i = 0; i < size; ++i) {
    Node& n = nodes_[i];
    n.name = i < static_cast<int>(names.size()) ? names[i] : "nats-node-" + std::to_string(i + 1);
    n.client_port = free_port();
    n.cluster_port = free_port();
    n.http_port = free_port();
    cluster_ports.push_back(n.cluster_port);
  }
  for (int i = 0; i < size; ++i) {
    Node& n = nodes_[i];
    n.config = dir_ / (n.name + ".conf");
    n.log = dir_ / (n.name + ".log");
    std::vector<std::string> routes;
    if (size > 1)  // one node runs standalone, like a Docker Compose NATS
      for (int p : cluster_ports) routes.push_back("127.0.0.1:" + std::to_string(p));
    write_file(n.config, nats_node_config({.name = n.name,
                                           .client_port = n.client_port,
                                           .http_port = n.http_port,
                                           .cluster_port = n.cluster_port,
                                           .store = store_dir(i).string(),
                                           .cluster_name = cluster_name_,
                                           .routes = routes}));
  }
  for (int i = 0; i < size; ++i) spawn(i);
  if (!ready()) throw std::runtime_error("NATS cluster did not become ready; logs in " + dir_.path().string());
}

bool NatsCluster::ready() { return size() > 1 ? !wait_for_meta_leader().empty() : wait_until_healthy(); }

std::filesystem::path NatsCluster::log_file(int i) const { return nodes_.at(i).log; }

std::filesystem::path NatsCluster::config_file(int i) const { return nodes_.at(i).config; }

std::filesystem::path NatsCluster::store_dir(int i) const { return dir_ / (nodes_.at(i).name + "-store"); }

void NatsCluster::spawn(int i) {
  Node& n = nodes_.at(i);
  n.process = Process({"nats-server", "-c", n.config.string()}, n.log);
  if (!wait_for_port(n.http_port, std::chrono::seconds(10))) {
    throw std::runtime_error("nats-server " + n.name + " did not start: " + read_file(n.log));
  }
}

std::string NatsCluster::client_url(int i) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_.at(i).client_port);
}

std::string NatsCluster::monitor_url(int i) const {
  return "http://127.0.0.1:" + std::to_string(nodes_.at(i).http_port);
}

bool NatsCluster::running(int i) { return nodes_.at(i).process.running(); }

void NatsCluster::stop(int i) { nodes_.at(i).process.stop(); }

void NatsCluster::start(int i) {
  if (running(i)) return;
  spawn(i);
  if (!ready()) throw std::runtime_error(name(i) + " restarted, but the cluster did not become ready");
}

std::string NatsCluster::wait_for_meta_leader(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::string agreed;
    bool all = true;
    int asked = 0;
    for (int i = 0; i < size() && all; ++i) {
      if (!running(i)) continue;
      ++asked;
      HttpRequest req;
      req.url = monitor_url(i) + "/jsz";
      auto resp = http_request(req, Deadline::after(std::chrono::seconds(1)));
      auto body = nlohmann::json::parse(resp.body, nullptr, false);
      std::string leader;
      if (resp.status == 200 && body.is_object() && body.contains("meta_cluster") &&
          body["meta_cluster"].is_object()) {
        leader = body["meta_cluster"].value("leader", "");
      }
      if (leader.empty() || (!agreed.empty() && leader != agreed)) all = false;
      agreed = leader;
    }
    // Right after a node stops, the others may still name it: only a leader
    // that is itself running counts.
    bool leader_running = false;
    for (int i = 0; i < size(); ++i) leader_running |= name(i) == agreed && running(i);
    if (all && asked > 0 && leader_running) return agreed;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

bool NatsCluster::wait_until_healthy(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    bool all = true;
    for (int i = 0; i < size() && all; ++i) {
      if (!running(i)) continue;
      HttpRequest req;
      req.url = monitor_url(i) + "/healthz";
      all = http_request(req, Deadline::after(std::chrono::seconds(1))).status == 200;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::vector<std::string> NatsCluster::running_client_urls() {
  std::vector<std::string> urls;
  for (int i = 0; i < size(); ++i) {
    if (running(i)) urls.push_back(client_url(i));
  }
  return urls;
}

JetStreamTarget NatsCluster::app_target() { return JetStreamTarget{running_client_urls(), "app", "app"}; }

void NatsCluster::create_stream(const std::string& stream, const std::string& subjects, int replicas) {
  rr::test::create_stream(app_target(), stream, subjects, replicas);
  if (!wait_until_healthy()) throw std::runtime_error("cluster not healthy after creating a stream");
}

void NatsCluster::publish(const std::string& subject, int count) {
  rr::test::publish(app_target(), subject, count);
  if (!wait_until_healthy()) throw std::runtime_error("cluster not healthy after publishing");
}

void NatsCluster::create_pull_consumer(const std::string& stream, const std::string& durable) {
  rr::test::create_pull_consumer(app_target(), stream, durable);
  if (!wait_until_healthy()) throw std::runtime_error("cluster not healthy after creating a consumer");
}

ClusterConfig nats_cluster_config(const NatsCluster& cluster, const std::string& name) {
  ClusterConfig c;
  c.name = name;
  for (int i = 0; i < cluster.size(); ++i) {
    c.servers.push_back(cluster.client_url(i));
    c.monitor.push_back(cluster.monitor_url(i));
  }
  c.user = "jsro";
  c.password = "jsro";
  c.system_user = "sysmon";
  c.system_password = "sysmon";
  return c;
}

}  // namespace rr::test
