#pragma once
// The NATS servers of one triage as the monitoring steps saw them, merged
// from whatever subset of nats.health, nats.server_list,
// nats.jetstream_report and the JetStream API steps the rule ran. Built from
// facts only; the judge (nats_cluster_judge.h) decides what is wrong.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "judge/judge.h"

namespace rr {

// One peer of the meta group, as the meta leader lists it.
struct MetaPeerView {
  std::string name;
  bool current = false;
  bool offline = false;
  std::uint64_t active_ns = 0;
  std::uint64_t lag = 0;
};

// A server that a leader reports offline: the meta leader in its peer list,
// or a stream leader among a stream's replicas. Both read the leader's own
// table of servers, so such a server is down (or cut off) even when it is
// not among the configured ones.
struct OfflinePeer {
  std::string name;
  std::string source;                 // "the meta leader n2 lists it offline"
  std::vector<std::string> evidence;  // one line per step that saw it
};

// natscli's thresholds for a RAFT peer (meta peer or stream replica): behind
// when not current, more than 200 operations behind, or silent for over 5 s.
// Used only to work out which peer a down server is and how partitions
// split; findings hold peers against the configured Thresholds instead.
inline constexpr std::uint64_t kMaxPeerLag = 200;
inline constexpr std::uint64_t kMaxPeerSilenceNs = 5'000'000'000ULL;
bool peer_behind(bool current, std::uint64_t lag, std::uint64_t active_ns);

// What one server said about the meta group in one step.
struct MetaClaim {
  std::string step;    // step id
  std::string leader;  // "" when it knows none
  std::optional<std::int64_t> cluster_size;
  std::vector<MetaPeerView> peers;  // when it leads: its (accurate) view of the group
};

// A server's own copy of a stream, from nats.jetstream_report's
// stream_detail: what that server holds, which may differ between the two
// sides of a partition.
struct StreamCopy {
  std::string step;
  std::string name;
  std::optional<std::uint64_t> last_seq, messages;
  std::string leader;  // the stream leader as this server names it
};

struct HealthView {
  std::string step;
  int code = 0, js_code = 0;
  std::string error, js_error;
};

// One configured server: monitor[index] with servers[index].
struct ServerView {
  int index = 0;
  std::string monitor, client, host;  // host from the monitor URL, else the client URL
  bool reached = false;  // some monitoring step got an answer from it
  bool missed = false;   // some monitoring step got none, or one it could not read
  bool invalid_reply = false;  // a reply arrived that no NATS server sends (not JSON, too large, HTTP error)
  std::vector<std::string> miss_evidence;  // "health: http://... unreachable (connection refused)"
  std::string miss_error;                  // the first transport error
  std::string name;         // server_name; "" when unknown
  std::string name_source;  // how a down server's name was found
  std::optional<std::int64_t> routes;
  std::vector<std::string> route_peers;
  std::string routes_step;
  std::vector<MetaClaim> meta;
  std::vector<HealthView> health;
  std::vector<StreamCopy> streams;  // at most nats::kMaxReportStreams per step

  // The name, else host:port of the monitor, for titles.
  std::string label() const;
};

struct ClusterView {
  std::string cluster;
  int expected_routes = -1;  // configured servers - 1; -1: unknown
  std::int64_t cluster_size = 0;  // the largest meta cluster size any server claims; 0: unknown
  std::vector<ServerView> servers;  // by index
  // From the meta leader's own view (the only accurate one).
  std::string meta_leader;
  std::string meta_peers_step;
  std::vector<MetaPeerView> meta_peers;
  // Every server a leader reports offline, in the order first seen.
  std::vector<OfflinePeer> offline_peers;
  // Names of down servers that could not be told apart.
  std::vector<std::string> unplaced_names;
  bool any_step = false;    // some NATS step ran and left facts
  bool any_answer = false;  // some server answered some step
  std::vector<std::string> silence_evidence;  // per step, "stream: no server answered (...)"
};

ClusterView build_cluster_view(const std::vector<StepResult>& steps, const JudgeContext& ctx);

// Servers that answered one step and can talk to each other. Servers
// naming the same meta leader are on its side, unless that leader (whose
// view of the group is the accurate one) has not heard from them for over
// 5 s: a server cut off names the old leader until its election timeout.
// A server naming no leader is on a leader's side when that leader hears
// from it; otherwise it is cut off, on one side with the leaderless servers
// it has routes to (all of them together when routes are unknown). Routes
// alone decide nothing else: a cut route stays listed until the server's
// ping interval (2 minutes by default) declares it stale.
struct Partition {
  std::vector<const ServerView*> servers;  // in configuration order
  std::vector<std::string> leaders;        // meta leaders its servers name; none: empty
  bool majority = false;  // more than half of the meta group (cluster size)
};

struct PartitionReport {
  std::string step;
  std::int64_t cluster_size = 0;  // what the majority is measured against
  std::vector<Partition> partitions;  // the majority first, then by size
  bool routes_known = false;
};

// The partitions among the servers with a meta claim in `step`. The cluster
// size is the largest any of them claims, else the configured servers.
PartitionReport partitions_of(const ClusterView& view, const std::string& step);

// The offline report about server `name`, or null.
const OfflinePeer* offline_peer(const ClusterView& view, const std::string& name);

// The routes a full mesh gives `server`: one to every other server, counting
// the configured ones and the meta cluster size the server itself reports
// (the configuration may list only some servers). -1 when unknown.
int expected_routes(const ClusterView& view, const ServerView& server);

// "10.7s" style for a nanosecond count.
std::string nanos_text(std::uint64_t ns);

}  // namespace rr
