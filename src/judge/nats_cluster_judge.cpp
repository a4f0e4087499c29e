#include "judge/nats_cluster_judge.h"

#include <algorithm>
#include <map>
#include <set>

#include "judge/nats_cluster_view.h"
#include "common/text.h"
#include "judge/step_facts.h"

namespace rr {
namespace {

void cluster_down(const ClusterView& v, FindingSet& set) {
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.cluster_down";
  std::string name = v.cluster.empty() ? "the NATS cluster" : "NATS cluster " + v.cluster;
  f.title = "No server of " + name + " answered";
  f.detail = "None of the " + std::to_string(v.servers.size()) +
             " configured servers answered any read. Either every node is down or the responder cannot reach "
             "them: check the network from here before restarting anything.";
  f.evidence = v.silence_evidence;
  f.values["cluster"] = v.cluster;
  f.values["servers"] = std::to_string(v.servers.size());
  if (!v.servers.empty()) {
    f.values["seed_host"] = v.servers[0].host;
    f.values["seed_monitor"] = v.servers[0].monitor;
    f.values["seed_client"] = v.servers[0].client;
  }
  set.add(std::move(f));
}

const MetaPeerView* meta_peer(const ClusterView& v, const std::string& name) {
  for (const auto& p : v.meta_peers) {
    if (!name.empty() && p.name == name) return &p;
  }
  return nullptr;
}

std::set<std::string> live_names(const ClusterView& v) {
  std::set<std::string> live;
  for (const auto& s : v.servers) {
    if (s.reached && !s.name.empty()) live.insert(s.name);
  }
  return live;
}

// "1 of the 3 configured servers answer; the cluster has 3 servers."
std::string answering_text(const ClusterView& v, std::size_t live) {
  std::string text = std::to_string(live) + " of the " + std::to_string(v.servers.size()) + " configured servers answer";
  if (v.cluster_size > static_cast<std::int64_t>(v.servers.size())) {
    text += "; the JetStream meta group has " + std::to_string(v.cluster_size) + " servers";
  }
  return text + ".";
}

// A configured server that no monitoring step reached.
void server_down(const ClusterView& v, const ServerView& s, std::size_t live, FindingSet& set) {
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.server_down";
  f.title = "NATS server " + s.label() + (s.invalid_reply ? " does not answer as a NATS server" : " is down");
  f.detail = s.invalid_reply ? "Its monitoring endpoint " + s.monitor + " answers, but not as NATS does (" +
                                   s.miss_error + "): another process or a proxy may hold the port, or the server is broken."
                             : "Its monitoring endpoint " + s.monitor + " did not answer" +
                                   (s.miss_error.empty() ? "" : " (" + s.miss_error + ")") + ".";
  if (!s.name.empty() && !s.name_source.empty()) f.detail += " It is " + s.name + ": " + s.name_source + ".";
  if (s.name.empty() && !v.unplaced_names.empty()) {
    f.detail += " Its name is one of: " + join(v.unplaced_names) + ".";
  }
  f.detail += " " + answering_text(v, live);
  f.evidence = s.miss_evidence;
  if (const OfflinePeer* o = offline_peer(v, s.name)) {
    f.evidence.insert(f.evidence.end(), o->evidence.begin(), o->evidence.end());
  } else if (const MetaPeerView* p = meta_peer(v, s.name)) {
    f.evidence.push_back(v.meta_peers_step + ": meta leader " + v.meta_leader + " sees " + p->name +
                         (p->current ? " current" : " not current") + ", last heard " + nanos_text(p->active_ns) +
                         " ago, lag " + std::to_string(p->lag));
  }
  f.values = {{"server", s.label()}, {"name", s.name},     {"host", s.host},
              {"monitor", s.monitor}, {"client", s.client}, {"index", std::to_string(s.index)}};
  set.add(std::move(f), s.name.empty() ? "#" + std::to_string(s.index) : s.name);
}

// A server a leader reports offline that is not among the configured ones:
// known only by name.
void peer_down(const ClusterView& v, const OfflinePeer& p, std::size_t live, FindingSet& set) {
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.server_down";
  f.title = "NATS server " + p.name + " is down";
  f.detail = "It is offline: " + p.source + ". It is not among the servers configured for " +
             (v.cluster.empty() ? std::string("this cluster") : "cluster " + v.cluster) +
             ", so the responder could not ask it directly, and its address is not known: the host given for it "
             "is the server's name, as the runbook addresses the nodes (ssh root@" + p.name + "). " +
             answering_text(v, live);
  f.evidence = p.evidence;
  f.values = {{"server", p.name}, {"name", p.name}, {"host", p.name}};
  set.add(std::move(f), p.name);
}

// A meta peer the leader sees behind (or still offline although it
// answers): a server that is up but not keeping up with the meta group.
void peer_lagging(const ClusterView& v, const MetaPeerView& p, FindingSet& set) {
  std::string host = p.name;
  for (const auto& s : v.servers) {
    if (s.name == p.name && !s.host.empty()) host = s.host;
  }
  std::string state = p.offline ? "offline" : (p.current ? "current" : "not current");
  Finding f;
  f.severity = Severity::Warning;
  f.code = "nats.peer_lagging";
  f.title = "JetStream meta peer " + p.name + " is behind";
  f.detail = "The meta leader " + v.meta_leader + " sees " + p.name + " " + state + ", " + std::to_string(p.lag) +
             " operations behind, last heard " + nanos_text(p.active_ns) +
             " ago (thresholds: 200 operations, 5s)." +
             (p.offline ? " The server answers, so it has probably just restarted and is rejoining." : "");
  f.evidence.push_back(v.meta_peers_step + ": meta leader " + v.meta_leader + " sees peer " + p.name + " " + state +
                       ", lag " + std::to_string(p.lag) + ", last heard " + nanos_text(p.active_ns) + " ago");
  f.values = {{"server", p.name},
              {"name", p.name},
              {"host", host},
              {"leader", v.meta_leader},
              {"current", p.current ? "true" : "false"},
              {"lag", std::to_string(p.lag)},
              {"last_seen", nanos_text(p.active_ns)}};
  set.add(std::move(f), p.name);
}

void health_problems(const ServerView& s, FindingSet& set) {
  for (const auto& h : s.health) {
    bool main_bad = h.code != 200, js_bad = h.js_code != 200;
    if (!main_bad && !js_bad) continue;
    int code = main_bad ? h.code : h.js_code;
    std::string error = main_bad ? h.error : h.js_error;
    std::string endpoint = main_bad ? "/healthz" : "/healthz?js-enabled-only=true";
    Finding f;
    f.code = "nats.server_unhealthy";
    // "... is not current" is a stream or consumer catching up after a
    // restart: it clears by itself within seconds.
    f.severity = error.find("not current") != std::string::npos ? Severity::Warning : Severity::Critical;
    f.title = "NATS server " + s.label() + " reports unhealthy: " + (error.empty() ? "HTTP " + std::to_string(code) : error);
    f.detail = endpoint + " on " + s.monitor + " answered " + std::to_string(code) +
               (error.empty() ? "." : " \"" + error + "\".");
    f.evidence.push_back(h.step + ": " + s.label() + " " + endpoint + " " + std::to_string(code) +
                         (error.empty() ? "" : " (" + error + ")"));
    f.values = {{"server", s.label()}, {"host", s.host}, {"monitor", s.monitor},
                {"code", std::to_string(code)}, {"error", error}};
    set.add(std::move(f), std::to_string(s.index));
  }
}

void routes_missing(const ClusterView& v, const ServerView& s, FindingSet& set) {
  const int expected = expected_routes(v, s);
  if (!s.routes || *s.routes < 0 || expected < 0 || *s.routes >= expected) return;
  // Every server known by name, and those known to be down.
  std::set<std::string> all, down;
  const std::set<std::string> live = live_names(v);
  for (const auto& o : v.servers) {
    if (o.name.empty()) continue;
    all.insert(o.name);
    if (!o.reached) down.insert(o.name);
  }
  for (const auto& p : v.meta_peers) {
    if (!p.name.empty()) all.insert(p.name);
  }
  for (const auto& p : v.offline_peers) {
    all.insert(p.name);
    if (!live.count(p.name)) down.insert(p.name);
  }
  if (!v.meta_leader.empty()) all.insert(v.meta_leader);
  // Route peers are named only when they are configured servers; the others
  // are ids, and could be any server not named here.
  std::size_t named = 0;
  for (const auto& p : s.route_peers) named += all.count(p);
  const std::size_t unnamed = std::max<std::size_t>(static_cast<std::size_t>(*s.routes), s.route_peers.size()) - named;
  std::vector<std::string> missing, missing_down;
  for (const auto& n : all) {
    if (n == s.name || std::find(s.route_peers.begin(), s.route_peers.end(), n) != s.route_peers.end()) continue;
    // With unnamed routes only a server known down is certainly missing.
    if (unnamed > 0 && !down.count(n)) continue;
    missing.push_back(n);
    if (down.count(n)) missing_down.push_back(n);
  }
  const std::size_t deficit = static_cast<std::size_t>(expected - *s.routes);
  Finding f;
  f.severity = Severity::Warning;
  f.code = "nats.routes_missing";
  std::string counts = std::to_string(*s.routes) + " of " + std::to_string(expected);
  f.title = "NATS server " + s.label() + " has " + counts + " routes";
  f.detail = "A full mesh of " + std::to_string(expected + 1) + " servers has " + std::to_string(expected) +
             " routes on every node (" +
             (expected == v.expected_routes ? std::to_string(expected + 1) + " servers are configured"
                                            : s.label() + " reports a JetStream meta group of " +
                                                  std::to_string(expected + 1) + " servers") +
             ").";
  if (!missing.empty()) f.detail += " No route to " + join(missing) + ".";
  if (missing.size() < deficit) f.detail += " Which other server it lacks a route to is not known.";
  if (!missing.empty() && missing_down.size() == missing.size() && missing.size() >= deficit) {
    f.detail += " Explained by the server(s) down.";
  } else {
    f.detail += " A live server without a route to another points at a network partition.";
  }
  f.evidence.push_back(s.routes_step + ": " + s.label() + " routes=" + std::to_string(*s.routes) + ", expected " +
                       std::to_string(expected) +
                       (s.route_peers.empty() ? "" : " (peers: " + join(s.route_peers) + ")"));
  f.values = {{"server", s.label()},
              {"host", s.host},
              {"monitor", s.monitor},
              {"routes", std::to_string(*s.routes)},
              {"expected", std::to_string(expected)},
              {"missing", join(missing)}};
  set.add(std::move(f), std::to_string(s.index));
}

// Groups "value -> servers" as "n1 by n1; n2 by n2, n3".
std::string claims_text(const std::map<std::string, std::vector<std::string>>& by_value) {
  std::string out;
  for (const auto& [value, servers] : by_value) {
    out += (out.empty() ? "" : "; ") + (value.empty() ? "none" : value) + " by " + join(servers);
  }
  return out;
}

std::vector<std::string> labels(const Partition& p) {
  std::vector<std::string> out;
  for (const ServerView* s : p.servers) out.push_back(s->label());
  return out;
}

// "CIM-EVENTS 150, ORDERS 7" for the highest sequence the side's servers hold
// of each stream, at most kShownStreams streams.
constexpr std::size_t kShownStreams = 5;
std::string side_sequences(const Partition& p) {
  std::map<std::string, std::uint64_t> last;
  for (const ServerView* s : p.servers) {
    for (const auto& st : s->streams) {
      if (!st.last_seq) continue;
      auto& seq = last[st.name];
      seq = std::max(seq, *st.last_seq);
    }
  }
  std::string out;
  std::size_t shown = 0;
  for (const auto& [name, seq] : last) {
    if (shown++ == kShownStreams) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(seq);
  }
  return out;
}

std::string side_text(const Partition& p) {
  return join(labels(p)) + " (meta leader " + (p.leaders.empty() ? std::string("none") : join(p.leaders)) + ")";
}

// One finding per server of the minority, so that a rule's `when` suggests
// the runbook's steps once per node to stop, clear and restart.
void minority_server(const Partition& side, const Partition& majority, const ServerView& s, FindingSet& set) {
  std::string leader = side.leaders.empty() ? "" : join(side.leaders);
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.split_brain_minority";
  f.title = "NATS server " + s.label() + " is in the minority partition";
  f.detail = s.label() + " is on the side " + side_text(side) + ", cut off from the majority " + side_text(majority) +
             ". Runbook section 2: stop it, clear its JetStream state (losing what only it holds) and start it "
             "again so that it rejoins the majority.";
  std::string seq = side_sequences(side);
  f.evidence.push_back("partition: " + s.label() + " on the side " + side_text(side) +
                       (seq.empty() ? "" : ", holding " + seq));
  f.values = {{"server", s.label()},
              {"name", s.name},
              {"host", s.host},
              {"monitor", s.monitor},
              {"leader", leader},
              {"majority", join(labels(majority))},
              {"majority_leader", majority.leaders.empty() ? "" : join(majority.leaders)},
              {"sequences", seq}};
  set.add(std::move(f), s.name.empty() ? "#" + std::to_string(s.index) : s.name);
}

// Servers of one step that name different meta leaders or cluster sizes, or
// that fall apart into partitions: split brain, with both sides named.
void split_brain(const ClusterView& v, const std::string& step,
                 const std::map<std::string, std::vector<std::string>>& leaders,
                 const std::map<std::string, std::vector<std::string>>& sizes, FindingSet& set) {
  PartitionReport parts = partitions_of(v, step);
  const Partition* majority = nullptr;
  std::vector<const Partition*> minority;
  for (const auto& p : parts.partitions) {
    if (p.majority && majority == nullptr) {
      majority = &p;
    } else {
      minority.push_back(&p);
    }
  }
  std::vector<std::string> minority_names, sides, sequences;
  for (const Partition* p : minority) {
    for (const auto& l : labels(*p)) minority_names.push_back(l);
  }
  for (const auto& p : parts.partitions) {
    sides.push_back((p.majority ? "majority " : "minority ") + side_text(p));
    if (std::string seq = side_sequences(p); !seq.empty()) {
      sequences.push_back((p.majority ? "majority " : "minority ") + join(labels(p)) + ": " + seq);
    }
  }
  const std::string size = std::to_string(parts.cluster_size);
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.split_brain";
  if (parts.partitions.size() > 1 && majority != nullptr) {
    f.title = "NATS split brain: " + join(minority_names) + " cut off from the majority " + join(labels(*majority));
    f.detail = "The servers form " + std::to_string(parts.partitions.size()) + " partitions: " + join(sides, "; ") +
               ". The majority holds more than half of the " + size +
               " servers of the meta group and is authoritative; stop the minority, clear its JetStream state and "
               "restart it to rejoin (runbook: split brain recovery).";
  } else if (parts.partitions.size() > 1) {
    f.title = "NATS split brain: no partition holds a majority";
    f.detail = "The servers form " + std::to_string(parts.partitions.size()) + " partitions: " + join(sides, "; ") +
               ". None holds more than half of the " + size +
               " servers of the meta group, so JetStream has no quorum anywhere. Pick the authoritative side by "
               "the stream sequences and the event monitor before clearing anything; the network between the "
               "nodes comes first.";
  } else {
    f.title = "NATS servers disagree about the JetStream meta group";
    f.detail = "The servers are connected but do not agree. Either an election is under way (check again in a few "
               "seconds) or a server runs with a different view of the cluster (its configured routes or cluster "
               "size): a split brain in the making.";
  }
  f.detail += " Meta leader: " + claims_text(leaders) + ". Cluster size: " + claims_text(sizes) + ".";
  if (!sequences.empty()) f.detail += " Stream sequences: " + join(sequences, "; ") + ".";
  f.evidence.push_back(step + ": meta leader " + claims_text(leaders) + "; cluster size " + claims_text(sizes));
  for (const auto& p : parts.partitions) {
    std::vector<std::string> routes;
    for (const ServerView* s : p.servers) {
      if (s->routes) routes.push_back(s->label() + " routes=" + std::to_string(*s->routes));
    }
    if (!routes.empty()) f.evidence.push_back(p.servers.front()->routes_step + ": " + join(routes));
  }
  for (const auto& line : sequences) f.evidence.push_back("stream sequences: " + line);
  f.values = {{"majority", majority ? join(labels(*majority)) : ""},
              {"minority", join(minority_names)},
              {"majority_leader", majority && !majority->leaders.empty() ? join(majority->leaders) : ""},
              {"leaders", claims_text(leaders)},
              {"cluster_sizes", claims_text(sizes)},
              {"cluster_size", size},
              {"sequences", join(sequences, "; ")}};
  set.add(std::move(f));
  if (majority == nullptr) return;  // no side to rejoin: nothing to stop yet
  for (const Partition* p : minority) {
    for (const ServerView* s : p->servers) minority_server(*p, *majority, *s, set);
  }
}

void meta_group(const ClusterView& v, FindingSet& set) {
  // Claims are compared within one step: the servers were asked at the same
  // moment, while two steps may straddle an election.
  std::map<std::string, std::vector<std::pair<const ServerView*, const MetaClaim*>>> by_step;
  std::vector<std::string> step_order;
  for (const auto& s : v.servers) {
    for (const auto& c : s.meta) {
      if (!by_step.count(c.step)) step_order.push_back(c.step);
      by_step[c.step].push_back({&s, &c});
    }
  }
  if (by_step.empty()) return;

  bool any_leader = false;
  std::vector<std::string> asked;
  for (const auto& step : step_order) {
    std::map<std::string, std::vector<std::string>> leaders, sizes;
    for (const auto& [s, c] : by_step[step]) {
      leaders[c->leader].push_back(s->label());
      sizes[c->cluster_size ? std::to_string(*c->cluster_size) : "?"].push_back(s->label());
      if (!c->leader.empty()) any_leader = true;
      if (std::find(asked.begin(), asked.end(), s->label()) == asked.end()) asked.push_back(s->label());
    }
    // "" counts as a leader: a server that lost it disagrees with the others.
    bool partitioned = partitions_of(v, step).partitions.size() > 1;
    if (leaders.size() > 1 || sizes.size() > 1 || partitioned) {
      split_brain(v, step, leaders, sizes, set);
    } else if (leaders.size() == 1 && !leaders.begin()->first.empty() && !set.contains("nats.meta_leader")) {
      Finding f;
      f.severity = Severity::Info;
      f.code = "nats.meta_leader";
      const std::string& leader = leaders.begin()->first;
      std::string size = sizes.begin()->first;
      f.title = "JetStream meta leader is " + leader;
      f.detail = "Named by " + join(leaders.begin()->second) + "; cluster size " + size + ".";
      f.evidence.push_back(step + ": meta leader " + leader + " (seen by " + join(leaders.begin()->second) +
                           "), cluster size " + size);
      f.values = {{"leader", leader}, {"seen_by", join(leaders.begin()->second)}, {"cluster_size", size}};
      set.add(std::move(f));
    }
  }
  if (!any_leader) {
    Finding f;
    f.severity = Severity::Critical;
    f.code = "nats.no_meta_leader";
    f.title = "No JetStream meta leader";
    f.detail = join(asked) + " answer but know no meta leader: JetStream has lost quorum (more than half of the "
               "servers are down or cut off). Streams cannot be created, changed or, without their own "
               "quorum, written.";
    for (const auto& step : step_order) f.evidence.push_back(step + ": no meta leader seen by " + join(asked));
    f.values = {{"servers", join(asked)}};
    set.add(std::move(f));
  }
}

}  // namespace

void NatsClusterJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                             std::vector<Finding>& out) const {
  ClusterView v = build_cluster_view(steps, ctx);
  if (!v.any_step) return;
  FindingSet set;
  if (!v.any_answer) cluster_down(v, set);
  // First, so that a split brain leads the critical findings: it explains
  // the unhealthy servers and missing routes that follow.
  meta_group(v, set);
  std::size_t live = std::count_if(v.servers.begin(), v.servers.end(), [](const ServerView& s) { return s.reached; });
  std::set<std::string> down_names;
  bool unnamed_down = false;
  for (const auto& s : v.servers) {
    if (!s.missed || s.reached) continue;
    server_down(v, s, live, set);
    if (s.name.empty()) unnamed_down = true;
    down_names.insert(s.name);
  }
  // Servers the leaders report offline that are not configured (or not
  // recognised among the configured ones). While a configured server that
  // is down has no name, any of them may be it: its finding lists them.
  const std::set<std::string> live_set = live_names(v);
  for (const auto& p : v.offline_peers) {
    if (live_set.count(p.name) || down_names.count(p.name) || unnamed_down) continue;
    peer_down(v, p, live, set);
    down_names.insert(p.name);
  }
  for (const auto& p : v.meta_peers) {
    if (p.name.empty() || down_names.count(p.name)) continue;
    if (p.offline ? live_set.count(p.name) > 0 : thresholds_of(ctx).replica_behind(p.current, p.lag, p.active_ns))
      peer_lagging(v, p, set);
  }
  for (const auto& s : v.servers) {
    if (!s.reached) continue;
    health_problems(s, set);
    routes_missing(v, s, set);
  }
  set.move_to(out);
}

}  // namespace rr
