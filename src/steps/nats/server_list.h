#pragma once
// nats.server_list: GET /varz and /routez on every monitor, in parallel, like
// `nats server list` without the system account. No parameters.
//
// Facts:
//   {"cluster": "cim", "total": 3, "answered": 2, "reachable": true,
//    "expected_routes": 2,                  // monitors - 1: a full mesh
//    "servers": [{"index": 0, "monitor": "...", "client": "...",
//                 "reachable": true, "error": "",
//                 "server_name": "n1", "server_id": "NA56...", "version": "2.9.10",
//                 "uptime": "1m49s", "connections": 0, "slow_consumers": 0,
//                 "mem": 24125440, "cpu": 1.0, "cluster_name": "c1",
//                 "routes": 1,                      // /routez num_routes, else /varz
//                 "route_peers": ["n2"],            // remote names (ids when unknown)
//                 "routez_error": "",
//                 "jetstream": true, "meta_leader": "n2", "meta_cluster_size": 3,
//                 // only on the meta leader (see jetstream_report.h):
//                 "meta_replicas": [{"name", "peer", "current", "offline", "active_ns", "lag"}]}]}
// Fields a server did not send are absent; "error" is "" when it answered.

#include "steps/nats/monitor.h"
#include "steps/step.h"

namespace rr::nats {

class ServerListStep : public StepKind {
 public:
  static constexpr std::string_view kName = "nats.server_list";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

// The pure parts, exposed for tests. server_list_facts also names each
// server's route peers from the other servers' ids.
nlohmann::json server_list_server_facts(const ServerRef& ref, const MonitorReply& varz, const MonitorReply& routez);
nlohmann::json server_list_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers);
std::string server_list_summary(const nlohmann::json& facts);
std::string server_list_output(const nlohmann::json& facts);

}  // namespace rr::nats
