#pragma once
// Judges consumers from nats.consumer_info and nats.consumer_report facts
// against the context's Thresholds: is the service behind, stuck, or
// failing on messages? Codes and their `values`:
//
//   nats.consumer_backlog (warning)     num_pending > consumer_pending.
//       stream, consumer, pending, delivered_seq, ack_floor_seq, last_seq,
//       replay_from (ack_floor_seq + 1: where a replay starts)
//       (last_seq: the stream's last sequence, "" when no step read it)
//   nats.consumer_ack_pending           num_ack_pending > consumer_ack_pending
//       (warning; critical when          or >= consumer_ack_pending_ratio of
//        max_ack_pending is reached)     max_ack_pending.
//       stream, consumer, ack_pending, max_ack_pending
//   nats.consumer_stale (warning)       messages pending and no delivery or ack
//       for longer than consumer_stale (since creation when never active).
//       stream, consumer, last_active, pending
//   nats.consumer_redeliveries          num_redelivered > consumer_redeliveries.
//       (warning)                        stream, consumer, redelivered
// Each detail says what the numbers mean for the consuming service and cites
// them. Several steps reporting the same consumer give one finding with all
// the evidence.

#include "judge/judge.h"

namespace rr {

class NatsConsumerJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
