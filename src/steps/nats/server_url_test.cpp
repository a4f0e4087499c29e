#include <catch2/catch.hpp>

#include "steps/nats/server_url.h"

using namespace rr::nats;

TEST_CASE("A NATS server URL is taken apart and given an address for its name") {
  auto u = parse_server_url("nats://app:s3cret@nats-node-1.example:4223");
  REQUIRE(u);
  CHECK(u->scheme == "nats");
  CHECK(u->userinfo == "app:s3cret");
  CHECK(u->host == "nats-node-1.example");
  CHECK(u->port == 4223);
  CHECK(u->with_host("10.0.0.7") == "nats://app:s3cret@10.0.0.7:4223");
  CHECK(u->with_host("fd00::7") == "nats://app:s3cret@[fd00::7]:4223");

  auto plain = parse_server_url("tls://nats.example");
  REQUIRE(plain);
  CHECK(plain->port == 4222);
  CHECK(plain->with_host("127.0.0.1") == "tls://127.0.0.1:4222");

  auto v6 = parse_server_url("nats://[::1]:4222");
  REQUIRE(v6);
  CHECK(v6->host == "::1");

  // A password may hold '@'; the host is after the last one.
  auto at = parse_server_url("nats://u:p@ss@host:1");
  REQUIRE(at);
  CHECK(at->userinfo == "u:p@ss");
  CHECK(at->host == "host");
}

TEST_CASE("What is not a NATS server URL is refused") {
  for (const char* bad : {"http://host:4222", "nats://", "nats://host:0", "nats://host:65536", "nats://host:x",
                          "nats://[::1", "nats://[::1]x", "host:4222", "nats://u@:4222"}) {
    INFO(bad);
    CHECK_FALSE(parse_server_url(bad));
  }
}
