#pragma once
// Loads what every command needs: configuration, rules, step kinds and
// judges. `serve`, `check` and `triage` share it so they agree on what is valid.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/triage.h"

namespace rr {

struct Loaded {
  TriageContext ctx;           // complete only when errors is empty
  std::vector<Error> errors;   // "file:line: message"
  std::vector<std::string> rule_files;
};

// `config_path` empty: built-in defaults.
Loaded load_all(const std::optional<std::string>& config_path);

}  // namespace rr
