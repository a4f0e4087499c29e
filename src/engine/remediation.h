#pragma once
// Opt-in automatic first actions. A rule may offer an action (rules/rule.h
// ActionSpec: restart the NATS unit on the host of a server that is down);
// it runs only when the operator's config allows that rule's action by
// name (config `actions.allow`), and only while every guard holds:
//
//   always   allowed; not dry run (config `actions.dry_run`: say what would
//            run, run nothing); no action ran within `actions.cooldown`; fewer
//            than `actions.max_per_hour` in the last hour (all rules; kept
//            in the state store, so a restart forgets nothing)
//   single   the triage found exactly one finding with the action's code
//   quorum   without the target, the other servers of the cluster answer
//            healthy and hold a majority: re-read (nats.health) just
//            before acting, not taken from the triage
//
// decide() runs with the triage and says in its report what will happen
// and why (a `responder.action` finding), before anything runs. act() then
// re-checks the store's guards and quorum under one lock, records the
// action, runs its command over SSH on the finding's host (an inventory
// host only; the command is an allowlisted write command, never a step),
// audits it in the log, and waits up to `actions.verify_within` for the
// rule's verify steps to pass: the report it returns says what ran and
// whether the cluster recovered.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/triage.h"
#include "state/store.h"

namespace rr {

struct ActionDecision {
  enum class Verdict { Go, DryRun, Refused };
  Verdict verdict = Verdict::Refused;
  const AlertPlan* plan = nullptr;  // the alert whose rule offers the action; points into the caller's plans
  const ActionSpec* spec = nullptr;
  std::map<std::string, std::string> finding;  // the values of the finding acted on
  std::string target;                          // the inventory host (finding.host)
  std::string why;                             // for Refused and DryRun: which guard, in words
};

class Remediation {
 public:
  // `store` must outlive this.
  explicit Remediation(StateStore& store) : store_(store) {}

  // The allowed actions the report's findings call for, each with the guards
  // that can be judged now; adds a responder.action finding per decision.
  // `triage` is the one that made `plans` (its config says what is allowed).
  std::vector<ActionDecision> decide(const Triage& triage, const std::vector<AlertPlan>& plans, Report& report,
                                     TimePoint now) const;

  // Acts on a Go decision (see above) and returns the report of what
  // happened, for the group of `n`. `metrics` may be null.
  Report act(const Triage& triage, const ActionDecision& decision, const Notification& n, Metrics* metrics);

 private:
  // nullopt when the store's guards hold at `now`; else why not.
  std::optional<std::string> store_guards(const Triage& triage, TimePoint now) const;
  // nullopt when the cluster keeps a majority without the target; else why not.
  std::optional<std::string> quorum_without(const Triage& triage, const ActionDecision& d) const;

  StateStore& store_;
  std::mutex acting_;  // one action at a time, guards checked and recorded under it
};

}  // namespace rr
