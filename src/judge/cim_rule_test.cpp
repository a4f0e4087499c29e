// rules/cim-nats.yaml loads against the shipped step kinds, and its
// suggestions fill in from the findings the NATS judges produce.

#include <catch2/catch.hpp>

#include "config/finding_scope.h"

#include "judge/judge.h"
#include "rules/rule.h"
#include "steps/nats/testdata/samples.h"

namespace rr {
namespace {

namespace s = nats::samples;

const Rule& cim_rule(const RuleLoad& load) {
  INFO((load.errors.empty() ? std::string() : load.errors[0].to_string()));
  REQUIRE(load.errors.empty());
  REQUIRE(load.rules.rules().size() == 1);
  return load.rules.rules()[0];
}

RuleLoad load_cim() {
  return load_rules({std::string(RR_SOURCE_DIR) + "/rules/cim-nats.yaml"}, default_step_registry().catalog());
}

// The commands the rule suggests for these findings, as the engine fills them.
std::vector<std::string> commands(const Rule& rule, const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& spec : rule.suggest) {
    for (const auto& f : findings) {
      if (!spec.when || f.code != *spec.when) continue;
      TemplateScope scope = finding_scope(Config{}, f.values, {{"alert.name", "EventStreamDisconnected"}});
      auto command = spec.command.render(scope, ValueType::Word, Template::Quoting::Shell);
      if (command) out.push_back(command.value());
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("rules/cim-nats.yaml: event-stream-disconnected runs the NATS reads") {
  RuleLoad load = load_cim();
  const Rule& rule = cim_rule(load);
  CHECK(rule.name == "event-stream-disconnected");
  Alert alert;
  alert.labels = {{"alertname", "EventStreamDisconnected"}};
  CHECK(rule.matches(alert));
  alert.labels["alertname"] = "SomethingElse";
  CHECK_FALSE(rule.matches(alert));

  std::vector<std::string> kinds;
  for (const auto& step : rule.steps) kinds.push_back(step.kind);
  CHECK(kinds == std::vector<std::string>{"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_info",
                                          "ssh.unit_status", "ssh.unit_journal", "ssh.store_disk",
                                          "ssh.old_snapshots"});
  const Template& stream = rule.steps[3].params.at("stream");
  CHECK(stream.render({}, ValueType::Name).value() == "CIM-EVENTS");
  CHECK(stream.render({{"labels.stream", "ORDERS"}}, ValueType::Name).value() == "ORDERS");
  CHECK_FALSE(stream.render({{"labels.stream", "a b>"}}, ValueType::Name).ok());
}

TEST_CASE("rules/cim-nats.yaml: one server down gets the single-node runbook for that host") {
  RuleLoad load = load_cim();
  const Rule& rule = cim_rule(load);
  ClusterConfig c = s::cluster();
  c.monitor[2] = "http://nats-node-3.cim.internal:8222";  // the down server's address
  auto steps = s::monitor_steps({s::degraded(0), s::degraded(1), s::down()});
  for (auto& step : steps) {
    auto& server = step.facts["servers"][2];
    server["monitor"] = c.monitor[2];
  }
  auto findings = default_judges().run(steps, JudgeContext{&c});
  auto cmds = commands(rule, findings);
  INFO(Catch::Detail::stringify(cmds));
  CHECK(cmds == std::vector<std::string>{"ssh root@nats-node-3.cim.internal systemctl status nats",
                                         "ssh root@nats-node-3.cim.internal journalctl -u nats -n 100 --no-pager",
                                         "ssh root@nats-node-3.cim.internal df -h /var/lib/nats",
                                         "ssh root@nats-node-3.cim.internal systemctl restart nats"});
  for (const auto& spec : rule.suggest) {
    if (spec.command.source().find("restart") != std::string::npos) CHECK(spec.risk == "medium");
    if (spec.command.source().find("status") != std::string::npos) CHECK(spec.risk == "read-only");
  }
}

TEST_CASE("rules/cim-nats.yaml: a down server known only by name is addressed by its name") {
  RuleLoad load = load_cim();
  const Rule& rule = cim_rule(load);
  // Only n2, the meta leader, is configured (at the first address); it
  // reports n3 offline.
  ClusterConfig c = s::cluster();
  c.monitor.resize(1);
  c.servers.resize(1);
  auto steps = s::monitor_steps({s::degraded(1), s::down(), s::down()});
  for (auto& step : steps) step.facts["servers"] = nlohmann::json::array({step.facts["servers"][0]});
  auto findings = default_judges().run(steps, JudgeContext{&c});
  REQUIRE_FALSE(findings.empty());
  CHECK(findings[0].title == "NATS server n3 is down");
  auto cmds = commands(rule, findings);
  INFO(Catch::Detail::stringify(cmds));
  CHECK(cmds == std::vector<std::string>{"ssh root@n3 systemctl status nats",
                                         "ssh root@n3 journalctl -u nats -n 100 --no-pager",
                                         "ssh root@n3 df -h /var/lib/nats", "ssh root@n3 systemctl restart nats"});
}

TEST_CASE("rules/cim-nats.yaml: everything down gets the complete-failure procedure") {
  RuleLoad load = load_cim();
  const Rule& rule = cim_rule(load);
  ClusterConfig c = s::cluster();
  auto findings = default_judges().run(s::monitor_steps({s::down(), s::down(), s::down()}), JudgeContext{&c});
  auto cmds = commands(rule, findings);
  INFO(Catch::Detail::stringify(cmds));
  CHECK(contains(cmds, "ping -c 3 127.0.0.1"));
  CHECK(contains(cmds, "ssh root@127.0.0.1 systemctl start nats"));
  CHECK(contains(cmds, "nats server report jetstream"));
  CHECK(contains(cmds, "ssh root@127.0.0.1 systemctl status nats"));
}

TEST_CASE("rules/cim-nats.yaml: a hostile host value is refused, not run into a command") {
  RuleLoad load = load_cim();
  const Rule& rule = cim_rule(load);
  Finding f;
  f.code = "nats.server_down";
  f.values = {{"host", "n3; rm -rf /"}, {"server", "n3"}};
  CHECK(commands(rule, {f}).empty());
}

}  // namespace rr
