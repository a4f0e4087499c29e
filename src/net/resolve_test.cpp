#include <catch2/catch.hpp>

#include <chrono>

#include "net/resolve.h"

using namespace rr;

TEST_CASE("An IP literal resolves to itself without DNS") {
  std::string error;
  auto v4 = net::resolve("127.0.0.1", 4222, Deadline::after(std::chrono::seconds(1)), error);
  REQUIRE(v4.size() == 1);
  CHECK(v4[0].ip == "127.0.0.1");
  CHECK(v4[0].text == "127.0.0.1:4222");
  auto v6 = net::resolve("::1", 8222, Deadline::after(std::chrono::seconds(1)), error);
  REQUIRE(v6.size() == 1);
  CHECK(v6[0].text == "[::1]:8222");
  CHECK(error.empty());
  CHECK(net::is_ip_literal("10.0.0.1"));
  CHECK(net::is_ip_literal("fe80::1"));
  CHECK_FALSE(net::is_ip_literal("nats-node-1"));
  CHECK_FALSE(net::is_ip_literal("[::1]"));
}

TEST_CASE("A name is resolved from the hosts file") {
  std::string error;
  auto addresses = net::resolve("localhost", 80, Deadline::after(std::chrono::seconds(5)), error);
  INFO(error);
  REQUIRE_FALSE(addresses.empty());
  for (const auto& a : addresses) CHECK(net::is_ip_literal(a.ip));
}

TEST_CASE("A lookup that cannot finish by its deadline says so") {
  std::string error;
  // The deadline has passed before the lookup starts: no wait at all.
  auto addresses = net::resolve("localhost", 80, Deadline::after(std::chrono::seconds(-1)), error);
  CHECK(addresses.empty());
  CHECK(error == "name not resolved: timed out");
}
