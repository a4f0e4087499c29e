#include "config/finding_scope.h"

#include <catch2/catch.hpp>

namespace rr {

TEST_CASE("finding scope: finding values, then the vars of the inventory host the finding names") {
  Config c;
  c.ssh.vars["unit"] = "nats-server";
  c.hosts.push_back(HostConfig{"nats-node-1", "10.0.0.1", 22, "u", "k", "kh", "", {{"unit", "nats"}}});
  c.hosts.push_back(HostConfig{"nats-node-2", "10.0.0.2", 22, "u", "k", "kh", "", {}});

  auto by_address = finding_scope(c, {{"host", "10.0.0.1"}}, {{"alert.name", "X"}});
  CHECK(by_address.at("alert.name") == "X");
  CHECK(by_address.at("finding.host") == "10.0.0.1");
  CHECK(by_address.at("host.unit") == "nats");  // the host's own var wins
  CHECK(by_address.at("host.name") == "nats-node-1");
  CHECK(by_address.at("host.store_dir") == "/var/lib/nats/jetstream");  // built-in

  auto by_name = finding_scope(c, {{"server", "nats-node-2"}});
  CHECK(by_name.at("host.unit") == "nats-server");  // ssh.vars
  CHECK(by_name.at("host.name") == "nats-node-2");

  auto seed = finding_scope(c, {{"seed_host", "10.0.0.2"}});
  CHECK(seed.at("host.name") == "nats-node-2");

  auto unknown = finding_scope(c, {{"host", "10.9.9.9"}});
  CHECK(unknown.at("host.unit") == "nats-server");
  CHECK(unknown.count("host.name") == 0);
}

}  // namespace rr
