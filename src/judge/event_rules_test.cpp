// rules/cim-events.yaml and rules/titan-nats.yaml load against the shipped
// step kinds, and their suggestions fill in from the findings' values: one
// per minority server, none that the runbook's traps forbid.

#include <catch2/catch.hpp>

#include "config/finding_scope.h"

#include <algorithm>

#include "judge/judge.h"
#include "rules/rule.h"

namespace rr {
namespace {

RuleLoad load(const std::string& file) {
  return load_rules({std::string(RR_SOURCE_DIR) + "/rules/" + file}, default_step_registry().catalog());
}

const Rule& rule(const RuleLoad& l, const std::string& name) {
  INFO((l.errors.empty() ? std::string() : l.errors[0].to_string()));
  REQUIRE(l.errors.empty());
  auto it = std::find_if(l.rules.rules().begin(), l.rules.rules().end(), [&](const Rule& r) { return r.name == name; });
  REQUIRE(it != l.rules.rules().end());
  return *it;
}

// The commands `r` suggests for these findings, as the engine fills them.
std::vector<std::string> commands(const Rule& r, const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& spec : r.suggest) {
    for (const auto& f : findings) {
      if (!spec.when || f.code != *spec.when) continue;
      TemplateScope scope = finding_scope(Config{}, f.values);
      if (auto c = spec.command.render(scope, ValueType::Word)) out.push_back(c.value());
    }
  }
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

Finding finding(const std::string& code, std::map<std::string, std::string> values) {
  Finding f;
  f.code = code;
  f.values = std::move(values);
  return f;
}

}  // namespace

TEST_CASE("abnormal-event-pattern: the runbook's split brain steps once per minority server") {
  auto l = load("cim-events.yaml");
  const Rule& r = rule(l, "abnormal-event-pattern");
  auto cmds = commands(r, {finding("nats.split_brain", {{"majority", "n1, n2, n3"}, {"minority", "n4, n5"}}),
                           finding("nats.split_brain_minority", {{"server", "n4"}, {"host", "10.0.0.4"}}),
                           finding("nats.split_brain_minority", {{"server", "n5"}, {"host", "10.0.0.5"}}),
                           finding("nats.split_brain_minority", {{"server", "n6"}, {"host", "x;reboot"}})});
  for (const char* host : {"10.0.0.4", "10.0.0.5"}) {
    const std::string h = host;
    CHECK(has(cmds, "ssh root@" + h + " systemctl stop nats"));
    CHECK(has(cmds, "ssh root@" + h + " rm -rf /var/lib/nats/jetstream/*"));
    CHECK(has(cmds, "ssh root@" + h + " systemctl start nats"));
    CHECK(has(cmds, "ssh root@" + h + " journalctl -f -u nats"));
  }
  CHECK(cmds.size() == 9);  // 4 per valid host, one read-only report; the hostile host gets none
  for (const auto& spec : r.suggest) {
    if (spec.command.source().find("rm -rf") != std::string::npos) {
      CHECK(spec.risk == "high");
      CHECK(spec.why.find("WARNING") != std::string::npos);
    }
  }
}

TEST_CASE("event-processing-failure: full-config edits, purge with its warning, replay from ack floor + 1") {
  auto l = load("cim-events.yaml");
  const Rule& r = rule(l, "event-processing-failure");
  auto cmds = commands(r, {finding("nats.stream_full_rejecting", {{"stream", "CIM-EVENTS"}, {"code", "10077"}}),
                           finding("nats.consumer_backlog", {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"},
                                                             {"ack_floor_seq", "150"}, {"replay_from", "151"}})});
  CHECK(has(cmds, "nats stream edit CIM-EVENTS --max-age=7d"));
  CHECK(has(cmds, "nats stream purge CIM-EVENTS --keep=1000000"));
  CHECK(has(cmds, "nats consumer add CIM-EVENTS REPLAY --pull --deliver 151 --max-deliver=1 --defaults"));
  for (const auto& spec : r.suggest) {
    const std::string& c = spec.command.source();
    CHECK(c.find("--start-seq") == std::string::npos);  // natscli has no such flag
    CHECK(c.find("--deliver=all") == std::string::npos);  // refused together with a start sequence
    if (c.find("purge") != std::string::npos) CHECK(spec.why.find("ack floor") != std::string::npos);
    if (c.find("stream edit") != std::string::npos) CHECK(spec.why.find("partial") != std::string::npos);
  }
}

TEST_CASE("titan rules: lag, storage pressure and an unhealthy component") {
  auto l = load("titan-nats.yaml");
  INFO((l.errors.empty() ? std::string() : l.errors[0].to_string()));
  REQUIRE(l.errors.empty());
  auto match = [&](std::map<std::string, std::string> labels) -> std::string {
    Alert a;
    a.labels = labels;
    const Rule* r = l.rules.match(a);
    return r ? r->name : "";
  };
  CHECK(match({{"alertname", "NatsLagMessages"}}) == "titan-nats-lag");
  CHECK(match({{"alertname", "nats_lag_messages_high"}}) == "titan-nats-lag");
  CHECK(match({{"alertname", "TitanNatsStoragePressure"}}) == "titan-nats-storage");
  CHECK(match({{"alertname", "NatsComponentUnhealthy"}}) == "titan-nats-unhealthy");
  CHECK(match({{"alertname", "ComponentUnhealthy"}, {"component", "nats"}}) == "titan-component-unhealthy");
  CHECK(match({{"alertname", "ComponentUnhealthy"}, {"component", "redis"}}).empty());

  const Rule& lag = rule(l, "titan-nats-lag");
  REQUIRE(lag.steps.size() == 6);
  CHECK(lag.steps[0].kind == "nats.consumer_info");
  CHECK(lag.steps[3].kind == "ssh.containers");
  CHECK(lag.steps[4].kind == "ssh.container_logs");
  CHECK(lag.steps[5].kind == "http.metrics");
  const Rule& unhealthy = rule(l, "titan-nats-unhealthy");
  CHECK(std::any_of(unhealthy.steps.begin(), unhealthy.steps.end(), [](const StepSpec& s) {
    return s.kind == "http.json" && s.params.at("path").source() == "components.name=nats.status";
  }));
  auto storage = commands(rule(l, "titan-nats-storage"), {finding("nats.stream_storage_high", {{"stream", "TITAN_INTENTS"}})});
  CHECK(has(storage, "docker exec titan-nats nats stream purge TITAN_INTENTS --keep 1000 --force"));
  auto down = commands(rule(l, "titan-nats-unhealthy"), {finding("nats.server_down", {{"server", "titan-nats"}})});
  CHECK(has(down, "docker compose -f docker-compose.prod.yml restart titan-nats"));
}

}  // namespace rr
