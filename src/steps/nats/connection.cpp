#include "steps/nats/connection.h"

#include <algorithm>
#include <chrono>

#include "net/resolve.h"
#include "steps/nats/connection_pool.h"
#include "steps/nats/json_read.h"
#include "steps/nats/server_url.h"

namespace rr::nats {
namespace {

constexpr std::chrono::milliseconds kKeepalivePing{5000};

std::int64_t millis_left(Deadline deadline) {
  // libnats reads 0 as "use the default": never pass it.
  return std::max<std::int64_t>(1, deadline.remaining().count());
}

// Options for one connection attempt to `url`; null with `error` set when
// libnats refused an option (e.g. an unreadable creds file).
OptionsPtr make_options(const ClusterConfig& cluster, Identity identity, const std::string& url,
                        std::int64_t timeout_ms, bool keepalive, NatsError& error) {
  natsOptions* raw = nullptr;
  natsStatus s = natsOptions_Create(&raw);
  OptionsPtr opts(raw);
  if (s != NATS_OK) {
    error = last_nats_error(s);
    return nullptr;
  }
  auto* o = opts.get();
  s = natsOptions_SetURL(o, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(o, timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(o, false);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, 0);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(o, false, nullptr, nullptr);
  if (s == NATS_OK) s = natsOptions_SetName(o, "runbook-responder");
  // Kept connections: a server that stops answering (no FIN: a partition, a
  // frozen host) is noticed within about three intervals, and the pool then
  // opens a new connection instead of lending a dead one.
  if (s == NATS_OK && keepalive) s = natsOptions_SetPingInterval(o, kKeepalivePing.count());
  if (s == NATS_OK && keepalive) s = natsOptions_SetMaxPingsOut(o, 2);
  const bool sys = identity == Identity::System;
  const auto& creds_file = sys ? cluster.system_creds_file : cluster.creds_file;
  const auto& user = sys ? cluster.system_user : cluster.user;
  const auto& password = sys ? cluster.system_password : cluster.password;
  if (s == NATS_OK && creds_file) s = natsOptions_SetUserCredentialsFromFiles(o, creds_file->c_str(), nullptr);
  if (s == NATS_OK && user) s = natsOptions_SetUserInfo(o, user->c_str(), password ? password->c_str() : "");
  if (s == NATS_OK && !sys && cluster.token) s = natsOptions_SetToken(o, cluster.token->c_str());
  if (s != NATS_OK) {
    error = last_nats_error(s);
    return nullptr;
  }
  return opts;
}

// libnats turns some API errors into a bare status (10059 becomes
// NATS_NOT_FOUND) and drops the server's text: these are the server's words.
const char* known_js_error(int js_code) {
  switch (js_code) {
    case JSClusterNotAvailErr: return "JetStream system temporarily unavailable";
    case JSStreamNotFoundErr: return "stream not found";
    case JSConsumerNotFoundErr: return "consumer not found";
    default: return nullptr;
  }
}

// libnats prefixes its texts with where it failed: "(conn.c:2088): No
// server available for connection". Readers need only the words.
std::string strip_source_location(std::string text) {
  if (text.empty() || text.front() != '(') return text;
  auto close = text.find("): ");
  if (close == std::string::npos || text.find(".c:") > close) return text;
  return text.substr(close + 3);
}

}  // namespace

nlohmann::json NatsError::to_facts() const {
  return {{"status", natsStatus_GetText(static_cast<natsStatus>(status))}, {"js_error_code", js_code}, {"error", text}};
}

NatsError last_nats_error(natsStatus status, int js_code) {
  NatsError e;
  e.status = status;
  e.js_code = js_code;
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  std::string status_text = natsStatus_GetText(status);
  std::string detail = (text != nullptr && last == status) ? strip_source_location(one_line(text)) : std::string();
  if (detail.empty() && known_js_error(js_code) != nullptr) detail = known_js_error(js_code);
  // Prefer the server's words (JetStream errors); keep the status name
  // when the text adds nothing to it.
  if (detail.empty() || detail == status_text) {
    e.text = status_text;
  } else if (js_code != 0) {
    e.text = detail;
  } else {
    e.text = status_text + ": " + detail;
  }
  return e;
}

bool has_system_identity(const ClusterConfig& cluster) {
  return cluster.system_user.has_value() || cluster.system_creds_file.has_value();
}

OpenedConnection connect_first(const ClusterConfig& cluster, Identity identity, Deadline deadline, bool keepalive) {
  OpenedConnection c;
  const auto& servers = cluster.servers;
  for (std::size_t i = 0; i < servers.size() && !c.link; ++i) {
    const std::string& url = servers[i];
    auto left = deadline.remaining().count();
    if (left <= 0) {
      c.attempts.push_back({url, "not tried: deadline reached"});
      continue;
    }
    const Deadline server_deadline =
        deadline.capped(std::chrono::milliseconds(left / static_cast<std::int64_t>(servers.size() - i)));
    // libnats would resolve a name itself, with no bound on the time: it is
    // resolved here and libnats is handed each address in turn; a tls://
    // server keeps its name for the certificate check.
    std::vector<std::string> urls{url};
    const auto parsed = parse_server_url(url);
    if (parsed && !net::is_ip_literal(parsed->host)) {
      std::string error;
      auto addresses = net::resolve(parsed->host, parsed->port, server_deadline, error);
      if (addresses.empty()) {
        c.attempts.push_back({url, error});
        continue;
      }
      urls.clear();
      for (const auto& a : addresses) urls.push_back(parsed->with_host(a.ip));
    }
    for (std::size_t j = 0; j < urls.size() && !c.link; ++j) {
      const auto share = std::max<std::int64_t>(
          1, server_deadline.remaining().count() / static_cast<std::int64_t>(urls.size() - j));
      NatsError error;
      OptionsPtr opts = make_options(cluster, identity, urls[j], share, keepalive, error);
      if (opts && parsed && parsed->scheme == "tls" && urls[j] != url) {
        natsStatus s = natsOptions_SetExpectedHostname(opts.get(), parsed->host.c_str());
        if (s != NATS_OK) {
          error = last_nats_error(s);
          opts.reset();
        }
      }
      if (!opts) {
        c.attempts.push_back({url, error.text, error.status});
        continue;
      }
      natsConnection* raw_conn = nullptr;
      natsStatus s = natsConnection_Connect(&raw_conn, opts.get());
      ConnectionPtr conn(raw_conn);
      if (s != NATS_OK) {
        c.attempts.push_back({url, last_nats_error(s).text, s});
        continue;
      }
      auto link = std::make_shared<NatsLink>();
      link->options = std::move(opts);
      link->conn = std::move(conn);
      link->url = url;
      c.link = std::move(link);
      c.url = url;
    }
  }
  return c;
}

OpenedConnection connect(const ClusterConfig& cluster, Identity identity, Deadline deadline, ConnectionPool* pool) {
  return pool ? pool->lease(cluster, identity, deadline) : connect_first(cluster, identity, deadline);
}

JsConnection JsConnection::open(const ClusterConfig& cluster, Deadline deadline, ConnectionPool* pool) {
  JsConnection c;
  c.opened_ = connect(cluster, Identity::App, deadline, pool);
  if (!c.opened_.link) return c;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = millis_left(deadline);
  jsCtx* raw_js = nullptr;
  natsStatus s = natsConnection_JetStream(&raw_js, c.opened_.conn(), &jo);
  JsCtxPtr js(raw_js);
  if (s != NATS_OK) {
    c.opened_.attempts.push_back({c.opened_.url, last_nats_error(s).text, s});
    c.opened_.link.reset();
    c.opened_.url.clear();
    return c;
  }
  c.js_ = std::move(js);
  return c;
}

nlohmann::json JsConnection::connection_facts() const {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& a : opened_.attempts) errors.push_back({{"server", a.server}, {"error", a.error}});
  return {{"reachable", connected()},
          {"connected_url", opened_.url},
          {"connection_reused", opened_.reused},
          {"connect_errors", errors}};
}

jsOptions JsConnection::call_options(Deadline deadline) const {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = millis_left(deadline);
  return jo;
}

NatsError JsConnection::call_error(natsStatus status, jsErrCode code) const {
  NatsError e = last_nats_error(status, static_cast<int>(code));
  // A publish the account may not make is reported asynchronously and the
  // request itself only times out: say why.
  const char* async_text = nullptr;
  if (status == NATS_TIMEOUT && opened_.conn() &&
      natsConnection_GetLastError(opened_.conn(), &async_text) == NATS_NOT_PERMITTED && async_text != nullptr) {
    e.text += " (" + one_line(async_text) + ")";
  }
  return e;
}

template <class Ptr, class Call>
natsStatus JsConnection::request(JsReply<Ptr>& reply, Deadline deadline, Call call, bool not_found_is_empty) const {
  jsOptions jo = call_options(deadline);
  jsErrCode code = static_cast<jsErrCode>(0);
  typename Ptr::pointer raw = nullptr;
  natsStatus s = call(&raw, &jo, &code);
  reply.value.reset(raw);
  if (s == NATS_OK) return s;
  reply.value.reset();
  if (!(s == NATS_NOT_FOUND && not_found_is_empty)) reply.error = call_error(s, code);
  return s;
}

JsReply<StreamInfoPtr> JsConnection::stream_info(const std::string& stream, Deadline deadline) const {
  JsReply<StreamInfoPtr> reply;
  request(reply, deadline, [&](jsStreamInfo** raw, jsOptions* jo, jsErrCode* code) {
    return js_GetStreamInfo(raw, js_.get(), stream.c_str(), jo, code);
  });
  return reply;
}

JsReply<StreamInfoListPtr> JsConnection::streams(Deadline deadline) const {
  JsReply<StreamInfoListPtr> reply;
  // libnats' way of saying "no streams" is NATS_NOT_FOUND: an empty list.
  request(
      reply, deadline,
      [&](jsStreamInfoList** raw, jsOptions* jo, jsErrCode* code) { return js_Streams(raw, js_.get(), jo, code); },
      /*not_found_is_empty=*/true);
  return reply;
}

JsReply<ConsumerInfoPtr> JsConnection::consumer_info(const std::string& stream, const std::string& consumer,
                                                     Deadline deadline) const {
  JsReply<ConsumerInfoPtr> reply;
  request(reply, deadline, [&](jsConsumerInfo** raw, jsOptions* jo, jsErrCode* code) {
    return js_GetConsumerInfo(raw, js_.get(), stream.c_str(), consumer.c_str(), jo, code);
  });
  return reply;
}

JsReply<ConsumerInfoListPtr> JsConnection::consumers(const std::string& stream, Deadline deadline) const {
  JsReply<ConsumerInfoListPtr> reply;
  natsStatus s = request(
      reply, deadline,
      [&](jsConsumerInfoList** raw, jsOptions* jo, jsErrCode* code) {
        return js_Consumers(raw, js_.get(), stream.c_str(), jo, code);
      },
      /*not_found_is_empty=*/true);
  // libnats says NATS_NOT_FOUND, without an error code, both for a stream
  // without consumers and for a missing stream: ask about the stream.
  if (s == NATS_NOT_FOUND) {
    if (auto info = stream_info(stream, deadline); info.error) reply.error = std::move(info.error);
  }
  return reply;
}

}  // namespace rr::nats
