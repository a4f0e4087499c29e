#pragma once
// What would bring a stream that is over storage_warning back down, computed
// from what the steps measured (runbook section 3: retention, purge, a bigger
// limit). Reads nats.stream_info (the limits, first and last sequence and
// times) and the consumers' ack floors from nats.consumer_report and
// nats.consumer_info: a purge moves every ack floor past what it removes, so
// a consumer loses the unprocessed messages below the purge point.
//
// Every plan aims at Thresholds::purge_target of the limit. Messages are
// assumed to be of the stream's average size and sequences dense; the
// findings say "about" where that matters. All are Info: they say what to
// do, nats_storage_judge.h says what is wrong. Codes and their `values`:
//
//   nats.stream_purge_plan    `--keep N` reaches the target. stream, keep,
//       first_kept_seq, frees_messages, frees ("512.0 KiB"), usage_after
//       ("48.8 %"), lossless ("yes" / "no" / "unknown" when no consumer step
//       ran), losses ("CIM-PROCESSOR loses about 886 unprocessed messages
//       (ack floor 120)"; "" when none).
//   nats.stream_purge_acked   a purge below every consumer's ack floor loses
//       nothing but does not reach the target. stream, seq (purge below it),
//       frees_messages, frees, usage_after.
//   nats.stream_purge_unsafe  no purge frees anything without losing
//       unprocessed messages (a consumer has acknowledged none the stream
//       holds). stream, consumer, ack_floor_seq, first_seq.
//   nats.stream_limit_raise   any purge loses messages: the limit that puts
//       today's usage at the target. stream, limit_name, limit, and the same
//       value under the limit's name: max_bytes ("4MiB", the nats CLI's
//       form, rounded up) or max_msgs ("2012").
//   nats.stream_retention_plan  the max_age under which the stream settles
//       at the target at its measured ingest rate (bytes or messages held
//       over the time between its first and last message). stream, max_age
//       ("36h"), rate ("18.5 KiB/s").
//   nats.stream_retention_unknown  no rate can be measured (fewer than two
//       messages, or no timestamps). stream.
//
// A stream without max_bytes is bounded only by its server's JetStream
// store: when the server most used (nats.jetstream_report: storage +
// reserved_storage against max_storage) is at or over storage_warning, the
// purge and retention plans aim at purge_target of max_storage less what
// else the store holds (no stream_limit_raise: the stream has no limit, and
// the store's depends on a disk not seen). Instead of a number:
//   nats.server_storage_elsewhere  purging the stream cannot reach the
//       target: the rest of the store is other data. stream, server,
//       stream_bytes, used, max_storage.
//   nats.stream_limit_unknown  a jetstream_report step ran but no server
//       reported a max_storage. stream.

#include "judge/judge.h"

namespace rr {

class NatsStreamReliefJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
