#pragma once
// nats.jetstream_report: GET /jsz (and /varz, for the server's name, and
// /jsz?accounts=true&streams=true, for the streams it holds) on every
// monitor, in parallel, like `nats server report jetstream`. No parameters.
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
//                                    "offline": true, "active_ns": 10702804585, "lag": 13}],
//                 // this server's own copy of each stream (at most kMaxReportStreams;
//                 // absent when the detail read failed, see stream_detail_error):
//                 "stream_detail": [{"name": "CIM-EVENTS", "account": "APP", "messages": 100,
//                                    "last_seq": 100, "leader": "n3"}],
//                 "stream_detail_error": ""}]}

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

// The per-stream list above is cut here: a split brain is judged from the
// sequences of a few streams, not from thousands.
inline constexpr std::size_t kMaxReportStreams = 100;

// The pure parts, exposed for tests.
nlohmann::json jetstream_server_facts(const ServerRef& ref, const MonitorReply& jsz, const MonitorReply& varz);
// Adds "stream_detail" (or "stream_detail_error") from a /jsz?accounts=true&streams=true
// reply to a server's facts.
void add_jetstream_stream_facts(nlohmann::json& server_facts, const MonitorReply& detail);
nlohmann::json jetstream_report_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers);
std::string jetstream_report_summary(const nlohmann::json& facts);
std::string jetstream_report_output(const nlohmann::json& facts);

}  // namespace rr::nats
