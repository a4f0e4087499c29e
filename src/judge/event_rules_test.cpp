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
      if (auto c = spec.command.render(scope, ValueType::Word, Template::Quoting::Shell)) out.push_back(c.value());
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

TEST_CASE("event-processing-failure: computed retention, purges and limit, replay from ack floor + 1") {
  auto l = load("cim-events.yaml");
  const Rule& r = rule(l, "event-processing-failure");
  auto cmds = commands(
      r, {finding("nats.stream_retention_plan", {{"stream", "CIM-EVENTS"}, {"max_age", "8m"}}),
          finding("nats.stream_purge_plan", {{"stream", "CIM-EVENTS"}, {"keep", "524"}}),
          finding("nats.stream_purge_acked", {{"stream", "CIM-EVENTS"}, {"seq", "121"}}),
          finding("nats.stream_limit_raise", {{"stream", "CIM-EVENTS"}, {"max_bytes", "2MiB"}}),
          finding("nats.consumer_replay", {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"},
                                           {"replay_from", "151"}, {"replay_from_all", "151"}}),
          finding("nats.consumer_replay", {{"stream", "ORDERS"}, {"consumer", "SHIP"},
                                           {"replay_from", "7"}, {"filter", "orders.>"}})});
  CHECK(has(cmds, "nats stream edit CIM-EVENTS --max-age=8m"));
  CHECK(has(cmds, "nats stream purge CIM-EVENTS --keep=524"));
  CHECK(has(cmds, "nats stream purge CIM-EVENTS --seq=121"));
  CHECK(has(cmds, "nats stream edit CIM-EVENTS --max-bytes=2MiB"));
  CHECK(has(cmds, "nats consumer add CIM-EVENTS CIM-PROCESSOR-REPLAY --pull --deliver 151 --max-deliver=1 --defaults"));
  // A filtering consumer's replay filters the same way, the subject quoted for the shell.
  CHECK(has(cmds, "nats consumer add ORDERS SHIP-REPLAY --pull --deliver 7 --filter 'orders.>' --max-deliver=1 --defaults"));
  CHECK(std::count_if(cmds.begin(), cmds.end(), [](const std::string& c) { return c.find("consumer add") != std::string::npos; }) == 2);
  // No fixed value is left: every number comes from a finding.
  for (const auto& c : cmds) {
    CHECK(c.find("7d") == std::string::npos);
    CHECK(c.find("1000000") == std::string::npos);
  }
  for (const auto& spec : r.suggest) {
    const std::string& c = spec.command.source();
    CHECK(c.find("--start-seq") == std::string::npos);  // natscli has no such flag
    CHECK(c.find("--deliver=all") == std::string::npos);  // refused together with a start sequence
    if (c.find("--keep") != std::string::npos) CHECK(spec.why.find("ack floor") != std::string::npos);
    if (c.find("--max-age") != std::string::npos) CHECK(spec.why.find("partial") != std::string::npos);
  }
}

TEST_CASE("titan rules: lag, storage pressure, an unhealthy server and its container down") {
  auto l = load("titan-nats.yaml");
  INFO((l.errors.empty() ? std::string() : l.errors[0].to_string()));
  REQUIRE(l.errors.empty());
  auto match = [&](std::map<std::string, std::string> labels) -> std::string {
    Alert a;
    a.labels = labels;
    const Rule* r = l.rules.match(a);
    return r ? r->name : "";
  };
  // The alert names of alertmanager/prometheus-rules.yml, matched exactly.
  CHECK(match({{"alertname", "TitanNatsLag"}, {"system", "titan"}}) == "titan-nats-lag");
  CHECK(match({{"alertname", "TitanNatsStoragePressure"}, {"system", "titan"}}) == "titan-nats-storage");
  CHECK(match({{"alertname", "TitanNatsUnhealthy"}, {"system", "titan"}}) == "titan-nats-unhealthy");
  CHECK(match({{"alertname", "TitanNatsContainerDown"}, {"system", "titan"}}) == "titan-nats-container-down");
  // Names the rules once guessed at no longer match.
  CHECK(match({{"alertname", "NatsLagMessages"}}).empty());
  CHECK(match({{"alertname", "nats_storage_pressure_bytes_high"}}).empty());
  CHECK(match({{"alertname", "TitanNatsLagHigh"}}).empty());
  CHECK(match({{"alertname", "ComponentUnhealthy"}, {"component", "nats"}}).empty());

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
  auto storage = commands(rule(l, "titan-nats-storage"),
                          {finding("nats.stream_purge_plan", {{"stream", "TITAN_INTENTS"}, {"keep", "524"}})});
  CHECK(has(storage, "docker exec titan-nats nats stream purge TITAN_INTENTS --keep 524 --force"));
  auto down = commands(rule(l, "titan-nats-unhealthy"), {finding("nats.server_down", {{"server", "titan-nats"}})});
  CHECK(has(down, "docker compose -f docker-compose.prod.yml restart titan-nats"));
}

}  // namespace rr
