#pragma once
// The servers of a cluster as the HTTP monitoring steps see them, and one
// GET of a monitoring endpoint (/healthz, /varz, /routez, /jsz) parsed as
// hostile JSON.

#include <cstddef>
#include <future>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "config/config.h"
#include "net/http.h"

namespace rr::nats {

// One configured server: ClusterConfig::monitor[i] pairs with servers[i].
struct ServerRef {
  int index = 0;
  std::string monitor;  // http://host:port
  std::string client;   // nats://host:port, "" when fewer servers than monitors
};

// One ref per monitor URL, in configuration order.
std::vector<ServerRef> server_refs(const ClusterConfig& cluster);

// The common identity part of a per-server fact: index, monitor, client.
nlohmann::json server_ref_facts(const ServerRef& ref);

// One peer of a RAFT group as a monitoring endpoint lists it:
// {"name", "peer", "current", "offline", "active_ns", "lag"}. The server
// leaves out offline and lag when false or zero; here they are always set.
nlohmann::json peer_facts(const nlohmann::json& peer);

// Replies larger than this are refused: monitoring replies are a few KiB.
inline constexpr std::size_t kMonitorReplyLimit = 1 << 20;

struct MonitorReply {
  bool reachable = false;  // an HTTP response arrived
  int code = 0;            // HTTP status, 0 when unreachable
  nlohmann::json body;     // a JSON object, or null
  std::string error;       // transport error, "invalid JSON from server", ...; "" when fine
};

// Interprets a response: unreachable when no status arrived; a body that is
// not a JSON object is an error (the code is still kept).
MonitorReply parse_monitor_reply(const HttpResponse& response);

// What went wrong with a data endpoint (/varz, /routez, /jsz): the error,
// or "HTTP <code>" for a reply other than 200; "" when fine.
std::string data_reply_error(const MonitorReply& reply);

// GET monitor_url + path under `deadline`.
MonitorReply get_monitor(const std::string& monitor_url, std::string_view path, Deadline deadline);

// Calls fn(ref) for every server at the same time, each on its own thread,
// and returns the results in the order of `refs`. fn must not throw.
template <class Fn>
auto for_each_server(const std::vector<ServerRef>& refs, Fn fn) {
  using R = std::invoke_result_t<Fn&, const ServerRef&>;
  std::vector<std::future<R>> futures;
  futures.reserve(refs.size());
  for (const auto& ref : refs) futures.push_back(std::async(std::launch::async, [&fn, &ref] { return fn(ref); }));
  std::vector<R> results;
  results.reserve(refs.size());
  for (auto& f : futures) results.push_back(f.get());
  return results;
}

}  // namespace rr::nats
