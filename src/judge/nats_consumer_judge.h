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
//   nats.consumer_replay (info)         a consumer a consumer_info step read
//       (the alert or the rule named it) has unprocessed messages: where a
//       replay starts (runbook: event replay). stream, consumer,
//       ack_floor_seq, delivered_seq, replay_from (ack_floor_seq + 1), count
//       (delivered after the floor + pending), and either filter (its filter
//       subject) or, when it has none, replay_from_all (= replay_from), so a
//       rule can suggest the one command that fits. The evidence cites cim_events_total when an http.metrics
//       step read it (the event monitor's last processed event).
//   nats.consumer_caught_up (ok)        the same consumer has nothing to replay.
//   nats.consumer_not_progressing       consumer_info read twice (`again`):
//       (warning)                        messages were pending, and between
//       the reads the ack floor did not move nor the pending shrink.
//       stream, consumer, pending, earlier_pending, ack_floor_seq, interval
//   nats.consumer_catching_up (ok)      the same, and it moved.
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
