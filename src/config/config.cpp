#include "config/config.h"

#include "common/host_port.h"

#include <arpa/inet.h>

#include <cstring>

namespace rr {

const std::string& NotifyTarget::option(const std::string& key) const {
  static const std::string none;
  auto it = options.find(key);
  return it == options.end() ? none : it->second;
}

std::string NotifyTarget::where() const { return file.empty() ? "notify." + name : file + ":" + std::to_string(line); }

const ClusterConfig* Config::cluster_for(const LabelSet& labels) const {
  for (const ClusterConfig& c : clusters)
    if (matches_all(c.match, labels)) return &c;
  return nullptr;
}

const HostConfig* Config::host(const std::string& name) const {
  for (const HostConfig& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

Config default_config() {
  Config c;
  ClusterConfig cluster;
  cluster.name = "default";
  cluster.servers = {"nats://127.0.0.1:4222"};
  cluster.monitor = {"http://127.0.0.1:8222"};
  c.clusters.push_back(std::move(cluster));
  c.notify.push_back(NotifyTarget{"console", "console", {}, {}});
  c.state.dir = "runbook-responder-state";  // relative: the working directory
  return c;
}

bool is_loopback_listen(const std::string& listen) {
  auto hp = parse_host_port(listen);
  if (!hp) return false;
  if (hp->host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, hp->host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, hp->host.c_str(), &v6) == 1) {
    if (std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0) return true;
    // ::ffff:127.x.x.x, an IPv4-mapped loopback address.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(v6.s6_addr, mapped, 12) == 0 && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace rr
