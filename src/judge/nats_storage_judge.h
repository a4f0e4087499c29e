#pragma once
// Judges how full JetStream is: each stream against its own limits
// (nats.stream_info, nats.stream_list), each server's store against its
// max_storage (nats.jetstream_report), and servers dropping slow clients
// (nats.server_list). Limits are the context's Thresholds. Codes and their
// `values`:
//
//   nats.stream_storage_high   bytes of max_bytes or messages of max_msgs at
//       (warning >= storage_warning, or above storage_warning / storage_critical.
//        critical >= storage_critical) stream, used, limit, percent, limit_name
//       ("max_bytes" / "max_msgs"), and projected_full_in ("2h30m") only
//       when an ingest rate can be measured: bytes (or messages) held over
//       the time between the stream's first and last message (stream_info).
//   nats.stream_full_rejecting  discard new and no room for another message
//       (critical)              (messages >= max_msgs, or bytes plus one
//       message of the average size >= max_bytes): publishes fail with the
//       server's error. stream, error ("maximum bytes exceeded" /
//       "maximum messages exceeded"), code ("10077")
//   nats.server_storage_high   a server's storage + reserved_storage of its
//       (warning / critical)    max_storage. server, used, limit, percent
//   nats.slow_consumers (warning)  a server counted slow consumers since it
//       started. server, count
// Several steps reporting the same thing give one finding with all the evidence.

#include "judge/judge.h"

namespace rr {

class NatsStorageJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
