#include "engine/engine.h"

#include <spdlog/spdlog.h>

namespace rr {

Engine::Engine(TriageContext ctx, DeliverFn deliver, Metrics& metrics)
    : triage_(std::move(ctx)),
      deliver_(std::move(deliver)),
      metrics_(metrics),
      queue_(triage_.context().config->engine.queue),
      alerts_(metrics.counter("rr_alerts_total",
                              "Alerts seen in accepted webhooks, by what the engine did with them.", {"action"})),
      triages_(metrics.counter("rr_triages_total", "Reports produced, by rule and outcome.", {"rule", "outcome"})),
      latency_(metrics.histogram("rr_report_latency_seconds",
                                 "Time from a webhook's arrival to its report being handed to every target.", {},
                                 {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120})) {
  metrics.gauge("rr_queue_depth", "Webhooks waiting for a worker.", [this] { return static_cast<double>(queue_.size()); });
  metrics.gauge("rr_queue_capacity", "Bound of the webhook queue.",
                [this] { return static_cast<double>(queue_.capacity()); });
}

Engine::~Engine() { stop(); }

void Engine::start() {
  int n = std::max(1, triage_.context().config->engine.workers);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
}

void Engine::stop() {
  if (stopped_.exchange(true)) return;
  queue_.close();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

WebhookSink::Admission Engine::accept(Notification notification, TimePoint received) {
  switch (queue_.push(Item{std::move(notification), received})) {
    case BoundedQueue<Item>::Push::Ok: return Admission::Queued;
    case BoundedQueue<Item>::Push::Full: return Admission::Full;
    case BoundedQueue<Item>::Push::Closed: return Admission::Stopped;
  }
  return Admission::Stopped;
}

bool Engine::ready() const { return !stopped_ && queue_.size() < queue_.capacity(); }

void Engine::work() {
  while (auto item = queue_.pop()) {
    try {
      process(item->notification, item->received);
    } catch (const std::exception& e) {
      // A bug in one triage must not take the worker, or the alerts behind it, down.
      spdlog::error("triage of group {} failed: {}", item->notification.group_key, e.what());
      triages_.inc({"", "error"});
    }
  }
}

void Engine::process(const Notification& n, TimePoint received) {
  const auto& cfg = *triage_.context().config;
  GroupChanges changes = tracker_.observe(n);
  alerts_.inc({"duplicate"}, static_cast<double>(changes.unchanged));

  auto now = std::chrono::time_point_cast<Nanos>(Clock::now());
  std::vector<const Alert*> to_triage;
  auto plans_all = triage_.plan(changes.newly_firing);
  std::vector<AlertPlan> plans;
  for (auto& p : plans_all) {
    std::string rule = p.rule ? p.rule->name : "";
    if (tracker_.in_cooldown(p.alert->fingerprint, rule, cfg.engine.cooldown, now)) {
      alerts_.inc({"cooldown"});
      continue;
    }
    alerts_.inc({"triaged"});
    plans.push_back(std::move(p));
  }

  auto deliver = [&](const Report& r, const std::string& outcome) {
    triages_.inc({r.rule, outcome});
    deliver_(r);
    latency_.observe({}, std::chrono::duration<double>(Clock::now() - received).count());
  };

  if (!plans.empty()) {
    Report report = triage_.run(n, plans, &metrics_);
    std::string outcome = report.kind == Report::Kind::Unmatched ? "unmatched" : std::string(severity_name(report.worst()));
    spdlog::info("triaged group {}: {} ({} alert(s), rule {}, {} ms)", n.group_key, report.verdict, plans.size(),
                 report.rule.empty() ? "-" : report.rule, report.triage_duration.count());
    deliver(report, outcome);
  }
  if (!changes.newly_resolved.empty()) {
    alerts_.inc({"resolved"}, static_cast<double>(changes.newly_resolved.size()));
    Report report = triage_.resolution(n, changes.newly_resolved);
    deliver(report, "resolved");
  }
}

}  // namespace rr
