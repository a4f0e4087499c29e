#pragma once
// nats.leafnodes: GET /leafz on every monitor, in parallel: the leaf node
// connections each server holds.
//   expect  (integer, optional)  the leaf node connections the cluster should
//           hold; copied into the facts as "expected" for the judge
//           (judge/nats_leafnodes_judge.h). Without it, the cluster's
//           configured `leafnodes` count; without either, nothing is
//           expected: a hub cannot tell which leaf nodes exist.
//
// Facts:
//   {"cluster": "cim", "total": 3, "answered": 3, "reachable": true,
//    "leafnodes": 1,                         // sum over answering servers
//    "expected": 3,                          // from `expect` or the cluster's `leafnodes`
//    "servers": [{"index": 0, "monitor": "...", "client": "...",
//                 "reachable": true, "error": "",
//                 "server_id": "NA56...", "leafnodes": 1,
//                 "leafs": [{"name": "leaf-1", "account": "APP", "ip": "127.0.0.1",
//                            "port": 53412, "rtt": "1.2ms", "in_msgs": 0,
//                            "out_msgs": 0, "in_bytes": 0, "out_bytes": 0,
//                            "subscriptions": 3}]}]}
// "name" is sent by newer servers only (2.9.10 leaves it out).
// "leafs" is empty (never null) for a server that answered with none; a
// leaf's fields the server did not send are absent. At most 1000 leafs per
// server are listed ("leafs_truncated": true then).

#include "steps/nats/monitor.h"
#include "steps/step.h"

namespace rr::nats {

class LeafnodesStep : public StepKind {
 public:
  static constexpr std::string_view kName = "nats.leafnodes";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override {
    return {{"expect", {ValueType::Integer, false}}};
  }
  StepResult run(const StepInput& input) const override;
};

// The pure parts, exposed for tests.
nlohmann::json leafnodes_server_facts(const ServerRef& ref, const MonitorReply& leafz);
nlohmann::json leafnodes_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers);
std::string leafnodes_summary(const nlohmann::json& facts);
std::string leafnodes_output(const nlohmann::json& facts);

}  // namespace rr::nats
