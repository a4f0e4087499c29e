#pragma once
// Judges streams and consumers from the JetStream API steps
// (nats.stream_info, nats.stream_list, nats.consumer_info, nats.consumer_list,
// nats.consumer_report), whose replica states come from each stream's leader
// and are therefore accurate.
// Codes and their `values`:
//
//   nats.replica_offline (warning)     stream, replica, leader, lag
//   nats.replica_lagging (warning)     a replica not current, more than
//       replica_lag_ops operations behind or not heard from for over
//       replica_silent (the context's Thresholds: 200, 5s by default).
//       stream, replica, leader, lag, last_seen
//   nats.stream_no_leader (critical)   a replicated stream without a leader.
//       stream, replicas
//   nats.stream_not_found (warning)    10059. stream
//   nats.consumer_not_found (warning)  10014. stream, consumer
//   nats.jetstream_unavailable         10008: no meta leader or no quorum.
//       (critical)                      error
//   nats.jetstream_error (warning)     any other API failure (timeouts,
//       permissions, ...). error, js_error_code, and stream when it was a
//       nats.stream_info call (its stream's info failing)
// Several steps reporting the same thing give one finding with all the evidence.

#include "judge/judge.h"

namespace rr {

class NatsStreamJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
