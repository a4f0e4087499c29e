#pragma once
// The documented limits the judges hold facts against, overridable in the
// config file under `thresholds:` (see the README). Defaults follow
// `nats server check` where it has them.

#include <chrono>
#include <cstdint>

#include "common/time.h"

namespace rr {

struct Thresholds {
  // Share of a limit (stream max_bytes / max_msgs, a server's max_storage)
  // in use: warning at or above storage_warning, critical at or above
  // storage_critical. 0 < warning <= critical <= 1.
  double storage_warning = 0.8;
  double storage_critical = 0.95;
  // What a suggested purge, retention or new limit aims at: this share of
  // the limit, well under storage_warning so the stream does not alarm
  // again at once. 0 < purge_target < storage_warning.
  double purge_target = 0.5;
  // A RAFT peer (stream replica) is behind when not current, more than
  // replica_lag_ops operations behind, or silent for more than replica_silent.
  std::uint64_t replica_lag_ops = 200;
  Nanos replica_silent = std::chrono::seconds(5);
  // A consumer: more than consumer_pending messages not yet delivered; more
  // than consumer_ack_pending delivered but unacknowledged, or at least
  // consumer_ack_pending_ratio of its max_ack_pending; no delivery or ack
  // for longer than consumer_stale while messages are pending; more than
  // consumer_redeliveries messages redelivered.
  std::uint64_t consumer_pending = 1000;
  std::uint64_t consumer_ack_pending = 1000;
  double consumer_ack_pending_ratio = 0.8;
  Nanos consumer_stale = std::chrono::minutes(5);
  std::uint64_t consumer_redeliveries = 100;

  bool replica_behind(bool current, std::uint64_t lag, std::uint64_t active_ns) const {
    return !current || lag > replica_lag_ops ||
           active_ns > static_cast<std::uint64_t>(replica_silent.count());
  }
};

}  // namespace rr
