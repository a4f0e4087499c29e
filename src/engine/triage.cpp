#include "engine/triage.h"

#include <sys/random.h>

#include "config/finding_scope.h"

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "engine/step_runner.h"
#include "report/links.h"
#include "report/title.h"

namespace rr {
namespace {

// 64 bits from the kernel's CSPRNG: a report's id is its page's address, so
// one id must not reveal the next (a seeded PRNG's outputs would).
std::string new_report_id() {
  std::uint64_t id = 0;
  if (getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) {
    std::random_device device;  // /dev/urandom on Linux
    id = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  return fmt::format("{:016x}", id);
}

std::string step_target(const ClusterConfig* cluster) {
  return cluster ? "cluster " + cluster->name : "no cluster";
}

// Steps that several alerts of one group share run once. A refused step
// keeps only the parameters resolved before the refusal, so its reason is
// part of the key: it must not stand in for a step that can run.
std::string step_key(const PlannedStep& s) {
  std::string key = s.kind;
  for (const auto& [k, v] : s.params) key += "\x1f" + k + "=" + v;
  if (s.refused) key += "\x1erefused:" + *s.refused;
  return key;
}

std::string verdict_for(const Report& r, std::size_t ran) {
  std::vector<const Finding*> serious;
  for (const auto& f : r.findings)
    if (f.severity == Severity::Critical || f.severity == Severity::Warning) serious.push_back(&f);
  if (!serious.empty()) {
    std::string v = serious.front()->title;
    if (serious.size() > 1) v += fmt::format(" (+{} more finding{})", serious.size() - 1, serious.size() > 2 ? "s" : "");
    return v;
  }
  if (ran == 0 && !r.steps.empty()) return "No checks could run: " + r.steps.front().summary;
  if (r.steps.empty()) return "The rule runs no checks; see the suggested next steps";
  return fmt::format("No problem found: {} check{} ran and saw nothing wrong", ran, ran == 1 ? "" : "s");
}

// "2 checks could not run: unit, journal (no SSH hosts configured (config
// hosts))": the skipped steps, grouped by their reason in step order; "" when
// none was skipped.
std::string not_run(const std::vector<StepResult>& steps) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
  std::size_t count = 0;
  for (const StepResult& r : steps) {
    if (r.status != StepStatus::Skipped) continue;
    ++count;
    std::string reason = r.summary.rfind("skipped: ", 0) == 0 ? r.summary.substr(9) : r.summary;
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& g) { return g.first == reason; });
    if (it == by_reason.end()) {
      by_reason.push_back({reason, {}});
      it = std::prev(by_reason.end());
    }
    it->second.push_back(r.id);
  }
  if (count == 0) return "";
  std::string out = fmt::format("{} check{} could not run: ", count, count == 1 ? "" : "s");
  for (std::size_t i = 0; i < by_reason.size(); ++i) {
    const auto& [reason, ids] = by_reason[i];
    out += (i == 0 ? "" : "; ") + join(ids) + (reason.empty() ? "" : " (" + reason + ")");
  }
  return out;
}

ReportAlert report_alert(const Alert& a, const Rule* rule) {
  ReportAlert ra;
  ra.name = a.name();
  ra.status = a.status;
  ra.fingerprint = a.fingerprint;
  ra.labels = a.labels;
  ra.summary = label_value(a.annotations, "summary");
  if (ra.summary.empty()) ra.summary = label_value(a.annotations, "description");
  ra.starts_at = a.starts_at;
  ra.rule = rule ? rule->name : "";
  return ra;
}

Report base_report(const Notification& n) {
  Report r;
  r.id = new_report_id();
  r.status = n.status;
  r.group_key = n.group_key;
  r.receiver = n.receiver;
  r.group_labels = n.group_labels;
  r.common_labels = n.common_labels;
  r.truncated_alerts = n.truncated_alerts;
  r.title = alert_title(n);
  r.links = build_links(n);
  r.created = std::chrono::time_point_cast<Nanos>(Clock::now());
  return r;
}

}  // namespace

TemplateScope alert_scope(const Alert& alert, const ClusterConfig* cluster) {
  TemplateScope scope;
  for (const auto& [k, v] : alert.labels) scope["labels." + k] = v;
  for (const auto& [k, v] : alert.annotations) scope["annotations." + k] = v;
  scope["alert.name"] = alert.name();
  if (cluster) scope["cluster.name"] = cluster->name;
  return scope;
}

std::vector<AlertPlan> Triage::plan(const std::vector<const Alert*>& alerts, Phase phase) const {
  const StepCatalog catalog = ctx_.steps->catalog();
  std::vector<AlertPlan> plans;
  for (const Alert* alert : alerts) {
    AlertPlan p;
    p.alert = alert;
    p.rule = ctx_.rules->match(*alert);
    p.cluster = ctx_.config->cluster_for(alert->labels);
    if (p.rule) {
      TemplateScope scope = alert_scope(*alert, p.cluster);
      for (const StepSpec& spec : phase == Phase::Verify ? p.rule->verify : p.rule->steps) {
        PlannedStep s;
        s.id = spec.id;
        s.kind = spec.kind;
        s.timeout = spec.timeout.value_or(ctx_.config->engine.step_timeout);
        auto kind_it = catalog.kinds.find(spec.kind);
        for (const auto& [name, tmpl] : spec.params) {
          ValueType type = ValueType::Word;
          if (kind_it != catalog.kinds.end()) {
            auto param = kind_it->second.find(name);
            if (param != kind_it->second.end()) type = param->second.type;
          }
          auto value = tmpl.render(scope, type);
          if (!value) {
            s.refused = fmt::format("parameter {} refused: {}", name, value.error().message);
            break;
          }
          // Literal text around a placeholder is checked too: the whole value is what the step gets.
          if (auto why = check_value(type, value.value())) {
            s.refused = fmt::format("parameter {} refused: {}", name, *why);
            break;
          }
          s.params[name] = value.value();
        }
        if (!s.refused && !p.cluster && spec.kind.rfind("nats.", 0) == 0)
          s.refused = "no cluster in the configuration matches this alert's labels";
        p.steps.push_back(std::move(s));
      }
    }
    plans.push_back(std::move(p));
  }
  return plans;
}

Triage::Diagnosis Triage::diagnose(const std::vector<AlertPlan>& plans, Metrics* metrics, bool fresh) const {
  const auto& engine = ctx_.config->engine;
  Deadline triage_deadline = Deadline::after(engine.deadline);

  // One batch of steps per cluster (usually one), each step once.
  struct Batch {
    const ClusterConfig* cluster = nullptr;
    std::vector<StepJob> jobs;
    std::set<std::string> keys;
    std::vector<StepResult> results;
  };
  std::vector<Batch> batches;
  std::set<std::string> used_ids;
  std::size_t runnable = 0;  // against engine.max_steps: each is a thread
  for (const AlertPlan& p : plans) {
    if (!p.rule) continue;
    auto batch = std::find_if(batches.begin(), batches.end(), [&](const Batch& b) { return b.cluster == p.cluster; });
    if (batch == batches.end()) {
      batches.push_back(Batch{p.cluster, {}, {}, {}});
      batch = std::prev(batches.end());
    }
    for (const PlannedStep& s : p.steps) {
      if (!batch->keys.insert(step_key(s)).second) continue;
      std::string id = s.id;
      for (int i = 2; used_ids.count(id); ++i) id = fmt::format("{}-{}", s.id, i);
      used_ids.insert(id);
      std::optional<std::string> refused = s.refused;
      if (!refused && ++runnable > engine.max_steps)
        refused = fmt::format("this triage already runs {} steps (engine.max_steps)", engine.max_steps);
      batch->jobs.push_back(StepJob{id, s.kind, s.params, refused, step_target(p.cluster),
                                    triage_deadline.capped(s.timeout), fresh});
    }
  }

  // Clusters are diagnosed in parallel; steps within a cluster run in parallel too.
  std::vector<std::thread> threads;
  for (Batch& b : batches) {
    std::shared_ptr<const ClusterConfig> cluster;
    if (b.cluster) cluster = std::shared_ptr<const ClusterConfig>(ctx_.config, b.cluster);  // aliasing: keeps config alive
    threads.emplace_back([&b, cluster, this] { b.results = run_steps(b.jobs, ctx_.steps, cluster); });
  }
  for (auto& t : threads) t.join();
  for (Batch& b : batches)
    for (StepResult& r : b.results) redact_result(r, ctx_.config->redactor);

  HistogramFamily* step_seconds =
      metrics ? &metrics->histogram("rr_step_duration_seconds", "Duration of diagnostic steps by kind.", {"kind"},
                                    {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
              : nullptr;
  Diagnosis d;
  for (Batch& b : batches) {
    auto findings = ctx_.judges->run(b.results, JudgeContext{b.cluster, &ctx_.config->thresholds});
    d.findings.insert(d.findings.end(), findings.begin(), findings.end());
    for (auto& r : b.results) {
      if (r.status != StepStatus::Skipped) ++d.ran;
      if (step_seconds && r.status != StepStatus::Skipped)
        step_seconds->observe({r.kind}, std::chrono::duration<double>(r.duration).count());
      d.steps.push_back(std::move(r));
    }
  }
  std::stable_sort(d.findings.begin(), d.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return d;
}

void Triage::suggest(const std::vector<AlertPlan>& plans, bool findings_only, Report& report) const {
  // Each rule once, filled from the first alert it matched and, for `when`
  // suggestions, from every finding with that code.
  std::set<std::string> seen_rules, seen_commands;
  for (const AlertPlan& p : plans) {
    if (!p.rule || !seen_rules.insert(p.rule->name).second) continue;
    TemplateScope scope = alert_scope(*p.alert, p.cluster);
    for (const SuggestSpec& s : p.rule->suggest) {
      std::vector<TemplateScope> scopes;
      if (s.when) {
        for (const Finding& f : report.findings) {
          if (f.code != *s.when) continue;
          scopes.push_back(finding_scope(*ctx_.config, f.values, scope));
        }
      } else if (!findings_only) {
        scopes.push_back(scope);
      }
      for (const auto& sc : scopes) {
        auto command = s.command.render(sc, ValueType::Word, Template::Quoting::Shell);
        if (!command) {
          spdlog::debug("suggestion at {} left out: {}", s.where.to_string(), command.error().message);
          continue;
        }
        if (!seen_commands.insert(command.value()).second) continue;
        report.suggestions.push_back(Suggestion{command.value(), s.why, s.risk});
      }
    }
  }
}

Report Triage::run(const Notification& n, const std::vector<AlertPlan>& plans, Metrics* metrics) const {
  Report report = base_report(n);
  auto started = std::chrono::steady_clock::now();
  for (const AlertPlan& p : plans) {
    report.alerts.push_back(report_alert(*p.alert, p.rule));
    if (!p.rule) continue;
    if (report.rule.empty()) report.rule = p.rule->name;
    if (report.cluster.empty() && p.cluster) report.cluster = p.cluster->name;
  }
  Diagnosis d = diagnose(plans, metrics);
  report.findings = std::move(d.findings);
  report.steps = std::move(d.steps);

  // Alerts no rule handles are said plainly, not dropped.
  for (const AlertPlan& p : plans) {
    if (p.rule) continue;
    report.findings.push_back(Finding{Severity::Info, "responder.no_rule",
                                      "No rule handles " + (p.alert->name().empty() ? "this alert" : p.alert->name()),
                                      "No rule in the loaded rule files matches this alert's labels, so nothing was run for it.",
                                      {}, {{"alert", p.alert->name()}}});
  }
  suggest(plans, false, report);

  bool any_rule = std::any_of(plans.begin(), plans.end(), [](const AlertPlan& p) { return p.rule != nullptr; });
  if (!any_rule) {
    report.kind = Report::Kind::Unmatched;
    std::set<std::string> names;
    for (const auto& p : plans) names.insert(p.alert->name().empty() ? "(unnamed)" : p.alert->name());
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    report.verdict = "No rule handles " + list + "; nothing was run";
  } else {
    report.verdict = verdict_for(report, d.ran);
  }
  report.triage_duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return report;
}

Report Triage::started(const Notification& n, const std::vector<AlertPlan>& plans) const {
  Report report = base_report(n);
  report.kind = Report::Kind::Started;
  std::size_t steps = 0;
  for (const AlertPlan& p : plans) {
    report.alerts.push_back(report_alert(*p.alert, p.rule));
    if (report.rule.empty() && p.rule) report.rule = p.rule->name;
    if (report.cluster.empty() && p.cluster) report.cluster = p.cluster->name;
    steps += p.steps.size();
  }
  report.verdict = report.rule.empty()
                       ? std::string("Diagnosing: looking for a rule")
                       : fmt::format("Diagnosing: running {} read-only check{} of rule {}", steps, steps == 1 ? "" : "s",
                                     report.rule);
  return report;
}

Report Triage::report_for(const Notification& n) const { return base_report(n); }

Triage::Verification Triage::verify(const std::vector<const Alert*>& alerts, Metrics* metrics) const {
  return verify(plan(alerts, Phase::Verify), metrics);
}

Triage::Verification Triage::verify(const std::vector<AlertPlan>& plans, Metrics* metrics) const {
  Verification v;
  for (const AlertPlan& p : plans) v.checks += p.steps.size();
  if (v.checks == 0) return v;
  Diagnosis d = diagnose(plans, metrics, true);
  v.steps = std::move(d.steps);
  v.findings = std::move(d.findings);
  std::vector<const Finding*> serious;
  for (const auto& f : v.findings)
    if (f.severity == Severity::Critical || f.severity == Severity::Warning) serious.push_back(&f);
  v.serious = serious.size();
  auto unconfirmed = std::find_if(v.steps.begin(), v.steps.end(), [](const StepResult& r) {
    return r.status == StepStatus::Failed || r.status == StepStatus::Timeout;
  });
  if (!serious.empty()) {
    v.summary = serious.front()->title;
    if (serious.size() > 1)
      v.summary += fmt::format(" (+{} more finding{})", serious.size() - 1, serious.size() > 2 ? "s" : "");
  } else if (d.ran == 0) {
    v.summary = "no check could run (" + v.steps.front().summary + ")";
  } else if (unconfirmed != v.steps.end()) {
    v.summary = unconfirmed->id + " " + std::string(step_status_name(unconfirmed->status)) + " (" +
                unconfirmed->summary + ")";
  } else {
    v.recovered = true;
    v.ran = d.ran;
    v.summary = fmt::format("{} verification check{} found nothing wrong", d.ran, d.ran == 1 ? "" : "s");
    v.not_run = not_run(v.steps);
    if (!v.not_run.empty()) v.summary += ", but " + v.not_run;
  }
  return v;
}

Report Triage::resolution(const Notification& n, const std::vector<const Alert*>& resolved, Metrics* metrics) const {
  Report report = base_report(n);
  report.kind = Report::Kind::Resolution;
  auto started = std::chrono::steady_clock::now();
  // report.status stays the group's: "firing" while other alerts of the
  // group still fire, so a pager resolves only when the whole group has.
  report.title = alert_title("resolved", 0, n.group_labels, n.common_labels);
  std::vector<AlertPlan> plans = plan(resolved, Phase::Verify);
  for (const AlertPlan& p : plans) {
    report.alerts.push_back(report_alert(*p.alert, p.rule));
    if (report.rule.empty() && p.rule) report.rule = p.rule->name;
    if (report.cluster.empty() && p.cluster && !p.steps.empty()) report.cluster = p.cluster->name;
  }
  const Alert& first = *resolved.front();
  std::string lasted;
  if (first.ends_at > first.starts_at && first.starts_at != TimePoint::min())
    lasted = " after " + format_duration(first.ends_at - first.starts_at);
  const std::string what = resolved.size() == 1
                               ? fmt::format("{}{}", first.name().empty() ? "alert" : first.name(), lasted)
                               : fmt::format("{} alerts", resolved.size());
  Verification v = verify(plans, metrics);  // the plans above: planned once
  report.findings = std::move(v.findings);
  report.steps = std::move(v.steps);
  if (v.checks == 0) {
    report.verdict = "Resolved: " + what;
  } else if (v.recovered && v.not_run.empty()) {
    report.verdict = "Recovered: " + what + "; " + v.summary;
  } else if (v.recovered) {
    // "Recovered" is kept for a verification that looked at everything.
    report.verdict = fmt::format("Resolved: {}; recovered, but {}; {} other{} found nothing wrong", what, v.not_run,
                                 v.ran, v.ran == 1 ? "" : "s");
  } else if (v.serious > 0) {
    // The alert stopped, the cluster is not well: say so, with what to do about it.
    report.verdict = "Resolved: " + what + ", but not recovered: " + v.summary;
    suggest(plans, true, report);
  } else {
    report.verdict = "Resolved: " + what + "; recovery not verified: " + v.summary;
  }
  report.triage_duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace rr
