#include "steps/nats/connection_pool.h"

#include <algorithm>
#include <functional>

namespace rr::nats {
namespace {

bool fit(natsConnection* conn, Deadline deadline) {
  if (natsConnection_Status(conn) != NATS_CONN_STATUS_CONNECTED) return false;
  // A connection that recorded an error (a refused publish, a slow consumer)
  // would make a later caller's result look like it failed too.
  const char* text = nullptr;
  if (natsConnection_GetLastError(conn, &text) != NATS_OK) return false;
  // One round trip proves the server still answers; it costs far less than
  // a connect, and at most a third of what the caller has left.
  const std::int64_t budget = std::max<std::int64_t>(1, deadline.remaining().count() / 3);
  return natsConnection_FlushTimeout(conn, budget) == NATS_OK;
}

}  // namespace

std::string pool_key(const ClusterConfig& c, Identity identity) {
  const bool sys = identity == Identity::System;
  std::string material;
  auto add = [&material](const std::optional<std::string>& v) {
    material += v ? "1" + *v : "0";
    material += '\0';
  };
  for (const auto& s : c.servers) material += s + '\0';
  material += '\n';
  add(sys ? c.system_user : c.user);
  add(sys ? c.system_password : c.password);
  add(sys ? std::nullopt : c.token);
  add(sys ? c.system_creds_file : c.creds_file);
  // A digest, so that no second copy of a password lives in the key.
  return c.name + (sys ? "/system/" : "/app/") + std::to_string(std::hash<std::string>{}(material));
}

void ConnectionPool::drop_idle_locked(std::chrono::steady_clock::time_point now) {
  for (auto it = kept_.begin(); it != kept_.end();) {
    if (now - it->second.last_lent > idle_) {
      it = kept_.erase(it);  // closed when its last borrower lets go
      ++stats_.dropped;
    } else {
      ++it;
    }
  }
}

std::shared_ptr<const NatsLink> ConnectionPool::take_fit(const std::string& key, Deadline deadline) {
  std::shared_ptr<const NatsLink> link;
  {
    std::lock_guard lock(mu_);
    drop_idle_locked(std::chrono::steady_clock::now());
    auto it = kept_.find(key);
    if (it == kept_.end()) return nullptr;
    link = it->second.link;
  }
  const bool ok = fit(link->conn.get(), deadline);
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (ok) {
    if (it != kept_.end() && it->second.link == link) it->second.last_lent = std::chrono::steady_clock::now();
    ++stats_.reused;
    return link;
  }
  if (it != kept_.end() && it->second.link == link) {
    kept_.erase(it);
    ++stats_.dropped;
  }
  return nullptr;
}

OpenedConnection ConnectionPool::lease(const ClusterConfig& cluster, Identity identity, Deadline deadline) {
  const std::string key = pool_key(cluster, identity);
  if (auto link = take_fit(key, deadline)) {
    OpenedConnection c;
    c.url = link->url;
    c.link = std::move(link);
    c.reused = true;
    return c;
  }
  OpenedConnection c = connect_first(cluster, identity, deadline, /*keepalive=*/true);
  if (!c.link) return c;
  std::lock_guard lock(mu_);
  ++stats_.opened;
  // Two runs may connect at once; the later one is kept, the other closes
  // when its run ends.
  kept_[key] = Kept{c.link, std::chrono::steady_clock::now()};
  return c;
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace rr::nats
