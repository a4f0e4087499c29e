#pragma once
// The per-client rate limit of POST /webhook (config `rate_limit`): a token
// bucket per source address, refilled at `per_client` up to `burst`.
// Allowlisted addresses (Alertmanager's) are never limited nor tracked, so
// no other client can starve them. The table holds at most `max_clients`
// addresses; past that the least recently seen is forgotten, so a variety of
// source addresses costs bounded memory (a forgotten client comes back with
// a full bucket: the limiter errs towards letting through).
//
// Thread-safe: one mutex, held for a table lookup and a little arithmetic.

#include <chrono>
#include <list>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "common/token_bucket.h"
#include "config/listener.h"

namespace rr {

class ClientRateLimiter {
 public:
  using Clock = TokenBucket::Clock;

  explicit ClientRateLimiter(WebhookRateLimit limit, std::size_t max_clients = kMaxRateLimitedClients);

  // A new limit (SIGHUP). Known clients keep their buckets, capped at the new burst.
  void configure(WebhookRateLimit limit);

  struct Decision {
    bool allowed = true;
    // When refused: whole seconds until a request would be allowed (>= 1).
    std::chrono::seconds retry_after{0};
    // When refused: true for the first refusal since this client was last
    // allowed, so a flood is logged once, not per request.
    bool first_refusal = false;
  };
  // `address` as the server saw it (httplib's remote_addr). An address that
  // does not parse is limited as one client with every other such address.
  Decision admit(std::string_view address, Clock::time_point now = Clock::now());

  std::size_t clients() const;  // addresses tracked now
  WebhookRateLimit limit() const;

 private:
  struct Bucket {
    IpAddress address;
    TokenBucket bucket;
    bool refusing = false;
  };
  struct AddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept;
  };

  mutable std::mutex mu_;
  WebhookRateLimit limit_;
  std::size_t max_clients_;
  std::list<Bucket> lru_;  // most recently seen first
  std::unordered_map<IpAddress, std::list<Bucket>::iterator, AddressHash> index_;
};

}  // namespace rr
