#include "steps/nats/sys_servers.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/host_port.h"
#include "net/http.h"
#include "steps/nats/json_read.h"

namespace rr::nats {
namespace {

struct Address {
  std::string host;
  int port = 0;  // 0: unknown
};

Address client_address(const std::string& url) {
  if (auto hp = client_url_address(url)) return {hp->host, hp->port};
  return {};
}

Address monitor_address(const std::string& url) {
  if (auto u = parse_url(url)) return {u->host, u->port};
  return {};
}

bool wildcard_host(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

// "nats-1" names host "nats-1" and "nats-1.example.com".
bool named_after(const std::string& name, const std::string& host) {
  if (name.empty()) return false;
  return host == name || (host.size() > name.size() && host.compare(0, name.size(), name) == 0 && host[name.size()] == '.');
}

struct Configured {
  int index;
  Address client, monitor;
  const SysReply* reply = nullptr;
};

}  // namespace

std::optional<HostPort> client_url_address(const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  if (auto p = rest.rfind('@'); p != std::string::npos) rest = rest.substr(p + 1);
  if (auto p = rest.find('/'); p != std::string::npos) rest = rest.substr(0, p);
  if (auto hp = parse_host_port(rest)) return *hp;
  if (auto hp = parse_host_port(rest + ":4222")) return *hp;  // the NATS default port
  return std::nullopt;
}

const SysReply* reply_of(const SysGather& gather, const std::string& id) {
  if (id.empty()) return nullptr;
  for (const auto& r : gather.replies) {
    if (r.server_id == id) return &r;
  }
  return nullptr;
}

SysPlacement place_sys_replies(const ClusterConfig& cluster, const std::string& connected_url,
                               const std::string& connected_id, const SysGather& varz) {
  SysPlacement placement;
  // Only the connected server's own cluster: a gateway forwards PINGs.
  std::string own_cluster;
  if (const SysReply* own = reply_of(varz, connected_id)) own_cluster = own->cluster;
  std::vector<const SysReply*> pending;
  std::set<std::string> seen_ids;
  for (const auto& r : varz.replies) {
    if (!seen_ids.insert(r.server_id).second && !r.server_id.empty()) continue;  // a duplicate answer
    if (!own_cluster.empty() && r.cluster != own_cluster) {
      placement.other_clusters.push_back(r.server_name + " (" + r.cluster + ")");
      continue;
    }
    pending.push_back(&r);
  }

  const std::size_t n = std::max(cluster.servers.size(), cluster.monitor.size());
  std::vector<Configured> configured;
  for (std::size_t i = 0; i < n; ++i) {
    Configured c{static_cast<int>(i), {}, {}};
    if (i < cluster.servers.size()) c.client = client_address(cluster.servers[i]);
    if (i < cluster.monitor.size()) c.monitor = monitor_address(cluster.monitor[i]);
    configured.push_back(c);
  }

  auto take = [&](Configured& c, const SysReply* r) {
    c.reply = r;
    pending.erase(std::find(pending.begin(), pending.end(), r));
  };
  // 1. The server connected to is certain.
  for (auto& c : configured) {
    if (c.index < static_cast<int>(cluster.servers.size()) && cluster.servers[c.index] == connected_url) {
      for (const SysReply* r : pending) {
        if (r->server_id == connected_id) {
          take(c, r);
          break;
        }
      }
      break;
    }
  }
  // 2 and 3: a match rule, accepted only where it pairs one server with one
  // reply.
  auto port_of = [](const SysReply* r, const char* key) { return get_int(r->data, key).value_or(-1); };
  auto unique_pass = [&](const std::function<bool(const Configured&, const SysReply*)>& matches) {
    for (auto& c : configured) {
      if (c.reply != nullptr) continue;
      std::vector<const SysReply*> hits;
      for (const SysReply* r : pending) {
        if (matches(c, r)) hits.push_back(r);
      }
      if (hits.size() != 1) continue;
      int rivals = 0;
      for (const auto& other : configured) {
        if (other.reply == nullptr && matches(other, hits[0])) ++rivals;
      }
      if (rivals == 1) take(c, hits[0]);
    }
  };
  unique_pass([&](const Configured& c, const SysReply* r) {
    if (c.client.port == 0 || port_of(r, "port") != c.client.port) return false;
    std::string host = get_string(r->data, "host");
    return (!wildcard_host(host) && host == c.client.host) || named_after(r->server_name, c.client.host);
  });
  unique_pass([&](const Configured& c, const SysReply* r) {
    if (c.client.port != 0 && port_of(r, "port") != c.client.port) return false;
    if (c.monitor.port != 0 && port_of(r, "http_port") != c.monitor.port) return false;
    return c.client.port != 0 || c.monitor.port != 0;
  });

  const bool unsure = !pending.empty();  // replies no configured server claimed
  int answered = static_cast<int>(varz.replies.size());
  for (const auto& c : configured) {
    SysServer s;
    s.reply = c.reply;
    nlohmann::json& f = s.facts;
    f["index"] = c.index;
    f["monitor"] = c.index < static_cast<int>(cluster.monitor.size()) ? cluster.monitor[c.index] : "";
    f["client"] = c.index < static_cast<int>(cluster.servers.size()) ? cluster.servers[c.index] : "";
    f["configured"] = true;
    f["reachable"] = c.reply != nullptr;
    f["error"] = "";
    if (c.reply == nullptr && unsure) {
      // It may be one of the unplaced answers: do not call it down.
      f.erase("index");
      f["error"] = "could not tell which of the answering servers it is (compare server names and addresses)";
    } else if (c.reply == nullptr) {
      f["error"] = "no reply to " + varz.subject + " (" + std::to_string(answered) +
                   (answered == 1 ? " server" : " servers") + " answered)";
    }
    placement.servers.push_back(std::move(s));
  }
  std::sort(pending.begin(), pending.end(),
            [](const SysReply* a, const SysReply* b) { return a->server_name < b->server_name; });
  int next = static_cast<int>(n);
  for (const SysReply* r : pending) {
    SysServer s;
    s.reply = r;
    s.facts = {{"index", next++}, {"monitor", ""},     {"client", ""},
               {"configured", false}, {"reachable", true}, {"error", ""}};
    placement.servers.push_back(std::move(s));
  }
  for (auto& s : placement.servers) {
    if (s.reply == nullptr) continue;
    s.facts["server_name"] = s.reply->server_name;
    s.facts["server_id"] = s.reply->server_id;
    if (!s.reply->error.empty()) s.facts["error"] = s.reply->error;
  }
  return placement;
}

int sys_expected_routes(const ClusterConfig& cluster, const nlohmann::json& servers) {
  std::set<std::string> names;
  std::int64_t size = static_cast<std::int64_t>(std::max(cluster.servers.size(), cluster.monitor.size()));
  for (const auto& s : servers) {
    if (std::string n = get_string(s, "server_name"); !n.empty()) names.insert(n);
    for (const auto& p : field(s, "route_peers")) {
      if (p.is_string() && !p.get<std::string>().empty()) names.insert(p.get<std::string>());
    }
    for (const auto& p : field(s, "meta_replicas")) {
      if (std::string n = get_string(p, "name"); !n.empty()) names.insert(n);
    }
    size = std::max(size, get_int(s, "meta_cluster_size").value_or(0));
  }
  size = std::max(size, static_cast<std::int64_t>(names.size()));
  return size > 0 ? static_cast<int>(size - 1) : 0;
}

nlohmann::json sys_envelope(const ClusterConfig& cluster, const SysConnection& conn, const SysGather& gather,
                            const SysPlacement& placement, nlohmann::json servers) {
  int answered = 0;
  for (const auto& s : servers) answered += get_bool(s, "reachable") ? 1 : 0;
  nlohmann::json system = conn.connection_facts();
  system["subject"] = gather.subject;
  system["replies"] = gather.replies.size();
  system["invalid_replies"] = gather.invalid;
  system["elapsed_ms"] = gather.elapsed.count();
  system["problem"] = std::string(sys_problem_name(gather.problem));
  system["error"] = gather.error;
  system["other_clusters"] = placement.other_clusters;
  return {{"cluster", cluster.name},
          {"total", servers.size()},
          {"answered", answered},
          {"reachable", answered > 0},
          {"servers", std::move(servers)},
          {"system", std::move(system)}};
}

}  // namespace rr::nats
