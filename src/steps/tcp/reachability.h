#pragma once
// nats.reachability: a TCP connect, with timing, to each server's client
// port (ClusterConfig::servers), monitoring port (monitor) and cluster port
// (from /varz cluster.cluster_port, so only when the monitor answers), like
// the runbook's `ping` step but per port. No parameters. All servers and
// ports at once; every connect is bounded by the step's deadline.
//
// Facts:
//   {"cluster": "cim", "total": 3,
//    "reachable": true,          // some port accepted a connection
//    "checked": 9, "unreachable": 3,
//    "servers": [{"index": 0, "monitor": "http://...", "client": "nats://...",
//                 "server_name": "n1",      // from /varz, when it answered
//                 "ports": [{"kind": "client", "host": "127.0.0.1", "port": 4222,
//                            "reachable": true, "ms": 0.21, "error": ""},
//                           {"kind": "monitor", ...},
//                           {"kind": "cluster", "host", "port", ...}]}]}
// kind is "client", "monitor" or "cluster". A port that could not be
// checked has "skipped" with the reason instead of reachable/ms/error, e.g.
// the cluster port when /varz did not answer. error is "connection
// refused", "timed out", "name not resolved: ...", or the system's text.

#include "steps/step.h"

namespace rr::tcp {

class ReachabilityStep : public StepKind {
 public:
  static constexpr std::string_view kName = "nats.reachability";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

// The pure parts, exposed for tests.
std::string reachability_summary(const nlohmann::json& facts);
std::string reachability_output(const nlohmann::json& facts);

}  // namespace rr::tcp
