#pragma once
// nats.sys_jetstream_report: `$SYS.REQ.SERVER.PING.JSZ` with body
// {"accounts":true,"streams":true} (and `.VARZ`, to
// tell which configured server answered) as the system account, like
// `nats server report jetstream`: every server that answers, configured or
// not. No parameters. Needs a system identity: Skipped without.
//
// Facts: the shape of nats.jetstream_report (jetstream_report.h), so the
// same judges read them, plus "configured" per server and "system" as in
// sys_server_list.h:
//   {"cluster": "cim", "total": 3, "answered": 3, "reachable": true,
//    "meta_leader": "n2",
//    "servers": [{"index": 0, "monitor", "client", "configured": true,
//                 "reachable": true, "error": "",
//                 "server_id": "NA56...", "server_name": "n1", "jetstream": true,
//                 "streams", "consumers", "messages", "bytes", "memory",
//                 "storage", "reserved_storage", "max_storage", "max_memory",
//                 "api_total", "api_errors",
//                 "meta_leader": "n2", "meta_cluster_size": 3, "is_meta_leader": false,
//                 "meta_replicas": [...],         // the leader's reply only
//                 "stream_detail": [...], "stream_detail_error": ""}],  // as there
//    "system": {...}}
// A server that answered VARZ but not JSZ has reachable true and error
// "no reply to $SYS.REQ.SERVER.PING.JSZ". Failures as in sys_server_list.h.

#include "steps/nats/pooled_step.h"

namespace rr::nats {

class SysJetStreamReportStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.sys_jetstream_report";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::nats
