#pragma once
// nats.stream_info: one stream through the JetStream API ($JS.API.STREAM.INFO),
// answered by the stream leader, so its replica states are accurate.
// Params: stream (Name, required).
//
// Facts: the connection facts of js_step.h, plus
//   {"stream": "CIM-EVENTS", "found": true,
//    "config": {...},       // js_facts.h stream_config_facts
//    "state": {...},        // js_facts.h stream_state_facts
//    "replication": {"cluster": "c1", "leader": "n1",
//                    "replicas": [{"name", "current", "offline", "active_ns", "lag"}]}}
// On an API error: "found": false only for 10059 (stream not found), and
// "error" / "js_error_code" / "status" say what the server or client said
// (10008: JetStream temporarily unavailable, no meta leader).

#include "steps/nats/pooled_step.h"

namespace rr::nats {

class StreamInfoStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.stream_info";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override {
    return {{"stream", {ValueType::Name, true}}};
  }
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::nats
