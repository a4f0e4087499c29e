#include "notify/rate_limit.h"

#include <catch2/catch.hpp>

namespace rr {
namespace {

using namespace std::chrono_literals;

TEST_CASE("rate limits parse as N per second, minute or hour") {
  auto s = parse_rate_limit("2/s");
  REQUIRE(s);
  CHECK(s->per_second == 2);
  CHECK(s->burst == 2);
  auto m = parse_rate_limit("120/m");
  REQUIRE(m);
  CHECK(m->per_second == 2);
  auto h = parse_rate_limit("36/h");
  REQUIRE(h);
  CHECK(h->per_second == Approx(0.01));
  CHECK(h->burst == 1);
  CHECK(parse_rate_limit("none")->per_second == 0);
  for (const char* bad : {"", "2", "/s", "2/d", "-1/s", "0/s", "1e9/s", "2/ss", "x/s", "2 /s"}) {
    INFO(bad);
    CHECK_FALSE(parse_rate_limit(bad));
  }
}

TEST_CASE("the token bucket spaces messages at the limit after its burst") {
  auto t0 = TokenBucket::Clock::time_point{} + 1000s;
  TokenBucket bucket = token_bucket(RateLimit{1.0, 1}, t0);
  CHECK(bucket.take(t0) == 0ms);
  CHECK(bucket.take(t0) == 1000ms);           // the next token in a second
  CHECK(bucket.take(t0 + 400ms) == 600ms);    // asking early changes nothing
  CHECK(bucket.take(t0 + 1000ms) == 0ms);
  CHECK(bucket.take(t0 + 10s) == 0ms);        // idle time fills at most the burst
  CHECK(bucket.take(t0 + 10s) == 1000ms);

  TokenBucket two = token_bucket(RateLimit{2.0, 2}, t0);
  CHECK(two.take(t0) == 0ms);
  CHECK(two.take(t0) == 0ms);
  CHECK(two.take(t0) == 500ms);

  TokenBucket unlimited = token_bucket(RateLimit{}, t0);
  for (int i = 0; i < 100; ++i) CHECK(unlimited.take(t0) == 0ms);
}

}  // namespace
}  // namespace rr
