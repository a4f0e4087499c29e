#include "app/setup.h"

namespace rr {

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
  }
  auto steps = std::make_shared<const StepRegistry>(default_step_registry());
  RuleLoad rules = load_rules(config.rules, steps->catalog(), config.base_dir);
  out.errors.insert(out.errors.end(), rules.errors.begin(), rules.errors.end());
  out.rule_files = rules.files;
  out.ctx.config = std::make_shared<const Config>(std::move(config));
  out.ctx.rules = std::make_shared<const RuleSet>(std::move(rules.rules));
  out.ctx.steps = std::move(steps);
  out.ctx.judges = std::make_shared<const Judges>(default_judges());
  return out;
}

}  // namespace rr
