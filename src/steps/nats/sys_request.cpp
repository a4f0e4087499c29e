#include "steps/nats/sys_request.h"

#include <algorithm>
#include <array>

#include "steps/nats/json_read.h"

namespace rr::nats {
namespace {

using Clock = std::chrono::steady_clock;
using InboxPtr = std::unique_ptr<natsInbox, CDeleter<natsInbox, natsInbox_Destroy>>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, CDeleter<natsSubscription, natsSubscription_Destroy>>;
using MsgPtr = std::unique_ptr<natsMsg, CDeleter<natsMsg, natsMsg_Destroy>>;

std::int64_t millis_until(Clock::time_point at) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now()).count();
  return std::max<std::int64_t>(0, left);
}

bool is_auth_failure(const ConnectAttempt& a) {
  // libnats reports the server's -ERR 'Authorization Violation' as a status
  // or only in the text, depending on where in the handshake it arrives.
  return a.status == NATS_CONNECTION_AUTH_FAILED || a.error.find("Authorization Violation") != std::string::npos ||
         a.error.find("Authentication") != std::string::npos;
}

// The publish the server refused shows up only as the connection's last
// error (the request itself would just time out).
bool publish_refused(natsConnection* conn, std::string& text) {
  const char* async_text = nullptr;
  if (natsConnection_GetLastError(conn, &async_text) != NATS_NOT_PERMITTED) return false;
  text = async_text != nullptr ? one_line(async_text) : "Permissions Violation";
  return true;
}

}  // namespace

std::string_view sys_problem_name(SysProblem p) {
  switch (p) {
    case SysProblem::None: return "none";
    case SysProblem::NotConnected: return "not_connected";
    case SysProblem::AuthFailed: return "auth_failed";
    case SysProblem::NoResponders: return "no_responders";
    case SysProblem::NotPermitted: return "not_permitted";
    case SysProblem::NoReply: return "no_reply";
    case SysProblem::ClientError: return "client_error";
  }
  return "unknown";
}

bool parse_sys_reply(std::string_view payload, SysReply& out) {
  if (payload.size() > kSysReplyLimit) return false;
  auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  const auto& server = field(j, "server");
  out.server_name = one_line(get_string(server, "name"));
  out.server_id = one_line(get_string(server, "id"), 64);
  out.cluster = one_line(get_string(server, "cluster"));
  out.host = one_line(get_string(server, "host"));
  out.version = one_line(get_string(server, "ver"), 32);
  // PING.<Z> wraps its reply in "data"; the bare PING (STATSZ) in "statsz".
  for (const char* key : {"data", "statsz"}) {
    if (field(j, key).is_object()) {
      out.data = std::move(j[key]);
      break;
    }
  }
  const auto& error = field(j, "error");
  if (error.is_object()) {
    out.error = one_line(get_string(error, "description"));
    if (out.error.empty()) out.error = "error " + std::to_string(get_int(error, "code").value_or(0));
  } else if (error.is_string()) {
    out.error = one_line(error.get<std::string>());
  }
  return true;
}

SysConnection SysConnection::open(const ClusterConfig& cluster, Deadline deadline, ConnectionPool* pool) {
  SysConnection c;
  c.opened_ = connect(cluster, Identity::System, deadline, pool);
  return c;
}

std::string SysConnection::server_id() const {
  if (!connected()) return "";
  std::array<char, 128> id{};
  if (natsConnection_GetConnectedServerId(opened_.conn(), id.data(), id.size()) != NATS_OK) return "";
  return one_line(id.data(), 64);
}

SysProblem SysConnection::connect_problem(std::string& error) const {
  if (connected()) return SysProblem::None;
  error.clear();
  bool auth = false;
  for (const auto& a : opened_.attempts) {
    auth = auth || is_auth_failure(a);
    error += (error.empty() ? "" : "; ") + a.server + ": " + a.error;
  }
  if (error.empty()) error = "no server URLs configured";
  return auth ? SysProblem::AuthFailed : SysProblem::NotConnected;
}

nlohmann::json SysConnection::connection_facts() const {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& a : opened_.attempts) errors.push_back({{"server", a.server}, {"error", a.error}});
  return {{"connected_url", opened_.url},
          {"connected_server_id", server_id()},
          {"connection_reused", opened_.reused},
          {"connect_errors", errors}};
}

SysGather SysConnection::ping(std::string_view what, const std::string& body, Deadline deadline,
                              std::chrono::milliseconds quiet) const {
  SysGather g;
  g.subject = "$SYS.REQ.SERVER.PING" + (what.empty() ? std::string() : "." + std::string(what));
  auto fail = [&g](SysProblem p, std::string text) {
    g.problem = p;
    g.error = std::move(text);
    return g;
  };
  if (!connected()) return fail(SysProblem::NotConnected, "not connected to any server");
  natsConnection* conn = opened_.conn();

  natsInbox* raw_inbox = nullptr;
  natsStatus s = natsInbox_Create(&raw_inbox);
  InboxPtr inbox(raw_inbox);
  if (s != NATS_OK) return fail(SysProblem::ClientError, last_nats_error(s).text);
  natsSubscription* raw_sub = nullptr;
  s = natsConnection_SubscribeSync(&raw_sub, conn, inbox.get());
  SubscriptionPtr sub(raw_sub);
  if (s != NATS_OK) return fail(SysProblem::ClientError, "subscribe: " + last_nats_error(s).text);

  const auto sent = Clock::now();
  s = natsConnection_PublishRequest(conn, g.subject.c_str(), inbox.get(), body.data(), static_cast<int>(body.size()));
  if (s != NATS_OK) return fail(SysProblem::ClientError, "publish: " + last_nats_error(s).text);
  // A round trip, so that a refused publish is known before waiting.
  s = natsConnection_FlushTimeout(conn, std::max<std::int64_t>(1, deadline.remaining().count()));
  std::string refused;
  if (publish_refused(conn, refused)) return fail(SysProblem::NotPermitted, refused);
  if (s != NATS_OK) return fail(SysProblem::NoReply, "no reply before the deadline (" + last_nats_error(s).text + ")");

  Clock::time_point last = sent;
  while (g.replies.size() + static_cast<std::size_t>(g.invalid) < kSysMaxReplies) {
    // Until the first reply only the deadline bounds the wait; after it,
    // also the quiet gap.
    Clock::time_point until = deadline.at();
    if (!g.replies.empty() || g.invalid > 0) until = std::min(until, last + quiet);
    std::int64_t wait = millis_until(until);
    if (wait <= 0) break;
    natsMsg* raw_msg = nullptr;
    s = natsSubscription_NextMsg(&raw_msg, sub.get(), wait);
    MsgPtr msg(raw_msg);
    if (s == NATS_TIMEOUT) break;
    if (s == NATS_NO_RESPONDERS) {
      return fail(SysProblem::NoResponders,
                  "no responders for " + g.subject + ": the user is not in the system account");
    }
    if (s != NATS_OK) {
      g.problem = SysProblem::ClientError;
      g.error = "while collecting replies: " + last_nats_error(s).text;
      break;
    }
    last = Clock::now();
    const char* data = natsMsg_GetData(msg.get());
    int length = natsMsg_GetDataLength(msg.get());
    SysReply reply;
    if (data != nullptr && length > 0 &&
        parse_sys_reply(std::string_view(data, static_cast<std::size_t>(length)), reply)) {
      g.replies.push_back(std::move(reply));
    } else {
      ++g.invalid;
    }
  }
  g.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  if (g.replies.empty() && g.problem == SysProblem::None) {
    if (publish_refused(conn, refused)) return fail(SysProblem::NotPermitted, refused);
    g.problem = SysProblem::NoReply;
    g.error = g.invalid > 0 ? "only invalid replies to " + g.subject
                            : "no server answered " + g.subject + " before the deadline";
  }
  return g;
}

}  // namespace rr::nats
