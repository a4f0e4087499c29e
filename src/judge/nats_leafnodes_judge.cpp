#include "judge/nats_leafnodes_judge.h"

#include <fmt/format.h>

#include "common/text.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_string;
using nats::get_uint;

// How a leaf is named: 2.9.10 sends no name, so its address and account then.
std::string leaf_label(const nlohmann::json& leaf) {
  std::string name = get_string(leaf, "name");
  if (!name.empty()) return name;
  std::string label = get_string(leaf, "ip");
  if (auto port = get_uint(leaf, "port")) label += ":" + std::to_string(*port);
  if (std::string account = get_string(leaf, "account"); !account.empty()) label += " (account " + account + ")";
  return label.empty() ? "unnamed leaf" : label;
}

std::string leaf_count(std::uint64_t n) { return fmt::format("{} leaf node{}", n, n == 1 ? "" : "s"); }

void judge_step(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  // No expectation: a count alone cannot be called right or wrong.
  auto expected = get_uint(facts, "expected");
  if (!expected) return;
  const std::string cluster = get_string(facts, "cluster");
  const std::string name = cluster.empty() ? "the NATS cluster" : "NATS cluster " + cluster;

  std::uint64_t connected = 0;
  std::vector<std::string> per_server, unanswered, leafs;
  for (const auto& s : field(facts, "servers")) {
    const std::string monitor = get_string(s, "monitor");
    if (!get_bool(s, "reachable") || !get_string(s, "error").empty()) {
      std::string error = get_string(s, "error");
      unanswered.push_back(monitor);
      per_server.push_back(monitor + ": no answer" + (error.empty() ? "" : " (" + error + ")"));
      continue;
    }
    std::uint64_t n = get_uint(s, "leafnodes").value_or(0);
    connected += n;
    per_server.push_back(monitor + ": " + std::to_string(n));
    for (const auto& l : field(s, "leafs")) leafs.push_back(leaf_label(l));
  }

  Finding f;
  f.evidence.push_back(step.id + ": /leafz " + join(per_server) + " (" + std::to_string(connected) + " of " +
                       std::to_string(*expected) + " expected)");
  f.values = {{"cluster", cluster}, {"connected", std::to_string(connected)}, {"expected", std::to_string(*expected)}};
  if (connected >= *expected) {
    f.severity = Severity::Ok;
    f.code = "nats.leafnodes_connected";
    f.title = fmt::format("{} connected to {} ({} expected)", leaf_count(connected), name, *expected);
    f.detail = "The cluster holds every leaf node connection the rule expects" +
               (leafs.empty() ? std::string(".") : ": " + join(leafs) + ".");
    f.values["leafs"] = join(leafs);
    set.add(std::move(f), cluster);
    return;
  }
  const std::uint64_t missing = *expected - connected;
  f.severity = Severity::Warning;
  f.code = "nats.leafnodes_missing";
  f.title = connected == 0 ? fmt::format("No leaf node connected to {} ({} expected)", name, *expected)
                           : fmt::format("Only {} of {} expected leaf nodes connected to {}", connected, *expected, name);
  f.detail = fmt::format(
      "The servers that answered hold {} connection{}, {} fewer than the rule expects. Services behind the missing "
      "leaf nodes get no events until they reconnect: check the leaf nodes' own logs and their route to this "
      "cluster's leafnode port (runbook 000, post-recovery verification 4).",
      connected, connected == 1 ? "" : "s", missing);
  if (!leafs.empty()) f.detail += " Connected: " + join(leafs) + ".";
  if (!unanswered.empty())
    f.detail += " " + join(unanswered) + " did not answer /leafz: leaf nodes connected there are not counted.";
  f.values["missing"] = std::to_string(missing);
  f.values["servers"] = join(per_server);
  f.values["unanswered"] = join(unanswered);
  set.add(std::move(f), cluster);
}

}  // namespace

void NatsLeafnodesJudge::judge(const std::vector<StepResult>& steps, const JudgeContext&,
                               std::vector<Finding>& out) const {
  FindingSet set;
  for (const StepResult* step : results_of_kind(steps, "nats.leafnodes")) judge_step(*step, set);
  set.move_to(out);
}

}  // namespace rr
