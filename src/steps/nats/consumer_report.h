#pragma once
// nats.consumer_report: every consumer of one stream with its full state,
// like `nats consumer report STREAM`, through the JetStream API
// ($JS.API.CONSUMER.LIST, paged by libnats; in a cluster the meta leader
// gathers each consumer's info from that consumer's leader).
// Params: stream (Name, required).
//
// Facts: the connection facts of js_step.h, plus
//   {"stream": "CIM-EVENTS",
//    "found": true,   // false for 10059 stream not found
//    "stream_state": {...},   // js_facts.h stream_state_facts; absent when
//                             // the stream info call failed
//    "consumers": [   // by name; each in the shape of consumer_info.h
//      {"stream": "CIM-EVENTS", "consumer": "CIM-PROCESSOR", "created": "...",
//       "delivered": {"consumer_seq", "stream_seq", "last_active"},
//       "ack_floor": {"consumer_seq", "stream_seq", "last_active"},
//       "last_active": "...",   // the later of the two; "" when never
//       "num_pending", "num_ack_pending", "num_redelivered", "num_waiting",
//       "push_bound", "config": {...}, "replication": {...}}]}
// On an API error "consumers" is absent and "error" / "js_error_code" /
// "status" say what the server or client said.

#include <optional>

#include "steps/nats/connection.h"
#include "steps/nats/pooled_step.h"

namespace rr::nats {

class ConsumerReportStep : public PooledStep {
 public:
  using PooledStep::PooledStep;
  static constexpr std::string_view kName = "nats.consumer_report";
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override {
    return {{"stream", {ValueType::Name, true}}};
  }
  StepResult run(const StepInput& input) const override;
};

// What nats.consumer_list and nats.consumer_report share.
struct ConsumerListing {
  JsConnection conn;          // still open, for further calls
  nlohmann::json consumers;   // the "consumers" array described above
};

// Records "stream", opens the connection and lists the consumers of the
// step's `stream`, recording "found". Returns nullopt when there is nothing
// more to do: the parameter is missing (status Failed), no server answered,
// or the call failed (error facts, summary and output recorded).
std::optional<ConsumerListing> list_consumers_for_step(const ClusterConfig& cluster, const StepInput& input,
                                                       ConnectionPool* pool,
                                                       StepResult& result);

}  // namespace rr::nats
