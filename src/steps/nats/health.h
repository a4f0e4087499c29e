#pragma once
// nats.health: GET /healthz and /healthz?js-enabled-only=true on every
// monitor, in parallel. No parameters.
//
// Facts:
//   {"cluster": "cim", "total": 3, "answered": 2, "healthy": 2,
//    "reachable": true,                      // some server answered
//    "servers": [{"index": 0, "monitor": "http://127.0.0.1:8222",
//                 "client": "nats://127.0.0.1:4222",
//                 "reachable": true, "error": "",   // transport error
//                 "healthy": true,                  // both endpoints 200 with a NATS body
//                 "healthz":    {"code": 200, "status": "ok", "error": "", "invalid": false},
//                 "healthz_js": {"code": 200, "status": "ok", "error": "", "invalid": false}}]}
// "error" inside an endpoint is the server's own text (e.g. "JetStream has
// not established contact with a meta leader") or why the reply could not be
// read ("invalid JSON from server", "reply larger than ..."); "invalid" is
// true only for the latter: a reply no NATS server sends.
// Note: one dead node of three leaves the others at 200; use server_list.

#include "steps/nats/monitor.h"
#include "steps/step.h"

namespace rr::nats {

class HealthStep : public StepKind {
 public:
  static constexpr std::string_view kName = "nats.health";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

// The pure parts, exposed for tests.
nlohmann::json health_server_facts(const ServerRef& ref, const MonitorReply& healthz, const MonitorReply& healthz_js);
nlohmann::json health_facts(const ClusterConfig& cluster, const std::vector<nlohmann::json>& servers);
std::string health_summary(const nlohmann::json& facts);
std::string health_output(const nlohmann::json& facts);

}  // namespace rr::nats
