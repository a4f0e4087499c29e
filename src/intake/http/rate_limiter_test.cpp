#include "intake/http/rate_limiter.h"

#include <catch2/catch.hpp>

#include "common/rate.h"

using namespace rr;
using namespace std::chrono_literals;

namespace {

// `rate` per second, `burst`, and `allow` (the loopback default when empty).
WebhookRateLimit limit(double rate, double burst, std::vector<std::string> allow = {}) {
  WebhookRateLimit l;
  l.per_second = rate;
  l.burst = burst;
  l.rate = std::to_string(rate) + "/s";
  l.allow.clear();
  for (const auto& a : allow) l.allow.push_back(*parse_address_range(a));
  return l;
}

}  // namespace

TEST_CASE("Rate limiter: a token bucket per client address") {
  ClientRateLimiter limiter(limit(1, 3));
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;

  // The burst passes at once, then the client is refused with a Retry-After.
  for (int i = 0; i < 3; ++i) CHECK(limiter.admit("192.0.2.1", t0).allowed);
  auto refused = limiter.admit("192.0.2.1", t0);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == 1s);
  CHECK(refused.first_refusal);
  auto again = limiter.admit("192.0.2.1", t0 + 100ms);
  CHECK_FALSE(again.allowed);
  CHECK_FALSE(again.first_refusal);  // logged once per episode

  // Another client has its own bucket.
  CHECK(limiter.admit("192.0.2.2", t0).allowed);
  CHECK(limiter.admit("2001:db8::7", t0).allowed);

  // Tokens come back at the rate: one per second here.
  CHECK(limiter.admit("192.0.2.1", t0 + 1100ms).allowed);
  CHECK_FALSE(limiter.admit("192.0.2.1", t0 + 1200ms).allowed);
  // A long pause refills to the burst, never beyond it.
  for (int i = 0; i < 3; ++i) CHECK(limiter.admit("192.0.2.1", t0 + 1h).allowed);
  auto after_pause = limiter.admit("192.0.2.1", t0 + 1h);
  CHECK_FALSE(after_pause.allowed);
  CHECK(after_pause.first_refusal);
  CHECK(limiter.clients() == 3);
}

TEST_CASE("Rate limiter: Retry-After covers the wait for a token at slow rates") {
  ClientRateLimiter limiter(limit(1.0 / 60, 1));  // 1/m
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
  auto refused = limiter.admit("192.0.2.1", t0 + 15s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == 45s);
}

TEST_CASE("Rate limiter: allowlisted addresses are never limited nor tracked") {
  ClientRateLimiter limiter(limit(1, 1, {"10.0.0.0/8", "::1", "fd00::/8"}));
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(limiter.admit("10.1.2.3", t0).allowed);
    REQUIRE(limiter.admit("::ffff:10.9.9.9", t0).allowed);  // IPv4-mapped, as a dual-stack socket reports it
    REQUIRE(limiter.admit("::1", t0).allowed);
    REQUIRE(limiter.admit("fd12:3456::1", t0).allowed);
  }
  CHECK(limiter.clients() == 0);
  // Loopback is allowed only because the default lists it: here it does not.
  CHECK(limiter.admit("127.0.0.1", t0).allowed);
  CHECK_FALSE(limiter.admit("127.0.0.1", t0).allowed);
  CHECK(limiter.admit("11.0.0.1", t0).allowed);  // its own bucket
  CHECK(limiter.clients() == 2);
}

TEST_CASE("Rate limiter: the default allows loopback; off limits nothing") {
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;
  WebhookRateLimit defaults;
  defaults.burst = 1;
  ClientRateLimiter limiter(defaults);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(limiter.admit("127.0.0.1", t0).allowed);
    REQUIRE(limiter.admit("127.8.9.10", t0).allowed);
    REQUIRE(limiter.admit("::1", t0).allowed);
  }
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
  CHECK_FALSE(limiter.admit("192.0.2.1", t0).allowed);

  ClientRateLimiter off(limit(0, 1));
  for (int i = 0; i < 100; ++i) REQUIRE(off.admit("192.0.2.1", t0).allowed);
  CHECK(off.clients() == 0);
}

TEST_CASE("Rate limiter: the table is capped, forgetting the least recently seen") {
  ClientRateLimiter limiter(limit(1, 1), 3);
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;
  for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
    REQUIRE(limiter.admit(a, t0).allowed);
    REQUIRE_FALSE(limiter.admit(a, t0).allowed);
  }
  REQUIRE(limiter.clients() == 3);
  // .1 is seen again (refused), so .2 is now the least recently seen.
  REQUIRE_FALSE(limiter.admit("192.0.2.1", t0).allowed);
  CHECK(limiter.admit("192.0.2.4", t0).allowed);
  CHECK(limiter.clients() == 3);
  // .2 was forgotten: it comes back with a full bucket; .1 and .3 are still limited.
  CHECK(limiter.admit("192.0.2.2", t0).allowed);   // evicts .3
  CHECK_FALSE(limiter.admit("192.0.2.1", t0).allowed);
  CHECK(limiter.clients() == 3);

  // Thousands of distinct addresses never grow it past the cap.
  for (int i = 0; i < 5000; ++i) limiter.admit("2001:db8::" + std::to_string(i % 10) + ":" + std::to_string(i / 10), t0);
  CHECK(limiter.clients() == 3);
}

TEST_CASE("Rate limiter: a new limit applies to known clients") {
  ClientRateLimiter limiter(limit(1, 10));
  const auto t0 = ClientRateLimiter::Clock::time_point{} + 1h;
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
  limiter.configure(limit(1, 2));  // 9 tokens left, capped to 2
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
  CHECK_FALSE(limiter.admit("192.0.2.1", t0).allowed);
  limiter.configure(limit(1, 2, {"192.0.2.0/24"}));
  CHECK(limiter.admit("192.0.2.1", t0).allowed);
}

TEST_CASE("Address ranges: IPv4, IPv6, mapped, prefixes") {
  auto r = parse_address_range("10.0.0.0/8");
  REQUIRE(r);
  CHECK(r->contains(*parse_ip_address("10.255.0.1")));
  CHECK(r->contains(*parse_ip_address("::ffff:10.0.0.1")));
  CHECK_FALSE(r->contains(*parse_ip_address("11.0.0.1")));
  CHECK_FALSE(r->contains(*parse_ip_address("::a00:1")));  // IPv4-compatible is not IPv4
  auto one = parse_address_range("192.0.2.7");
  REQUIRE(one);
  CHECK(one->contains(*parse_ip_address("192.0.2.7")));
  CHECK_FALSE(one->contains(*parse_ip_address("192.0.2.6")));
  auto v6 = parse_address_range("2001:db8:1::/48");
  REQUIRE(v6);
  CHECK(v6->contains(*parse_ip_address("2001:db8:1:ffff::1")));
  CHECK_FALSE(v6->contains(*parse_ip_address("2001:db8:2::1")));
  auto odd = parse_address_range("172.16.0.0/12");
  REQUIRE(odd);
  CHECK(odd->contains(*parse_ip_address("172.31.255.255")));
  CHECK_FALSE(odd->contains(*parse_ip_address("172.32.0.0")));
  CHECK(parse_address_range("0.0.0.0/0")->contains(*parse_ip_address("203.0.113.9")));
  CHECK(parse_address_range("::/0")->contains(*parse_ip_address("2001:db8::1")));
  CHECK(parse_ip_address("fe80::1%eth0"));

  for (const char* bad : {"", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "host.example", "::1/129",
                          "10.0.0.0/-1", "10.0.0.0/8x", "fe80::1%eth0"})
    CHECK_FALSE(parse_address_range(bad));
  CHECK(parse_address_range("10.0.0.1/8").error().message.find("beyond its prefix") != std::string::npos);
}

TEST_CASE("Request rates use the N/s, N/m, N/h grammar of notify[].rate_limit") {
  CHECK(*parse_rate("50/s", "per_client") == 50);
  CHECK(*parse_rate("120/m", "per_client") == 2);
  CHECK(*parse_rate("3600/h", "per_client") == 1);
  CHECK(*parse_rate(" 0.5/s ", "per_client") == 0.5);
  CHECK(*parse_rate("none", "per_client") == 0);
  CHECK(*parse_rate("0", "per_client") == 0);
  for (const char* bad : {"", "50", "50/d", "-1/s", "0/s", "x/s", "50/ss", "1e9/s"}) CHECK_FALSE(parse_rate(bad, "per_client"));
}
