#pragma once
// A real JetStream cluster for tests: N nats-server processes on free
// loopback ports, in a temporary directory, torn down by RAII. Each node's
// config follows the reference cluster-node-n1.conf: accounts SYS (users
// sys, sysmon) and APP (users app, jsro; JetStream enabled), system_account
// SYS. A single node runs standalone (no cluster block), like a Docker
// Compose NATS. Throws std::runtime_error when the cluster does not come up.

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "support/jetstream_seed.h"
#include "support/process.h"

namespace rr::test {

// One node's configuration file, modelled on the reference
// cluster-node-n1.conf: JetStream, a cluster with `routes` ("host:port"),
// accounts SYS (sys, sysmon) and APP (app, jsro; JetStream).
struct NatsNodeSpec {
  std::string name;
  std::string host = "127.0.0.1";  // client, monitor and cluster listen here
  int client_port = 0, http_port = 0, cluster_port = 0;
  std::string store;
  std::string cluster_name = "rr-test";
  std::vector<std::string> routes;
};
std::string nats_node_config(const NatsNodeSpec& node);

class NatsCluster {
 public:
  // Starts `size` nodes named names[i] (default nats-node-1..N) and waits
  // until they agree on a meta leader (a single node: until it is healthy).
  explicit NatsCluster(int size = 3, std::vector<std::string> names = {});
  ~NatsCluster() = default;  // members stop the servers, then remove the directory
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  const std::string& name(int i) const { return nodes_.at(i).name; }
  std::string client_url(int i) const;   // nats://127.0.0.1:port
  std::string monitor_url(int i) const;  // http://127.0.0.1:port
  bool running(int i);
  std::filesystem::path log_file(int i) const;   // the server's log (appended across restarts)
  std::filesystem::path config_file(int i) const;  // its nats-server config
  std::filesystem::path store_dir(int i) const;  // its JetStream store_dir

  // SIGTERM (a clean shutdown: the others see the node go offline).
  void stop(int i);
  // Starts node i again on the same ports and store, and waits until the
  // running nodes agree on a meta leader (not until it has caught up: its
  // /healthz says "not current" for a while); a single node, until healthy.
  void start(int i);

  // Polls /jsz on the running nodes until all name the same meta leader;
  // returns it, or "" when `timeout` passes first.
  std::string wait_for_meta_leader(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Polls /healthz on the running nodes until all answer 200 (a new stream
  // or consumer is briefly "not current"); false when `timeout` passes first.
  bool wait_until_healthy(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Through libnats as user app: a file stream (default CIM-EVENTS on
  // cim.events.>, replicas 3); `count` messages on `subject`; a durable pull
  // consumer with explicit ack. Each returns once every node is healthy.
  void create_stream(const std::string& stream = "CIM-EVENTS", const std::string& subjects = "cim.events.>",
                     int replicas = 3);
  void publish(const std::string& subject, int count);
  void create_pull_consumer(const std::string& stream, const std::string& durable);

 private:
  struct Node {
    std::string name;
    int client_port = 0, cluster_port = 0, http_port = 0;
    std::filesystem::path config, log;
    Process process;
  };
  void spawn(int i);
  bool ready();  // waits for a meta leader, or a single node's health
  JetStreamTarget app_target();  // the running nodes, as user app
  std::vector<std::string> running_client_urls();

  TempDir dir_;               // destroyed last
  std::string cluster_name_ = "rr-test";
  std::vector<Node> nodes_;  // destroyed first: servers stop before their store goes
};

// A ClusterConfig for `cluster`: every server and monitor, application user
// jsro/jsro, system user sysmon/sysmon.
ClusterConfig nats_cluster_config(const NatsCluster& cluster, const std::string& name = "test");

}  // namespace rr::test
