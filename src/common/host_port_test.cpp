#include <catch2/catch.hpp>

#include "common/host_port.h"

using namespace rr;

TEST_CASE("host:port as in the listen setting") {
  auto v4 = parse_host_port("127.0.0.1:9095");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 9095);
  auto v6 = parse_host_port("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  auto name = parse_host_port("localhost:65535");
  REQUIRE(name);
  CHECK(name->host == "localhost");
  for (const char* bad : {"", ":", "9095", ":9095", "host:", "host:x", "host:65536", "host:123456", "::1:80",
                          "[::1]", "[]:80", "[::1:80", "host:+80"}) {
    INFO(bad);
    auto r = parse_host_port(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "listen");
  }
}

TEST_CASE("IPv6 needs its brackets and nothing else") {
  auto hp = parse_host_port("[::1]:80");
  REQUIRE(hp);
  CHECK(hp->host == "::1");
  CHECK(hp->port == 80);
  for (const char* bad : {"a:b:80", "[[::1]]:80", "h:123456"}) {
    INFO(bad);
    CHECK_FALSE(parse_host_port(bad));
  }
}
