#pragma once
// Connections to a cluster as one of its two identities: the application
// account for JetStream API reads (JsConnection) or the system account for
// $SYS requests (connect_first, see sys_request.h). A connection never
// reconnects by itself; a ConnectionPool (connection_pool.h) may hand one to
// several step runs, at once or one after the other, and opens a new one when
// it has gone. Every call is bounded by a deadline, and every object libnats
// hands back is freed by RAII.
//
// libnats' global state (nats_Open/nats_Close) is shared by the whole
// process and is deliberately never closed here.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nats/nats.h>
#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "config/config.h"

namespace rr::nats {

// Deleter for a libnats object freed by `Destroy`.
template <class T, void (*Destroy)(T*)>
struct CDeleter {
  void operator()(T* p) const {
    if (p) Destroy(p);
  }
};
using OptionsPtr = std::unique_ptr<natsOptions, CDeleter<natsOptions, natsOptions_Destroy>>;
using ConnectionPtr = std::unique_ptr<natsConnection, CDeleter<natsConnection, natsConnection_Destroy>>;
using JsCtxPtr = std::unique_ptr<jsCtx, CDeleter<jsCtx, jsCtx_Destroy>>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, CDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using StreamInfoListPtr = std::unique_ptr<jsStreamInfoList, CDeleter<jsStreamInfoList, jsStreamInfoList_Destroy>>;
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, CDeleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using ConsumerInfoListPtr =
    std::unique_ptr<jsConsumerInfoList, CDeleter<jsConsumerInfoList, jsConsumerInfoList_Destroy>>;

// A failed call: the client's status, the JetStream API error code (0 when
// the server sent none, e.g. 10008 no leader, 10059 stream not found, 10014
// consumer not found) and the server's or the client's text.
struct NatsError {
  int status = 0;  // natsStatus
  int js_code = 0;  // jsErrCode
  std::string text;

  // {"status": "Timeout", "js_error_code": 0, "error": "..."}
  nlohmann::json to_facts() const;
};

// The error of the call that just failed on this thread.
NatsError last_nats_error(natsStatus status, int js_code = 0);

template <class T>
struct JsReply {
  T value;                         // null when error is set
  std::optional<NatsError> error;
};

struct ConnectAttempt {
  std::string server;
  std::string error;
  int status = 0;  // natsStatus; 0 when never tried (deadline reached)
};

// Which account a connection logs into.
enum class Identity {
  App,     // ClusterConfig user/password, token or creds_file
  System,  // ClusterConfig system_user/system_password or system_creds_file
};

// True when the cluster names a system-account user or creds file.
bool has_system_identity(const ClusterConfig& cluster);

// One live libnats connection and the options it was made with. libnats'
// connection is thread-safe: step runs sharing it each make their own
// requests, subscriptions and JetStream contexts.
struct NatsLink {
  OptionsPtr options;  // outlives conn (declared first, destroyed last)
  ConnectionPtr conn;
  std::string url;  // the server connected to
};

// The outcome of connecting: link is null when no server answered. The link
// is shared with the pool that lent it (if any) and with other step runs.
struct OpenedConnection {
  std::shared_ptr<const NatsLink> link;
  std::string url;                       // the server connected to
  std::vector<ConnectAttempt> attempts;  // the failed ones, in order
  bool reused = false;                   // lent by a pool, opened by an earlier run

  natsConnection* conn() const { return link ? link->conn.get() : nullptr; }
};

class ConnectionPool;

// Tries cluster.servers in order as `identity`, each attempt limited to an
// equal share of the time left; no reconnects, no retries. `keepalive`: the
// connection PINGs its server every few seconds, so that one kept in a pool
// notices a server gone silent (see connection_pool.h).
OpenedConnection connect_first(const ClusterConfig& cluster, Identity identity, Deadline deadline,
                               bool keepalive = false);

// From `pool` when given (a kept connection, or a new one kept for others),
// else connect_first().
OpenedConnection connect(const ClusterConfig& cluster, Identity identity, Deadline deadline, ConnectionPool* pool);

class JsConnection {
 public:
  // connect(cluster, Identity::App, deadline, pool): the cluster's
  // application credentials (creds file, user/password or token). Not
  // connected when no server answered.
  static JsConnection open(const ClusterConfig& cluster, Deadline deadline, ConnectionPool* pool = nullptr);

  JsConnection(JsConnection&&) noexcept = default;
  JsConnection& operator=(JsConnection&&) noexcept = default;

  bool connected() const { return js_ != nullptr; }
  const std::string& url() const { return opened_.url; }  // the server connected to
  const std::vector<ConnectAttempt>& failed_attempts() const { return opened_.attempts; }

  // {"reachable": true, "connected_url": "nats://...", "connection_reused": false,
  //  "connect_errors": [{"server": "nats://...", "error": "..."}]}
  nlohmann::json connection_facts() const;

  // JetStream API calls, each waiting at most until `deadline`. Call only
  // when connected().
  JsReply<StreamInfoPtr> stream_info(const std::string& stream, Deadline deadline) const;
  // Every stream (libnats pages by itself); an empty list when there are none.
  JsReply<StreamInfoListPtr> streams(Deadline deadline) const;
  JsReply<ConsumerInfoPtr> consumer_info(const std::string& stream, const std::string& consumer,
                                         Deadline deadline) const;
  // Every consumer of `stream` with its info (libnats pages by itself); an
  // empty list when it has none. A missing stream is an error (10059),
  // found with one more call: libnats reports it as an empty list.
  JsReply<ConsumerInfoListPtr> consumers(const std::string& stream, Deadline deadline) const;

 private:
  JsConnection() = default;
  jsOptions call_options(Deadline deadline) const;
  NatsError call_error(natsStatus status, jsErrCode code) const;
  // One JetStream API request under `deadline`, `call(&raw, &options,
  // &code)`: fills reply.value, or reply.error on failure, except that
  // NATS_NOT_FOUND leaves both empty when `not_found_is_empty` (libnats'
  // answer for an empty list). Returns the call's status.
  template <class Ptr, class Call>
  natsStatus request(JsReply<Ptr>& reply, Deadline deadline, Call call, bool not_found_is_empty = false) const;

  // Destroyed in reverse order: the context before the connection it uses.
  OpenedConnection opened_;
  JsCtxPtr js_;
};

}  // namespace rr::nats
