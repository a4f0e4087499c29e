#pragma once
// Triage of one alert group: match each alert to a rule, resolve the
// rule's steps from the alert's labels (refusing values that fail their
// type), run the steps, judge the facts and build the report. Used by the
// engine's workers and by `runbook-responder triage`.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "intake/payload/notification.h"
#include "judge/judge.h"
#include "metrics/metrics.h"
#include "report/report.h"
#include "rules/rule.h"
#include "steps/step.h"

namespace rr {

struct PlannedStep {
  std::string id;
  std::string kind;
  std::map<std::string, std::string> params;  // resolved and validated
  std::optional<std::string> refused;         // why a parameter was refused
  Nanos timeout{0};
};

struct AlertPlan {
  const Alert* alert = nullptr;          // points into the notification
  const Rule* rule = nullptr;            // null: no rule matched
  const ClusterConfig* cluster = nullptr;  // null: no cluster matched
  std::vector<PlannedStep> steps;
};

// Everything a triage needs that outlives it. Shared so that a step left
// running past its deadline can still read it safely.
struct TriageContext {
  std::shared_ptr<const Config> config;
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const StepRegistry> steps;
  std::shared_ptr<const Judges> judges;
};

// Which of a rule's step lists a plan runs: the diagnosis while an alert
// fires, the verification when it resolves.
enum class Phase { Diagnose, Verify };

class Triage {
 public:
  explicit Triage(TriageContext ctx) : ctx_(std::move(ctx)) {}

  // Which rule and cluster each alert gets and every step's parameters;
  // runs nothing.
  std::vector<AlertPlan> plan(const std::vector<const Alert*>& alerts, Phase phase = Phase::Diagnose) const;

  // Runs the plans and builds one report for the group. `metrics` may be null.
  Report run(const Notification& n, const std::vector<AlertPlan>& plans, Metrics* metrics) const;

  // The report for alerts that stopped firing. Runs their rules' `verify`
  // steps, if any: the verdict says "Recovered" only when those ran and
  // found nothing wrong; otherwise it names what is still wrong (with the
  // rule's suggestions for it) or what could not be checked. Without
  // verify steps, a short notice. `metrics` may be null.
  Report resolution(const Notification& n, const std::vector<const Alert*>& resolved,
                    Metrics* metrics = nullptr) const;

  // Runs the verify steps of the alerts' rules and judges them: recovered
  // when some ran, none failed or timed out, and nothing is critical or a
  // warning. `summary` says so in a few words ("2 verification checks found
  // nothing wrong", "NATS server n3 is down", "probe failed"). A recovery
  // some checks of which were skipped (an SSH step with no host, a refused
  // parameter) is still recovered, but `not_run` names them, and `summary`
  // ends with it: what was not looked at is never passed off as fine.
  struct Verification {
    std::size_t checks = 0;  // planned; 0: the rules have no verify steps
    bool recovered = false;
    std::string summary;
    // "2 checks could not run: unit, journal (no SSH hosts configured)";
    // "" when every check ran.
    std::string not_run;
    std::size_t ran = 0;  // checks that ran, when recovered
    std::vector<StepResult> steps;
    std::vector<Finding> findings;  // most severe first
    std::size_t serious = 0;        // critical and warning findings
  };
  Verification verify(const std::vector<const Alert*>& alerts, Metrics* metrics) const;
  // The same for plans made with Phase::Verify.
  Verification verify(const std::vector<AlertPlan>& plans, Metrics* metrics) const;

  // An empty report for the group of `n` (id, title, labels, links), for
  // reports built elsewhere (engine/remediation.h).
  Report report_for(const Notification& n) const;

  // A progress notice that the plans' triage has begun ("diagnosing"), for
  // targets that edit one message per incident; runs nothing.
  Report started(const Notification& n, const std::vector<AlertPlan>& plans) const;

  const TriageContext& context() const { return ctx_; }

 private:
  struct Diagnosis {
    std::vector<StepResult> steps;
    std::vector<Finding> findings;  // most severe first
    std::size_t ran = 0;            // steps not skipped
  };
  // Runs the plans' steps (each distinct step once, clusters in parallel)
  // and judges their facts. `fresh`: no read shared with another triage
  // (verification asks how things are now).
  Diagnosis diagnose(const std::vector<AlertPlan>& plans, Metrics* metrics, bool fresh = false) const;
  // Adds the rules' suggestions, filled from the first alert each rule
  // matched and from the report's findings; `findings_only` keeps only
  // those that answer a finding (`when`).
  void suggest(const std::vector<AlertPlan>& plans, bool findings_only, Report& report) const;

  TriageContext ctx_;
};

// "labels.x", "annotations.x", "alert.name", "cluster.name" for templates.
TemplateScope alert_scope(const Alert& alert, const ClusterConfig* cluster);

}  // namespace rr
