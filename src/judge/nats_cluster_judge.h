#pragma once
// Judges a NATS cluster's servers, routes and meta group from the facts of
// nats.health, nats.server_list, nats.jetstream_report (and whether the
// JetStream API steps reached any server). Codes and their `values`:
//
//   nats.cluster_down (critical)      no server answered any step.
//       cluster, servers (count), seed_host, seed_monitor, seed_client
//       (the first configured server: the runbook starts it first)
//   nats.server_down (critical)       one per server that is down: a
//       configured server no step reached, or a server the meta leader (or a
//       stream leader) reports offline, configured or not; one finding when
//       both are the same server.
//       server (name if known, else host:port), name ("" if unknown), host,
//       monitor, client, index; a server known only from a leader's report
//       has only server, name and host, and its host is its name (the
//       runbook addresses nodes by name).
//   nats.peer_lagging (warning)       a meta peer the leader sees not
//       current, over 200 operations behind or silent over 5 s (or offline
//       although it answers). server, name, host, leader, current, lag,
//       last_seen
//   nats.server_unhealthy             /healthz or /healthz?js-enabled-only
//       (critical; warning while       not 200. server, host, monitor, code, error
//        catching up: "not current")
//   nats.routes_missing (warning)     a live server has fewer than N-1
//       routes, N the larger of the configured servers and the meta cluster
//       size the server reports. server, host, monitor, routes, expected,
//       missing (names known to lack a route, comma-separated)
//   nats.meta_leader (info)           the meta leader seen.
//       leader, seen_by, cluster_size
//   nats.no_meta_leader (critical)    servers answer but none knows a leader.
//       servers
//   nats.split_brain (critical)       the servers of one step name
//       different meta leaders or cluster sizes, or fall apart into
//       partitions (see partitions_of() in nats_cluster_view.h). One finding.
//       majority, minority (comma-separated servers; majority "" when no
//       side holds more than half of the cluster size, minority "" when the
//       servers disagree but are connected), majority_leader,
//       leaders ("n1 by n1; n3 by n2, n3"; "none" for no leader),
//       cluster_sizes ("3 by n1, n2; 2 by n3"), cluster_size (the majority's
//       measure), sequences ("majority n1, n2: CIM-EVENTS 150; minority n3:
//       CIM-EVENTS 100", the highest last sequence each side holds of each
//       stream, from nats.jetstream_report's stream_detail; "" unknown)
//   nats.split_brain_minority         one per server of a minority side,
//       (critical)                     only when a majority exists (with
//       none, no side can safely be cleared). server, name, host, monitor,
//       leader (its side's, "" none), majority, majority_leader, sequences
//       (its side's, "CIM-EVENTS 100")
//
// The $SYS kinds nats.sys_server_list and nats.sys_jetstream_report count
// as nats.server_list and nats.jetstream_report when their facts have the
// same shape.

#include "judge/judge.h"

namespace rr {

class NatsClusterJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
