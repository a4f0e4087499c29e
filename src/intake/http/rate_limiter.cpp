#include "intake/http/rate_limiter.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace rr {

std::size_t ClientRateLimiter::AddressHash::operator()(const IpAddress& a) const noexcept {
  return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(a.data()), a.size()));
}

ClientRateLimiter::ClientRateLimiter(WebhookRateLimit limit, std::size_t max_clients)
    : limit_(std::move(limit)), max_clients_(std::max<std::size_t>(1, max_clients)) {}

void ClientRateLimiter::configure(WebhookRateLimit limit) {
  std::lock_guard lock(mu_);
  limit_ = std::move(limit);
  for (Bucket& b : lru_) b.bucket.set_limit(limit_.per_second, limit_.burst);
}

ClientRateLimiter::Decision ClientRateLimiter::admit(std::string_view address, Clock::time_point now) {
  const IpAddress ip = parse_ip_address(address).value_or(IpAddress{});
  std::lock_guard lock(mu_);
  if (!limit_.enabled() || limit_.allowed(ip)) return {};

  auto it = index_.find(ip);
  if (it == index_.end()) {
    if (index_.size() >= max_clients_) {
      index_.erase(lru_.back().address);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{ip, TokenBucket(limit_.per_second, limit_.burst, now)});
    it = index_.emplace(ip, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
  }
  Bucket& b = *it->second;
  const std::chrono::milliseconds wait = b.bucket.take(now);
  if (wait.count() == 0) {
    b.refusing = false;
    return {};
  }
  Decision d;
  d.allowed = false;
  d.retry_after = std::chrono::seconds(std::max<long long>(1, (wait.count() + 999) / 1000));
  d.first_refusal = !b.refusing;
  b.refusing = true;
  return d;
}

std::size_t ClientRateLimiter::clients() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

WebhookRateLimit ClientRateLimiter::limit() const {
  std::lock_guard lock(mu_);
  return limit_;
}

}  // namespace rr
