#pragma once
// nats.consumer_list: the consumers of one stream with their key numbers,
// like `nats consumer ls STREAM`, through the JetStream API
// ($JS.API.CONSUMER.LIST; see consumer_report.h for every field).
// Params: stream (Name, required).
//
// Facts: the connection facts of js_step.h, plus
//   {"stream": "CIM-EVENTS", "found": true,   // false for 10059
//    "consumers": [{"consumer": "CIM-PROCESSOR", "num_pending": 70,
//                   "num_ack_pending": 10, "num_redelivered": 0,
//                   "num_waiting": 0, "last_active": "2026-...Z",  // "" never
//                   "leader": "n1"}]}   // by name; leader "" when none
// On an API error "consumers" is absent and "error" / "js_error_code" are set.

#include "steps/nats/pooled_step.h"

namespace rr::nats {

class ConsumerListStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.consumer_list";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override {
    return {{"stream", {ValueType::Name, true}}};
  }
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::nats
