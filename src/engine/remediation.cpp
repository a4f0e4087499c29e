#include "engine/remediation.h"

#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "steps/nats/json_read.h"
#include "steps/ssh/command_step.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_string;

constexpr auto kVerifyEvery = std::chrono::seconds(2);

bool has_guard(const ActionSpec& a, std::string_view guard) {
  return std::find(a.guards.begin(), a.guards.end(), guard) != a.guards.end();
}

std::string value_of(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

// "restart-node (restart_unit) on nats-node-3".
std::string label_of(const ActionDecision& d) {
  return d.spec->name + " (" + d.spec->run + ") on " + (d.target.empty() ? "?" : d.target);
}

Finding action_finding(const ActionDecision& d, Severity severity, std::string title, std::string detail) {
  Finding f;
  f.severity = severity;
  f.code = "responder.action";
  f.title = std::move(title);
  f.detail = std::move(detail);
  f.values = {{"action", d.spec->name}, {"run", d.spec->run}, {"host", d.target}};
  return f;
}

std::string guards_text(const ActionSpec& a) {
  std::string out = "allowed by the config, cooldown, hourly limit";
  for (const auto& g : a.guards) out += ", " + g;
  return out;
}

}  // namespace

std::optional<std::string> Remediation::store_guards(const Triage& triage, TimePoint now) const {
  const ActionsConfig& cfg = triage.context().config->actions;
  const Nanos window = std::max<Nanos>(cfg.cooldown, std::chrono::hours(1));
  auto recent = store_.actions_since(now - window);
  if (!recent) return "the state store cannot say which actions ran recently (" + recent.error().message + ")";
  int last_hour = 0;
  for (const ActionRecord& a : *recent) {
    if (a.outcome == "dry-run") continue;
    if (a.at >= now - cfg.cooldown)
      return fmt::format("cooldown: action {} ran on {} at {} (rule {}), within {}", a.action, a.target,
                         format_rfc3339(a.at), a.rule, format_duration(cfg.cooldown));
    if (a.at >= now - std::chrono::hours(1)) ++last_hour;
  }
  if (last_hour >= cfg.max_per_hour)
    return fmt::format("hourly limit: {} action{} ran in the last hour (max_per_hour {})", last_hour,
                       last_hour == 1 ? "" : "s", cfg.max_per_hour);
  return std::nullopt;
}

std::optional<std::string> Remediation::quorum_without(const Triage& triage, const ActionDecision& d) const {
  const auto& ctx = triage.context();
  const StepKind* health = ctx.steps->find("nats.health");
  if (!health || !d.plan->cluster) return std::string("quorum: no NATS cluster to read the health of");
  // fresh: read now, never a result shared from a triage seconds ago.
  StepResult r =
      health->run(StepInput{"quorum", {}, d.plan->cluster, Deadline::after(ctx.config->engine.step_timeout), true});
  if (r.status != StepStatus::Ok) return "quorum: the health read failed (" + r.summary + ")";
  const std::string monitor = value_of(d.finding, "monitor"), client = value_of(d.finding, "client");
  std::size_t total = 0, healthy_others = 0;
  bool target_healthy = false;
  for (const auto& s : field(r.facts, "servers")) {
    ++total;
    bool is_target = (!monitor.empty() && get_string(s, "monitor") == monitor) ||
                     (!client.empty() && get_string(s, "client") == client);
    bool healthy = get_bool(s, "healthy");
    if (is_target)
      target_healthy = healthy;
    else if (healthy)
      ++healthy_others;
  }
  if (target_healthy) return std::string("the target answers healthy again: nothing to do");
  if (total == 0 || healthy_others * 2 <= total)
    return fmt::format("quorum: only {} of the other {} servers answer healthy, not a majority of {}",
                       healthy_others, total == 0 ? 0 : total - 1, total);
  return std::nullopt;
}

std::vector<ActionDecision> Remediation::decide(const Triage& triage, const std::vector<AlertPlan>& plans,
                                                Report& report, TimePoint now) const {
  const Config& cfg = *triage.context().config;
  std::vector<ActionDecision> out;
  std::vector<Finding> said;  // added after the loop: `hits` point into report.findings
  std::set<std::string> seen_rules;
  // The store's guards are the same for every decision: read once, when needed.
  std::optional<std::optional<std::string>> store_why;
  for (const AlertPlan& p : plans) {
    if (!p.rule || !seen_rules.insert(p.rule->name).second) continue;
    for (const ActionSpec& a : p.rule->actions) {
      if (!cfg.actions.allowed(p.rule->name, a.name)) continue;  // opt-in: nothing said otherwise
      std::vector<const Finding*> hits;
      for (const Finding& f : report.findings)
        if (f.code == a.when) hits.push_back(&f);
      for (const Finding* hit : hits) {
        ActionDecision d;
        d.plan = &p;
        d.spec = &a;
        d.finding = hit->values;
        d.target = value_of(hit->values, "host");
        if (d.target.empty() || cfg.host(d.target) == nullptr) {
          d.why = "the finding names no inventory host (\"" + nats::one_line(d.target, 80) + "\")";
        } else if (cfg.actions.command(a.run) == nullptr) {
          d.why = "no action command \"" + a.run + "\" in the config";
        } else if (has_guard(a, "single") && hits.size() != 1) {
          d.why = fmt::format("single: {} findings {}, the action is for exactly one", hits.size(), a.when);
        } else {
          if (!store_why) store_why = store_guards(triage, now);
          if (*store_why) {
            d.why = **store_why;
          } else if (cfg.actions.dry_run) {
            d.verdict = ActionDecision::Verdict::DryRun;
            d.why = "dry run (actions.dry_run): nothing runs";
          } else {
            d.verdict = ActionDecision::Verdict::Go;
          }
        }
        const std::string label = label_of(d);
        switch (d.verdict) {
          case ActionDecision::Verdict::Go:
            said.push_back(action_finding(
                d, Severity::Info, "Automatic action: " + label + " runs now",
                "The operator allows this rule's action " + a.name + ". " + a.why + " Guards: " + guards_text(a) +
                    "; quorum is read again just before acting. A follow-up report says what ran and whether the "
                    "verification passed."));
            break;
          case ActionDecision::Verdict::DryRun:
            said.push_back(action_finding(d, Severity::Info, "Automatic action (dry run): " + label,
                                                     "Would run: " + a.why + " " + d.why + "."));
            break;
          case ActionDecision::Verdict::Refused:
            said.push_back(action_finding(d, Severity::Info, "Automatic action " + label + " not taken",
                                          "Not taken: " + d.why + "."));
            break;
        }
        out.push_back(std::move(d));
      }
    }
  }
  for (Finding& f : said) report.findings.push_back(std::move(f));
  return out;
}

Report Remediation::act(const Triage& triage, const ActionDecision& d, const Notification& n, Metrics* metrics) {
  std::lock_guard lock(acting_);
  const Config& cfg = *triage.context().config;
  const AlertPlan& plan = *d.plan;
  const std::string label = label_of(d);
  Report report = triage.report_for(n);
  report.rule = plan.rule->name;
  report.cluster = plan.cluster ? plan.cluster->name : "";
  auto started = std::chrono::steady_clock::now();
  auto done = [&](std::string verdict) {
    report.verdict = std::move(verdict);
    report.triage_duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
    return report;
  };
  auto refuse = [&](const std::string& why) {
    spdlog::warn("action {} for rule {}: not taken: {}", label, plan.rule->name, why);
    report.findings.push_back(action_finding(d, Severity::Info, "Automatic action " + label + " not taken",
                                             "Not taken at the moment of acting: " + why + "."));
    return done("Automatic action " + label + " not taken: " + why);
  };

  // The guards again, now: another triage may have acted meanwhile.
  const TimePoint now = Clock::now();
  if (auto why = store_guards(triage, now)) return refuse(*why);
  if (has_guard(*d.spec, "quorum"))
    if (auto why = quorum_without(triage, d)) return refuse(*why);
  ActionRecord record{now, plan.rule->name, d.spec->name, d.target, "started"};
  if (auto r = store_.record_action(record); !r) return refuse("cannot record it in the state store: " + r.error().message);

  // Run the allowlisted command on that one inventory host.
  auto env = std::make_shared<ssh::SshEnv>();
  env->hosts = cfg.hosts;
  env->settings = cfg.ssh;
  env->slots = std::make_shared<ssh::SessionSlots>(1);
  ssh::CommandStep command(*cfg.actions.command(d.spec->run), env);
  StepInput in{"action", {{"host", d.target}}, plan.cluster, Deadline::after(cfg.actions.timeout)};
  spdlog::warn("action {} for rule {}: running (alert group {})", label, plan.rule->name, log_safe(n.group_key, 200));
  StepResult ran = command.run(in);
  redact_result(ran, cfg.redactor);
  static const nlohmann::json kNone = nlohmann::json::object();
  const auto& hosts = field(ran.facts, "hosts");
  const auto& host = hosts.is_array() && !hosts.empty() ? hosts[0] : kNone;
  const bool ok = ran.status == StepStatus::Ok && get_string(host, "outcome") == "ok" &&
                  nats::get_int(host, "exit_status").value_or(-1) == 0;
  record.outcome = ok ? "done" : "failed";
  if (auto r = store_.record_action(record); !r)
    spdlog::error("action {}: cannot record its outcome: {}", label, r.error().message);
  spdlog::warn("action {} for rule {}: {} ({})", label, plan.rule->name, record.outcome, log_safe(ran.summary, 300));
  if (metrics)
    metrics->counter("rr_actions_total", "Automatic actions run, by rule, action and outcome.",
                     {"rule", "action", "outcome"})
        .inc({plan.rule->name, d.spec->name, record.outcome});
  report.steps.push_back(ran);
  if (!ok) {
    report.findings.push_back(action_finding(d, Severity::Critical, "Automatic action " + label + " failed",
                                             "The command did not succeed: " + ran.summary + "."));
    return done("Automatic action " + label + " failed: " + ran.summary);
  }
  report.findings.push_back(action_finding(d, Severity::Info, "Automatic action " + label + " ran",
                                           "Ran: " + ran.summary + ". " + d.spec->why));

  // Wait for the rule's verification to pass, re-reading it until it does.
  const Deadline verify_until = Deadline::after(cfg.actions.verify_within);
  Triage::Verification v;
  while (true) {
    v = triage.verify({plan.alert}, metrics);
    if (v.checks == 0 || v.recovered || verify_until.expired()) break;
    std::this_thread::sleep_for(std::min<Nanos>(kVerifyEvery, Nanos(verify_until.remaining())));
  }
  for (auto& s : v.steps) report.steps.push_back(std::move(s));
  for (auto& f : v.findings) report.findings.push_back(std::move(f));
  if (v.checks == 0) return done("Automatic action " + label + " done; the rule has no verify steps to confirm it");
  if (v.recovered) return done("Automatic action " + label + " done; recovered: " + v.summary);
  return done("Automatic action " + label + " done, but not recovered after " +
              format_duration(cfg.actions.verify_within) + ": " + v.summary);
}

}  // namespace rr
