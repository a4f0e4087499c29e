#pragma once
// nats.stream_list: every stream of the application account through the
// JetStream API ($JS.API.STREAM.LIST, paged by libnats). No parameters.
//
// Facts: the connection facts of js_step.h, plus
//   {"streams": [{"name": "CIM-EVENTS", "subjects": ["cim.events.>"],
//                 "messages": 100, "bytes": 106600, "max_bytes": 10485760,
//                 "max_msgs": -1, "max_age_ns": 0, "discard": "old",
//                 "storage": "file", "num_replicas": 3,
//                 "leader": "n1",                      // "" when none
//                 "replicas": [{"name", "current", "offline", "active_ns", "lag"}]}]}
// On an API error "streams" is absent and "error"/"js_error_code" are set.

#include "steps/nats/pooled_step.h"

namespace rr::nats {

class StreamListStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.stream_list";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::nats
