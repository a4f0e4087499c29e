#pragma once
// Connections kept between step runs, one per cluster and identity, so that a
// storm of triages about one cluster makes its requests over one connection
// instead of opening one per step (a TCP and NATS handshake each, and one more
// client for a server that may already be struggling).
//
// A kept connection is lent only while it is still connected, has recorded
// no error, and answers a PING within a third of the borrower's time left;
// otherwise it is dropped and a new one is opened, trying the cluster's
// servers in order, as connect_first() does: when a server goes, the next
// step connects to another. Kept connections PING their server every few
// seconds, so a silent one is found even between steps. A connection unused
// for `idle` is closed. A change of the cluster's servers or credentials
// (a config reload) gives a different key, so a connection made with the old
// ones is never lent again.
//
// Thread-safe. No lock is held while connecting or waiting for a PONG.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "steps/nats/connection.h"

namespace rr::nats {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::chrono::milliseconds idle = std::chrono::minutes(5)) : idle_(idle) {}

  // A kept connection (reused true), or a new one kept for later calls;
  // no link when no server answered (see OpenedConnection::attempts).
  OpenedConnection lease(const ClusterConfig& cluster, Identity identity, Deadline deadline);

  struct Stats {
    std::uint64_t opened = 0;   // new connections made
    std::uint64_t reused = 0;   // leases served by a kept connection
    std::uint64_t dropped = 0;  // kept connections found gone, failing or idle
  };
  Stats stats() const;

 private:
  struct Kept {
    std::shared_ptr<const NatsLink> link;
    std::chrono::steady_clock::time_point last_lent;
  };
  // The kept connection for `key` if it is still fit to lend, else null
  // (and it is forgotten).
  std::shared_ptr<const NatsLink> take_fit(const std::string& key, Deadline deadline);
  void drop_idle_locked(std::chrono::steady_clock::time_point now);

  const std::chrono::milliseconds idle_;
  mutable std::mutex mu_;
  std::map<std::string, Kept> kept_;  // by pool_key()
  Stats stats_;
};

// The identity a connection is kept under: cluster name, identity, and a
// digest of the servers and credentials it was opened with.
std::string pool_key(const ClusterConfig& cluster, Identity identity);

}  // namespace rr::nats
