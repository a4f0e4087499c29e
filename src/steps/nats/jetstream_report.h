#pragma once
// nats.jetstream_report: GET /jsz (and /varz, for the server's name) on
// every monitor, in parallel, like `nats server report jetstream`. No
// parameters.
//
// Facts:
//   {"cluster": "cim", "total": 3, "answered": 2, "reachable": true,
//    "meta_leader": "n2",  // as the leader names itself, else as a follower
//                          // names it; "" when no answering server knows one
//    "servers": [{"index": 0, "monitor": "...", "client": "...",
//                 "reachable": true, "error": "",
//                 "server_id": "NA56...", "server_name": "n1", // name from /varz
//                 "jetstream": true,                           // false: /jsz says disabled
//                 "streams": 6, "consumers": 1, "messages": 1158, "bytes": 1194812,
//                 "memory": 0, "storage": 1194812, "reserved_storage": 10525760,
//                 "max_storage": 268435456, "max_memory": 67108864,
//                 "api_total": 6, "api_errors": 0,
//                 "meta_leader": "n2", "meta_cluster_size": 3,
//                 "is_meta_leader": false,
//                 // only on the leader, the only accurate view:
//                 "meta_replicas": [{"name": "n3", "peer": "BXScrY9i", "current": false,
//                                    "offline": true, "active_ns": 10702804585, "lag": 13}]}]}

#include "steps/nats/monitor.h"
#include "steps/step.h"

namespace rr::nats {

class JetStreamReportStep : public StepKind {
 public:
  static constexpr std::string_view kName = "nats.jetstream_report";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

// The pure parts, exposed for tests.
nlohmann::json jetstream_server_facts(const ServerRef& ref, const MonitorReply& jsz, const MonitorReply& varz);
nlohmann::json jetstream_report_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers);
std::string jetstream_report_summary(const nlohmann::json& facts);
std::string jetstream_report_output(const nlohmann::json& facts);

}  // namespace rr::nats
