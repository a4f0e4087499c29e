#include "steps/ssh/command_step.h"

#include <catch2/catch.hpp>

namespace rr::ssh {
namespace {

using namespace std::chrono_literals;

Config inventory() {
  Config c;
  c.hosts.push_back(HostConfig{"nats-node-1", "127.0.0.1", 1, "u", "/nonexistent/key", "/nonexistent/kh", "cim", {}});
  c.hosts.push_back(HostConfig{"nats-node-2", "127.0.0.1", 1, "u", "/nonexistent/key", "/nonexistent/kh", "cim",
                               {{"unit", "nats-server"}}});
  c.hosts.push_back(HostConfig{"titan", "127.0.0.1", 1, "u", "/nonexistent/key", "/nonexistent/kh", "titan", {}});
  c.commands.push_back(CommandSpec{"needs_path", {"ls", "{path}"}, {{"path", ValueType::Word}}, "", ""});
  return c;
}

StepResult run(const StepRegistry& registry, const std::string& kind, std::map<std::string, std::string> params,
               const ClusterConfig* cluster = nullptr) {
  const StepKind* k = registry.find(kind);
  REQUIRE(k);
  return k->run(StepInput{"s", std::move(params), cluster, Deadline::after(2s)});
}

const nlohmann::json* entry(const StepResult& r, const std::string& host) {
  for (const auto& h : r.facts["hosts"])
    if (h["host"] == host) return &h;
  return nullptr;
}

}  // namespace

TEST_CASE("ssh.NAME kinds come from the config's commands, with host and placeholder parameters") {
  StepRegistry registry = default_step_registry(inventory());
  StepCatalog catalog = registry.catalog();
  for (const CommandSpec& cmd : builtin_commands()) CHECK(catalog.kinds.count("ssh." + cmd.name));
  REQUIRE(catalog.kinds.count("ssh.unit_journal"));
  const auto& p = catalog.kinds.at("ssh.unit_journal");
  CHECK(p.at("host").type == ValueType::Host);
  CHECK_FALSE(p.at("host").required);
  CHECK(p.at("unit").type == ValueType::Word);
  CHECK(p.at("lines").type == ValueType::Integer);
  CHECK(catalog.kinds.count("ssh.needs_path"));
}

TEST_CASE("a host outside the inventory is never connected to") {
  StepRegistry registry = default_step_registry(inventory());
  StepResult r = run(registry, "ssh.unit_status", {{"host", "10.9.9.9"}});
  CHECK(r.status == StepStatus::Ok);
  REQUIRE(r.facts["hosts"].size() == 1);
  CHECK(r.facts["hosts"][0]["outcome"] == "not_in_inventory");
  CHECK_FALSE(r.facts["hosts"][0].contains("argv"));
}

TEST_CASE("without a host, every inventory host of the alert's cluster; vars by host, then ssh") {
  StepRegistry registry = default_step_registry(inventory());
  ClusterConfig cim;
  cim.name = "cim";
  StepResult r = run(registry, "ssh.unit_status", {}, &cim);
  INFO(r.facts.dump(2));
  REQUIRE(r.facts["hosts"].size() == 2);  // not titan
  const auto* n1 = entry(r, "nats-node-1");
  const auto* n2 = entry(r, "nats-node-2");
  REQUIRE(n1);
  REQUIRE(n2);
  CHECK((*n1)["argv"].back() == "nats");
  CHECK((*n2)["argv"].back() == "nats-server");
  // The key file does not exist: refused before any connection.
  CHECK((*n1)["outcome"] == "error");
  CHECK(r.target == "2 hosts of cluster cim");

  // A step's own value wins over the vars.
  StepResult own = run(registry, "ssh.unit_status", {{"host", "nats-node-2"}, {"unit", "nats-custom"}});
  CHECK(own.facts["hosts"][0]["argv"].back() == "nats-custom");
}

TEST_CASE("a placeholder without a value refuses the command on that host") {
  StepRegistry registry = default_step_registry(inventory());
  StepResult r = run(registry, "ssh.needs_path", {{"host", "nats-node-1"}});
  REQUIRE(r.facts["hosts"].size() == 1);
  CHECK(r.facts["hosts"][0]["outcome"] == "refused");
  CHECK(r.facts["hosts"][0]["error"].get<std::string>().find("{path}") != std::string::npos);
}

TEST_CASE("no inventory at all: the step is skipped and says why") {
  StepRegistry registry = default_step_registry();
  StepResult r = run(registry, "ssh.unit_status", {});
  CHECK(r.status == StepStatus::Skipped);
  CHECK(r.summary.find("no SSH hosts configured") != std::string::npos);
}

}  // namespace rr::ssh
