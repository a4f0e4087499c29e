#pragma once
// nats.sys_server_list: `$SYS.REQ.SERVER.PING.VARZ` and `.STATSZ` as the
// system account, like `nats server list`: every server of the cluster that
// answers, including servers the configuration does not name. No parameters.
// Needs system_user/system_password (or system_creds_file): Skipped without.
//
// Facts: the shape of nats.server_list (server_list.h), so the same judges
// read them, plus:
//   {"cluster": "cim", "total": 3, "answered": 2, "reachable": true,
//    "expected_routes": 2,   // servers known (configured, answering, route
//                            // peers, meta group size and peers) - 1
//    "servers": [{"index": 0, "monitor": "...", "client": "...",
//                 "configured": true,       // false: discovered (index after
//                                           // the configured ones, no URLs)
//                 "reachable": true, "error": "",
//                 "server_name": "n1", "server_id": "NA56...", "version": "2.9.10",
//                 "uptime": "1m49s", "connections": 0, "slow_consumers": 0,
//                 "mem": 24125440, "cpu": 1.0, "cluster_name": "c1",
//                 "routes": 2, "route_peers": ["n2", "n3"],   // STATSZ names
//                 "leafnodes": 0, "active_servers": 3,        // STATSZ
//                 "jetstream": true, "meta_leader": "n2", "meta_cluster_size": 3,
//                 "meta_replicas": [...]}],                   // leader only
//    "system": {"connected_url", "connected_server_id", "connect_errors",
//               "subject", "replies", "invalid_replies", "elapsed_ms",
//               "problem", "error", "other_clusters": ["x1 (c2)"]}}
// A configured server that did not answer: reachable false, error "no reply
// to $SYS.REQ.SERVER.PING.VARZ (2 servers answered)". When no server
// accepts the connection, every configured server is unreachable with its
// connect error (status Ok). Status Failed: the system identity was refused
// ("system account login failed: ..."), no responders (the user is not in
// the system account) or not permitted; Timeout: nobody replied in time.
// Then facts are {"cluster", "reachable": false, "system": {... "problem":
// "auth_failed" | "no_responders" | "not_permitted" | "no_reply", "error"}}.

#include "steps/nats/sys_request.h"
#include "steps/nats/sys_servers.h"
#include "steps/nats/pooled_step.h"

namespace rr::nats {

class SysServerListStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.sys_server_list";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

// The pure part, exposed for tests: one server's facts from its placement,
// VARZ data and STATSZ reply (null when it sent none).
nlohmann::json sys_server_facts(const SysServer& server, const SysReply* statsz);

}  // namespace rr::nats
