#pragma once
// nats.consumer_info: one consumer through the JetStream API
// ($JS.API.CONSUMER.INFO), answered by the consumer leader.
// Params: stream and consumer (Name, required); again (Duration, optional):
// read the consumer a second time that long after the first (within the
// step's deadline, which must leave half a second more), to see whether its
// pending shrinks.
//
// Facts: the connection facts of js_step.h, plus
//   {"stream": "CIM-EVENTS", "consumer": "CIM-PROCESSOR",
//    "found": true,   // false for 10059 stream not found and 10014 consumer not found
//    "delivered": {"consumer_seq": 30, "stream_seq": 30, "last_active": "2026-...Z"},
//    "ack_floor": {"consumer_seq": 20, "stream_seq": 20, "last_active": "..."},
//    "num_pending": 70, "num_ack_pending": 10, "num_redelivered": 0,
//    "num_waiting": 0, "push_bound": false, "created": "...",
//    "config": {"durable_name", "deliver_policy": "all", "ack_policy": "explicit",
//               "replay_policy": "instant", "ack_wait_ns", "max_deliver",
//               "max_ack_pending", "max_waiting", "filter_subject",
//               "deliver_subject", "num_replicas", "description"},
//    "replication": {"cluster", "leader", "replicas": [...]},
//    // with `again`, the numbers above are the second read's, and:
//    "earlier": {"num_pending", "num_ack_pending", "delivered_stream_seq",
//                "ack_floor_stream_seq", "interval_ms"},   // the first read's
//    "again_skipped": "..."}   // instead, when no second read was made

#include "steps/nats/pooled_step.h"

namespace rr::nats {

class ConsumerInfoStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.consumer_info";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override {
    return {{"stream", {ValueType::Name, true}},
            {"consumer", {ValueType::Name, true}},
            {"again", {ValueType::Duration, false}}};
  }
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::nats
