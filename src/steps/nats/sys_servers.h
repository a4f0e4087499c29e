#pragma once
// Which configured server each $SYS reply came from. A PING is answered by
// every server of the cluster, configured or not; the judges key servers by
// their configuration index, so each reply is placed on a configured server
// when that is certain, and otherwise listed as discovered.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/host_port.h"
#include "config/config.h"
#include "steps/nats/sys_request.h"

namespace rr::nats {

// One server of a gather, in the order: configured servers by index, then
// discovered ones by name.
struct SysServer {
  // {"index": 0, "monitor": "http://...", "client": "nats://...",
  //  "configured": true, "reachable": true, "error": "",
  //  "server_name": "n1", "server_id": "NA56..."}
  // Discovered servers get the indexes after the configured ones, with
  // monitor and client "". A configured server that cannot be told apart
  // from a discovered one has no "index" (judges skip it) and says why.
  nlohmann::json facts;
  const SysReply* reply = nullptr;  // its VARZ reply; null when it did not answer
};

struct SysPlacement {
  std::vector<SysServer> servers;
  std::vector<std::string> other_clusters;  // "name (cluster)" of replies from other clusters
};

// Places VARZ replies (their data's host, port and http_port) on
// cluster.servers / cluster.monitor: the server connected to (by id) first,
// then an exact host and port match (or the server named like the host),
// then a port match that is unique both ways. Replies from a cluster other
// than the connected server's (gateways) are left out. A configured server
// without a reply is unreachable, with `error` saying so.
SysPlacement place_sys_replies(const ClusterConfig& cluster, const std::string& connected_url,
                               const std::string& connected_id, const SysGather& varz);

// "nats://user:pw@host:4222" -> host and port (4222 when absent); nullopt
// when unparsable.
std::optional<HostPort> client_url_address(const std::string& url);

// The reply in `gather` from server `id`, or null.
const SysReply* reply_of(const SysGather& gather, const std::string& id);

// Routes a full mesh needs on each server: one less than the servers known
// from configuration, answers, route peers and meta groups (meta_cluster_size,
// meta_replicas) in `servers` facts; 0 when nothing is known.
int sys_expected_routes(const ClusterConfig& cluster, const nlohmann::json& servers);

// {"cluster", "total", "answered", "reachable", "servers"} and, from the
// connection, "system": {"connected_url", "connected_server_id",
// "connect_errors", "subject", "replies", "invalid_replies", "elapsed_ms",
// "other_clusters"}.
nlohmann::json sys_envelope(const ClusterConfig& cluster, const SysConnection& conn, const SysGather& gather,
                            const SysPlacement& placement, nlohmann::json servers);

}  // namespace rr::nats
