#pragma once
// $SYS scatter-gather: one request to every server of a cluster, over a
// connection logged into the system account. `$SYS.REQ.SERVER.PING.<Z>` is
// answered once by every server that hears it, so replies are collected
// until a quiet gap (or the deadline), never taken as the first one.
//
// Nothing here throws for a server's behaviour; hostile replies are counted
// as invalid, not parsed into facts.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "config/config.h"
#include "steps/nats/connection.h"

namespace rr::nats {

// How long to wait for one more reply after the last one (the nats CLI's gap).
inline constexpr std::chrono::milliseconds kSysQuietGap{300};
// Replies larger than this are counted invalid: a VARZ or JSZ is a few KiB.
inline constexpr std::size_t kSysReplyLimit = 1 << 20;
// More replies than this end the collection: no cluster is that large.
inline constexpr std::size_t kSysMaxReplies = 1024;

// One server's reply, unwrapped from {"server": {...}, "data"|"statsz": {...}}.
struct SysReply {
  std::string server_name;  // server.name, made safe
  std::string server_id;    // server.id
  std::string cluster;      // server.cluster ("" when not clustered)
  std::string host;         // server.host (its listen host, maybe 0.0.0.0)
  std::string version;      // server.ver
  nlohmann::json data;      // "data" (or "statsz"): an object, else null
  std::string error;        // the reply's own "error" description, "" when none
};

// Why a gather heard nothing useful. None also when replies arrived.
enum class SysProblem {
  None,
  NotConnected,   // no server accepted the connection (see attempts)
  AuthFailed,     // a server refused the system identity
  NoResponders,   // status 34: the identity is not in the system account
  NotPermitted,   // the user may not publish the subject
  NoReply,        // connected and sent, but nothing came back in time
  ClientError,    // libnats refused a call (inbox, subscribe, publish)
};
std::string_view sys_problem_name(SysProblem p);  // "auth_failed", ...

struct SysGather {
  std::string subject;                   // what was asked
  std::vector<SysReply> replies;         // in arrival order
  int invalid = 0;                       // replies that were not JSON objects
  SysProblem problem = SysProblem::None;
  std::string error;                     // clear text for `problem`
  std::chrono::milliseconds elapsed{0};  // send to last reply or gap end
};

// A connection to the cluster's system account for one step run.
class SysConnection {
 public:
  // connect(cluster, Identity::System, deadline, pool).
  static SysConnection open(const ClusterConfig& cluster, Deadline deadline, ConnectionPool* pool = nullptr);

  bool connected() const { return opened_.link != nullptr; }
  const std::string& url() const { return opened_.url; }
  const std::vector<ConnectAttempt>& failed_attempts() const { return opened_.attempts; }
  // The id of the server connected to ("" when not connected).
  std::string server_id() const;

  // AuthFailed when any attempt was refused for its credentials (even if
  // others failed otherwise), NotConnected when none answered, else None;
  // `error` gets the attempts' texts.
  SysProblem connect_problem(std::string& error) const;

  // {"connected_url": "nats://...", "connected_server_id": "...",
  //  "connection_reused": false,
  //  "connect_errors": [{"server": "nats://...", "error": "..."}]}
  nlohmann::json connection_facts() const;

  // Sends `$SYS.REQ.SERVER.PING.<what>` (just `...PING` when `what` is
  // empty) with `body` ("" for none) and collects replies until `quiet`
  // passes without one, or `deadline`. Not connected: problem NotConnected.
  SysGather ping(std::string_view what, const std::string& body, Deadline deadline,
                 std::chrono::milliseconds quiet = kSysQuietGap) const;

 private:
  SysConnection() = default;
  OpenedConnection opened_;
};

// Parses one reply payload; false when it is not a JSON object (or too big).
bool parse_sys_reply(std::string_view payload, SysReply& out);

}  // namespace rr::nats
