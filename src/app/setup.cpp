#include "app/setup.h"

#include <algorithm>
#include <filesystem>

#include "engine/shared_reads.h"
#include "notify/target_type.h"

namespace rr {
namespace {

// Built-in defaults read rules/*.yaml from the working directory; when that
// has no rules/ folder, from beside the binary's folder (a build tree) or its
// installed share folder, so `runbook-responder serve` works from anywhere.
std::string default_rules_base() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory("rules", ec)) return ".";
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  for (const fs::path& base : {exe.parent_path().parent_path(), exe.parent_path().parent_path() / "share/runbook-responder"}) {
    if (fs::is_directory(base / "rules", ec)) return base.string();
  }
  return ".";
}

// The operator's allowed actions must exist, each with a command to run:
// a typo would otherwise silently allow nothing.
void check_actions(const Config& config, const RuleSet& rules, std::vector<Error>& errors) {
  for (const auto& allowed : config.actions.allow) {
    const Rule* rule = rules.find(allowed.rule);
    const std::string what = "actions.allow: " + allowed.rule + "/" + allowed.action + ": ";
    if (!rule) {
      errors.push_back(Error{config.source, what + "no rule named " + allowed.rule});
      continue;
    }
    auto a = std::find_if(rule->actions.begin(), rule->actions.end(),
                          [&](const ActionSpec& s) { return s.name == allowed.action; });
    if (a == rule->actions.end())
      errors.push_back(Error{config.source, what + "rule " + allowed.rule + " offers no action " + allowed.action});
    else if (!config.actions.command(a->run))
      errors.push_back(Error{a->where.to_string(), what + "no action command " + a->run + " (actions.commands)"});
  }
}

}  // namespace

Loaded load_all(const std::optional<std::string>& config_path) {
  Loaded out;
  Config config;
  if (config_path) {
    ConfigLoad c = load_config(*config_path);
    out.errors = c.errors;
    if (!c.config) return out;
    config = std::move(*c.config);
  } else {
    config = default_config();
    config.base_dir = default_rules_base();
  }
  // Each target type checks its own options (the config knows no types).
  for (Error& e : check_targets(config.notify)) out.errors.push_back(std::move(e));
  auto steps =
      std::make_shared<const StepRegistry>(share_reads(default_step_registry(config), config.engine.share_reads));
  RuleLoad rules = load_rules(config.rules, steps->catalog(), config.base_dir);
  out.errors.insert(out.errors.end(), rules.errors.begin(), rules.errors.end());
  out.rule_files = rules.files;
  check_actions(config, rules.rules, out.errors);
  out.ctx.config = std::make_shared<const Config>(std::move(config));
  out.ctx.rules = std::make_shared<const RuleSet>(std::move(rules.rules));
  out.ctx.steps = std::move(steps);
  out.ctx.judges = std::make_shared<const Judges>(default_judges());
  return out;
}

}  // namespace rr
