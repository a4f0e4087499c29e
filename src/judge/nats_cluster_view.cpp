#include "judge/nats_cluster_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/time.h"
#include "judge/step_facts.h"
#include "net/http.h"
#include "steps/nats/jetstream_report.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_int;
using nats::get_string;
using nats::get_uint;

// Indexes come from our own facts; the bound only keeps a corrupted value
// from allocating the world.
constexpr int kMaxServers = 256;

// "nats://user:pw@host:4222" -> "host".
std::string host_of_client_url(const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  if (auto p = rest.rfind('@'); p != std::string::npos) rest = rest.substr(p + 1);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    return close == std::string::npos ? rest.substr(1) : rest.substr(1, close - 1);
  }
  return rest.substr(0, rest.find_first_of(":/"));
}

std::string host_port(const std::string& url) {
  auto parsed = parse_url(url);
  if (!parsed) return url;
  return parsed->host + ":" + std::to_string(parsed->port);
}

// Why a reply that arrived is not one a NATS server sends (not a JSON object,
// over the size cap, an HTTP error for a data endpoint); "" when it is fine
// or nothing arrived.
std::string invalid_reply(const nlohmann::json& s) {
  if (!get_bool(s, "reachable")) return "";
  if (std::string e = get_string(s, "error"); !e.empty()) return e;
  for (const char* endpoint : {"healthz", "healthz_js"}) {
    const auto& h = field(s, endpoint);
    if (get_bool(h, "invalid")) return get_string(h, "error");
  }
  return "";
}

// A per-server fact whose reply can be read as a NATS server's.
bool usable(const nlohmann::json& s) { return get_bool(s, "reachable") && invalid_reply(s).empty(); }

class Builder {
 public:
  explicit Builder(const JudgeContext& ctx) {
    if (ctx.cluster == nullptr) return;
    view_.cluster = ctx.cluster->name;
    const auto& c = *ctx.cluster;
    for (std::size_t i = 0; i < c.monitor.size() && i < kMaxServers; ++i) {
      server(static_cast<int>(i), c.monitor[i], i < c.servers.size() ? c.servers[i] : "");
    }
    if (!c.monitor.empty()) view_.expected_routes = static_cast<int>(c.monitor.size()) - 1;
  }

  // The view of the server a per-server fact describes, or null.
  ServerView* server_of(const StepResult& step, const nlohmann::json& s) {
    auto index = get_int(s, "index");
    if (!index || *index < 0 || *index >= kMaxServers) return nullptr;
    ServerView* v = server(static_cast<int>(*index), get_string(s, "monitor"), get_string(s, "client"));
    if (usable(s)) {
      v->reached = true;
      view_.any_answer = true;
    } else if (std::string invalid = invalid_reply(s); !invalid.empty()) {
      // Something answers on the port, but not as NATS: another process, a
      // proxy's error page. Not a server we can read.
      v->missed = true;
      v->invalid_reply = true;
      if (v->miss_error.empty()) v->miss_error = invalid;
      v->miss_evidence.push_back(step.id + ": " + v->monitor + " answered, but not as a NATS server does (" + invalid + ")");
    } else {
      v->missed = true;
      std::string error = get_string(s, "error");
      if (v->miss_error.empty()) v->miss_error = error;
      v->miss_evidence.push_back(step.id + ": " + v->monitor + " unreachable" + (error.empty() ? "" : " (" + error + ")"));
    }
    return v;
  }

  void note_step(const StepResult& step) {
    view_.any_step = true;
    if (view_.cluster.empty()) view_.cluster = get_string(step.facts, "cluster");
  }

  void add_health(const StepResult& step) {
    note_step(step);
    for (const auto& s : field(step.facts, "servers")) {
      ServerView* v = server_of(step, s);
      if (v == nullptr || !usable(s)) continue;
      HealthView h;
      h.step = step.id;
      h.code = static_cast<int>(get_int(field(s, "healthz"), "code").value_or(0));
      h.error = get_string(field(s, "healthz"), "error");
      h.js_code = static_cast<int>(get_int(field(s, "healthz_js"), "code").value_or(0));
      h.js_error = get_string(field(s, "healthz_js"), "error");
      v->health.push_back(std::move(h));
    }
  }

  void add_server_list(const StepResult& step) {
    note_step(step);
    if (auto e = get_int(step.facts, "expected_routes"); e && *e >= 0) view_.expected_routes = static_cast<int>(*e);
    for (const auto& s : field(step.facts, "servers")) {
      ServerView* v = server_of(step, s);
      if (v == nullptr || !usable(s)) continue;
      if (std::string name = get_string(s, "server_name"); !name.empty()) v->name = name;
      if (auto r = get_int(s, "routes")) {
        v->routes = *r;
        v->routes_step = step.id;
        v->route_peers.clear();
        for (const auto& p : field(s, "route_peers")) {
          if (p.is_string()) v->route_peers.push_back(p.get<std::string>());
        }
      }
      add_meta(step, *v, s);
    }
  }

  void add_jetstream_report(const StepResult& step) {
    note_step(step);
    for (const auto& s : field(step.facts, "servers")) {
      ServerView* v = server_of(step, s);
      if (v == nullptr || !usable(s)) continue;
      if (std::string name = get_string(s, "server_name"); !name.empty() && v->name.empty()) v->name = name;
      add_meta(step, *v, s);
      for (const auto& st : field(s, "stream_detail")) {
        if (v->streams.size() >= nats::kMaxReportStreams * 4) break;  // a bound against corrupted facts
        std::string name = get_string(st, "name");
        if (name.empty()) continue;
        v->streams.push_back({step.id, name, get_uint(st, "last_seq"), get_uint(st, "messages"),
                              get_string(st, "leader")});
      }
    }
  }

  // The JetStream API steps say whether any server answered and, through
  // the stream leaders' replica lists, which servers are offline.
  void add_api_step(const StepResult& step) {
    note_step(step);
    if (get_bool(step.facts, "reachable")) {
      view_.any_answer = true;
      const auto& repl = field(step.facts, "replication");
      if (get_bool(step.facts, "found")) {
        add_stream_replicas(step, get_string(step.facts, "stream"), get_string(repl, "leader"), field(repl, "replicas"));
      }
      for (const auto& st : field(step.facts, "streams")) {
        add_stream_replicas(step, get_string(st, "name"), get_string(st, "leader"), field(st, "replicas"));
      }
      return;
    }
    std::string errors;
    for (const auto& e : field(step.facts, "connect_errors")) {
      errors += (errors.empty() ? "" : "; ") + get_string(e, "server") + ": " + get_string(e, "error");
    }
    view_.silence_evidence.push_back(step.id + ": no server answered" + (errors.empty() ? "" : " (" + errors + ")"));
  }

  ClusterView finish() {
    // One line per server is enough to show that nothing answered.
    std::vector<std::string> per_server;
    for (const auto& s : view_.servers) {
      if (!s.reached && !s.miss_evidence.empty()) per_server.push_back(s.miss_evidence.front());
    }
    view_.silence_evidence.insert(view_.silence_evidence.begin(), per_server.begin(), per_server.end());
    name_down_servers();
    return std::move(view_);
  }

 private:
  ServerView* server(int index, const std::string& monitor, const std::string& client) {
    if (static_cast<std::size_t>(index) >= view_.servers.size()) {
      std::size_t old = view_.servers.size();
      view_.servers.resize(static_cast<std::size_t>(index) + 1);
      for (std::size_t i = old; i < view_.servers.size(); ++i) view_.servers[i].index = static_cast<int>(i);
    }
    ServerView& v = view_.servers[static_cast<std::size_t>(index)];
    if (v.monitor.empty() && !monitor.empty()) v.monitor = monitor;
    if (v.client.empty() && !client.empty()) v.client = client;
    if (v.host.empty()) {
      if (auto url = parse_url(v.monitor)) {
        v.host = url->host;
      } else if (!v.client.empty()) {
        v.host = host_of_client_url(v.client);
      }
    }
    return &v;
  }

  void add_meta(const StepResult& step, ServerView& v, const nlohmann::json& s) {
    if (!field(s, "meta_leader").is_string()) return;  // JetStream off, or not clustered
    auto size = get_int(s, "meta_cluster_size");
    MetaClaim claim{step.id, get_string(s, "meta_leader"), size, {}};
    if (size && *size > view_.cluster_size) view_.cluster_size = *size;
    const auto& peers = field(s, "meta_replicas");
    if (peers.is_array()) {
      for (const auto& p : peers) {
        if (claim.peers.size() >= static_cast<std::size_t>(kMaxServers)) break;
        claim.peers.push_back({get_string(p, "name"), get_bool(p, "current"), get_bool(p, "offline"),
                               get_uint(p, "active_ns").value_or(0), get_uint(p, "lag").value_or(0)});
      }
    }
    v.meta.push_back(std::move(claim));
    if (!peers.is_array()) return;
    const std::string leader = get_string(s, "meta_leader");
    // Every step's list of offline peers is evidence ...
    for (const auto& p : peers) {
      if (!get_bool(p, "offline")) continue;
      std::string name = get_string(p, "name");
      add_offline(name, "the meta leader " + leader + " lists it offline",
                  step.id + ": meta leader " + leader + " reports peer " + name + " offline, last heard " +
                      nanos_text(get_uint(p, "active_ns").value_or(0)) + " ago, lag " +
                      std::to_string(get_uint(p, "lag").value_or(0)));
    }
    // ... but one list is enough for the peers' states: keep the first.
    if (!view_.meta_peers_step.empty()) return;
    view_.meta_leader = leader;
    view_.meta_peers_step = step.id;
    for (const auto& p : peers) {
      view_.meta_peers.push_back({get_string(p, "name"), get_bool(p, "current"), get_bool(p, "offline"),
                                  get_uint(p, "active_ns").value_or(0), get_uint(p, "lag").value_or(0)});
    }
  }

  void add_stream_replicas(const StepResult& step, const std::string& stream, const std::string& leader,
                           const nlohmann::json& replicas) {
    for (const auto& r : replicas) {
      if (!get_bool(r, "offline")) continue;
      std::string name = get_string(r, "name");
      add_offline(name, "the leader " + leader + " of stream " + stream + " lists it offline",
                  step.id + ": stream leader " + leader + " reports replica " + name + " of " + stream +
                      " offline, last heard " + nanos_text(get_uint(r, "active_ns").value_or(0)) + " ago");
    }
  }

  void add_offline(const std::string& name, const std::string& source, std::string evidence) {
    if (name.empty()) return;
    auto& peers = view_.offline_peers;
    auto it = std::find_if(peers.begin(), peers.end(), [&](const OfflinePeer& p) { return p.name == name; });
    if (it == peers.end()) it = peers.insert(peers.end(), OfflinePeer{name, source, {}});
    if (std::find(it->evidence.begin(), it->evidence.end(), evidence) == it->evidence.end()) {
      it->evidence.push_back(std::move(evidence));
    }
  }

  // A down server's name comes from the leaders' reports: the servers they
  // list offline that no live server answers to, else the meta peers that
  // no live server answers to and that are behind (a peer that is current
  // is alive, merely not configured here). With one such name and one down
  // server the match is certain; otherwise a name equal to the host (or its
  // first label) decides.
  void name_down_servers() {
    std::set<std::string> live;
    for (const auto& s : view_.servers) {
      if (s.reached && !s.name.empty()) live.insert(s.name);
    }
    std::map<std::string, std::string> source;  // candidate -> how it was found
    std::vector<std::string> candidates;
    for (const auto& p : view_.offline_peers) {
      if (live.count(p.name)) continue;
      candidates.push_back(p.name);
      source[p.name] = p.source;
    }
    if (candidates.empty()) {
      for (const auto& p : view_.meta_peers) {
        if (p.name.empty() || live.count(p.name) || !peer_behind(p.current, p.lag, p.active_ns)) continue;
        candidates.push_back(p.name);
        source[p.name] = "the only meta group member no live server answers to";
      }
    }
    std::vector<ServerView*> down;
    for (auto& s : view_.servers) {
      if (!s.reached && s.missed && s.name.empty()) down.push_back(&s);
    }
    if (down.size() == 1 && candidates.size() == 1) {
      down[0]->name = candidates[0];
      down[0]->name_source = source[candidates[0]];
      return;
    }
    for (ServerView* s : down) {
      for (auto it = candidates.begin(); it != candidates.end(); ++it) {
        const std::string& c = *it;
        bool host_match = s->host == c || (s->host.size() > c.size() && s->host.compare(0, c.size(), c) == 0 &&
                                           s->host[c.size()] == '.');
        if (!host_match) continue;
        s->name = c;
        s->name_source = source[c] + ", and the host is named after it";
        candidates.erase(it);
        break;
      }
    }
    view_.unplaced_names = candidates;
  }

  ClusterView view_;
};

}  // namespace

std::string ServerView::label() const {
  if (!name.empty()) return name;
  if (!monitor.empty()) return host_port(monitor);
  return client.empty() ? "server " + std::to_string(index) : client;
}

bool peer_behind(bool current, std::uint64_t lag, std::uint64_t active_ns) {
  return !current || lag > kMaxPeerLag || active_ns > kMaxPeerSilenceNs;
}

const OfflinePeer* offline_peer(const ClusterView& view, const std::string& name) {
  for (const auto& p : view.offline_peers) {
    if (!name.empty() && p.name == name) return &p;
  }
  return nullptr;
}

int expected_routes(const ClusterView& view, const ServerView& server) {
  std::int64_t size = 0;
  for (const auto& c : server.meta) size = std::max(size, c.cluster_size.value_or(0));
  // The bound only keeps a hostile cluster size from overflowing an int.
  size = std::min<std::int64_t>(size, kMaxServers * 16);
  return std::max(view.expected_routes, static_cast<int>(size) - 1);
}

std::string nanos_text(std::uint64_t ns) {
  return format_duration(Nanos(static_cast<std::int64_t>(std::min<std::uint64_t>(ns, INT64_MAX))));
}

namespace {

// Union-find over the indexes of one step's servers.
struct Sides {
  std::vector<std::size_t> parent;
  explicit Sides(std::size_t n) : parent(n) {
    for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  }
  std::size_t root(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) { parent[root(a)] = root(b); }
};

bool has_route(const ServerView& a, const ServerView& b) {
  auto names = [](const ServerView& from, const ServerView& to) {
    return !to.name.empty() &&
           std::find(from.route_peers.begin(), from.route_peers.end(), to.name) != from.route_peers.end();
  };
  return names(a, b) || names(b, a);
}

}  // namespace

PartitionReport partitions_of(const ClusterView& view, const std::string& step) {
  PartitionReport report;
  report.step = step;
  std::vector<std::pair<const ServerView*, const MetaClaim*>> members;
  for (const auto& s : view.servers) {
    for (const auto& c : s.meta) {
      if (c.step != step) continue;
      members.push_back({&s, &c});
      report.cluster_size = std::max(report.cluster_size, c.cluster_size.value_or(0));
      break;
    }
  }
  if (report.cluster_size == 0) report.cluster_size = static_cast<std::int64_t>(view.servers.size());
  report.routes_known = !members.empty() && std::all_of(members.begin(), members.end(), [](const auto& m) {
    return m.first->routes.has_value();
  });

  // Each leader's view of whom it hears from: true heard, false silent or
  // offline, absent unknown.
  std::map<std::string, std::map<std::string, bool>> heard;
  for (const auto& [server, claim] : members) {
    if (claim->leader.empty() || claim->leader != server->name || claim->peers.empty()) continue;
    auto& h = heard[claim->leader];
    h[claim->leader] = true;
    for (const auto& p : claim->peers) h[p.name] = !p.offline && p.active_ns <= kMaxPeerSilenceNs;
  }
  auto hears = [&](const std::string& leader, const ServerView& s) -> std::optional<bool> {
    auto view = heard.find(leader);
    if (view == heard.end() || s.name.empty()) return std::nullopt;
    auto it = view->second.find(s.name);
    if (it == view->second.end()) return std::nullopt;
    return it->second;
  };

  Sides sides(members.size());
  for (std::size_t a = 0; a < members.size(); ++a) {
    for (std::size_t b = a + 1; b < members.size(); ++b) {
      const ServerView& sa = *members[a].first;
      const ServerView& sb = *members[b].first;
      const std::string& la = members[a].second->leader;
      const std::string& lb = members[b].second->leader;
      bool same = false;
      if (!la.empty() && la == lb) {
        same = hears(la, sa) != false && hears(la, sb) != false;
      } else if (la.empty() && !lb.empty()) {
        same = hears(lb, sa) == true;
      } else if (!la.empty() && lb.empty()) {
        same = hears(la, sb) == true;
      } else if (la.empty() && lb.empty()) {
        same = !report.routes_known || has_route(sa, sb);
      }
      if (same) sides.join(a, b);
    }
  }
  std::map<std::size_t, std::size_t> slot;  // root -> partition index
  for (std::size_t i = 0; i < members.size(); ++i) {
    std::size_t r = sides.root(i);
    if (!slot.count(r)) {
      slot[r] = report.partitions.size();
      report.partitions.emplace_back();
    }
    Partition& p = report.partitions[slot[r]];
    p.servers.push_back(members[i].first);
    const std::string& leader = members[i].second->leader;
    if (!leader.empty() && std::find(p.leaders.begin(), p.leaders.end(), leader) == p.leaders.end()) {
      p.leaders.push_back(leader);
    }
  }
  for (auto& p : report.partitions) {
    p.majority = static_cast<std::int64_t>(p.servers.size()) * 2 > report.cluster_size;
  }
  std::stable_sort(report.partitions.begin(), report.partitions.end(), [](const Partition& a, const Partition& b) {
    if (a.majority != b.majority) return a.majority;
    return a.servers.size() > b.servers.size();
  });
  return report;
}

ClusterView build_cluster_view(const std::vector<StepResult>& steps, const JudgeContext& ctx) {
  Builder b(ctx);
  for (const auto* s : results_of_kind(steps, "nats.health")) b.add_health(*s);
  // The $SYS kinds report in the same shape as their monitoring-port twins.
  for (const char* kind : {"nats.server_list", "nats.sys_server_list"}) {
    for (const auto* s : results_of_kind(steps, kind)) b.add_server_list(*s);
  }
  for (const char* kind : {"nats.jetstream_report", "nats.sys_jetstream_report"}) {
    for (const auto* s : results_of_kind(steps, kind)) b.add_jetstream_report(*s);
  }
  for (const char* kind : {"nats.stream_list", "nats.stream_info", "nats.consumer_info"}) {
    for (const auto* s : results_of_kind(steps, kind)) b.add_api_step(*s);
  }
  return b.finish();
}

}  // namespace rr
