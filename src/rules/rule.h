#pragma once
// A rule: which alerts it handles, which reads to run, what to suggest.
// Loaded from rules/*.yaml; see README "Rules" for the file format.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "intake/payload/notification.h"
#include "rules/matcher.h"
#include "rules/template.h"

namespace rr {

struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based
  std::string to_string() const { return file + ":" + std::to_string(line); }
};

struct StepSpec {
  std::string id;    // unique within the rule
  std::string kind;  // e.g. "nats.health"; checked against the step registry
  std::map<std::string, Template> params;
  std::optional<Nanos> timeout;  // else the engine's step_timeout
  SourceLocation where;
};

struct SuggestSpec {
  Template command;
  std::string why;
  std::string risk;  // "read-only", "low", "medium", "high"
  std::optional<std::string> when;  // finding code that must be present; one
                                    // suggestion per such finding
  SourceLocation where;
};

// A remediation the rule offers to run by itself, one per finding with
// code `when`, only when the operator allows it by name (config `actions`)
// and every guard holds at the moment of acting. See act/remediation.h.
struct ActionSpec {
  std::string name;  // [A-Za-z0-9_.-], unique in the rule; the config allows it by name
  std::string when;  // finding code, e.g. nats.server_down; acts on finding.host
  std::string run;   // an action command (config actions.commands), e.g. restart_unit
  std::vector<std::string> guards;  // kGuardNames
  std::string why;
  SourceLocation where;
};

// The guards a rule may ask for, besides the ones always checked (allowed,
// cooldown, hourly limit, dry run): "single" (this triage has exactly one
// finding with the code), "quorum" (without the target, the cluster's other
// servers still hold a majority, re-read just before acting).
inline constexpr const char* kGuardNames[] = {"single", "quorum"};

struct Rule {
  std::string name;
  std::string description;
  std::vector<Matcher> match;  // all must match; includes alertname
  std::vector<StepSpec> steps;
  // Read-only checks run when the alert resolves: the report says
  // "recovered" only when they find nothing wrong.
  std::vector<StepSpec> verify;
  std::vector<SuggestSpec> suggest;
  std::vector<ActionSpec> actions;
  SourceLocation where;

  bool matches(const Alert& alert) const { return matches_all(match, alert.labels); }
};

class RuleSet {
 public:
  explicit RuleSet(std::vector<Rule> rules = {}) : rules_(std::move(rules)) {}
  // First rule that matches, or nullptr. The pointer lives as long as this set.
  const Rule* match(const Alert& alert) const;
  // The rule named `name`, or nullptr.
  const Rule* find(const std::string& name) const;
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
};

// Knows which step kinds exist and what parameters each takes, so rules are
// checked at load time, not when an alert fires.
struct StepCatalog {
  struct Param {
    ValueType type;
    bool required;
  };
  std::map<std::string, std::map<std::string, Param>> kinds;  // kind -> params

  // A kind's own check of the parameters a rule gives as plain values,
  // beyond each one's type (e.g. http.metrics' `max` naming one of its
  // `series`), so that `check` and a reload refuse them instead of the step
  // failing when an alert fires. Values with placeholders are left out (the
  // step checks what they render to). The Error's `where` names the
  // parameter. Kinds without one are absent.
  using Check = std::optional<Error> (*)(const std::map<std::string, std::string>& plain);
  std::map<std::string, Check> checks;  // kind -> check
};

// Loads every file matching `patterns` (paths or glob(3) patterns; relative
// ones resolve against `base_dir`): patterns in the given order, each one's
// files sorted, a file matched twice loaded once. A pattern matching nothing
// is an error. Rules keep file order, so the first match is predictable.
// Errors are "file:line: message"; all errors are collected, not just the
// first, and a rule with any error is left out. Checked at load time: unknown
// keys, rule names unique across files ([A-Za-z0-9_.-]), at least one
// matcher, step ids ([a-z0-9_-]) unique in the rule, step kinds and their
// parameters against `catalog` (required ones present, literal values and
// `default`s passing the parameter's type), templates parse and read only
// labels.*, annotations.*, alert.name, cluster.name (suggestions with `when`
// also finding.* and host.*), risk one of read-only, low, medium, high.
struct RuleLoad {
  RuleSet rules;
  std::vector<Error> errors;
  std::vector<std::string> files;
};
RuleLoad load_rules(const std::vector<std::string>& patterns, const StepCatalog& catalog,
                    const std::string& base_dir = ".");
RuleLoad load_rules_text(const std::string& yaml, const std::string& file, const StepCatalog& catalog);

}  // namespace rr
