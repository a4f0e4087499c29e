#include "notify/backoff.h"

#include <catch2/catch.hpp>

namespace rr {
namespace {

using namespace std::chrono_literals;

TEST_CASE("backoff doubles from the first wait up to the cap, jittered into its upper half") {
  BackoffPolicy p{1000ms, 8000ms};
  CHECK(backoff(p, 1, 1.0) == 1000ms);
  CHECK(backoff(p, 1, 0.0) == 500ms);
  CHECK(backoff(p, 2, 1.0) == 2000ms);
  CHECK(backoff(p, 3, 0.5) == 3000ms);  // 4 s jittered halfway into [2 s, 4 s]
  CHECK(backoff(p, 4, 1.0) == 8000ms);
  CHECK(backoff(p, 40, 1.0) == 8000ms);  // capped, no overflow
  CHECK(backoff(p, 1000000, 0.0) == 4000ms);
}

TEST_CASE("a Retry-After longer than the backoff wins") {
  BackoffPolicy p{1000ms, 8000ms};
  CHECK(backoff(p, 1, 1.0, 30000ms) == 30000ms);
  CHECK(backoff(p, 4, 1.0, 10ms) == 8000ms);
}

}  // namespace
}  // namespace rr
