#include "engine/engine.h"

#include <algorithm>

#include "engine/step_runner.h"

#include <spdlog/spdlog.h>

#include "common/text.h"
#include "report/report_json.h"

namespace rr {

namespace {

constexpr auto kCommitRetry = std::chrono::seconds(2);
constexpr auto kPruneEvery = std::chrono::minutes(10);

TimePoint now() { return std::chrono::time_point_cast<Nanos>(Clock::now()); }

}  // namespace

Engine::Engine(TriageContext ctx, StateStore& store, ReportRoute route, Metrics& metrics)
    : triage_(std::make_shared<const Triage>(std::move(ctx))),
      capacity_(triage_->context().config->engine.queue),
      store_(store),
      route_(std::move(route)),
      metrics_(metrics),
      alerts_(metrics.counter("rr_alerts_total",
                              "Alerts seen in accepted webhooks, by what the engine did with them.", {"action"})),
      triages_(metrics.counter("rr_triages_total", "Reports produced, by rule and outcome.", {"rule", "outcome"})),
      journal_(metrics.counter("rr_journal_total",
                               "Webhooks journaled before their 200, journaled ones recovered at start, and queued ones "
                               "replaced by a newer one of their group (coalesced).",
                               {"event"})),
      latency_(metrics.histogram("rr_report_latency_seconds",
                                 "Time from a webhook's arrival to its reports being committed for delivery.", {},
                                 {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120})) {
  const int workers = std::max(1, triage_->context().config->engine.workers);
  for (int i = 0; i < workers; ++i) shards_.push_back(std::make_unique<Shard>());
  // The registry may outlive the engine: the gauges read shared counters.
  metrics.gauge("rr_queue_depth", "Webhooks accepted and waiting for a worker.",
                [pending = pending_] { return static_cast<double>(pending->load()); });
  metrics.gauge("rr_steps_abandoned", "Steps abandoned at their deadline and still running.",
                [] { return static_cast<double>(abandoned_steps()); });
  metrics.gauge("rr_queue_capacity", "Bound of the webhook queue.",
                [capacity = capacity_] { return static_cast<double>(capacity); });
}

Engine::~Engine() { stop(); }

std::shared_ptr<const Triage> Engine::triage() const {
  std::lock_guard lock(triage_mu_);
  return triage_;
}

void Engine::reload(TriageContext ctx) {
  auto next = std::make_shared<const Triage>(std::move(ctx));
  std::lock_guard lock(triage_mu_);
  triage_ = std::move(next);
}

void Engine::recover() {
  auto groups = store_.groups();
  auto cooldowns = store_.cooldowns();
  if (groups && cooldowns) {
    std::size_t skipped = tracker_.restore(*groups, *cooldowns);
    spdlog::info("state: {} alert group(s) and {} cooldown(s) restored{}", groups->size(), cooldowns->size(),
                 skipped ? fmt::format(" ({} unreadable record(s) skipped)", skipped) : "");
  } else {
    spdlog::error("state: cannot restore alert groups: {}",
                  (groups ? cooldowns.error() : groups.error()).to_string());
  }
  auto journaled = store_.journaled();
  if (!journaled) {
    spdlog::error("state: cannot read the journal: {}", journaled.error().to_string());
    return;
  }
  std::size_t recovered = 0;
  for (Journaled& j : *journaled) {
    auto n = parse_notification(j.body);
    if (!n) {
      // It passed validation when it was accepted; a parser that changed
      // since is the only way here. Say so, and do not retry it forever.
      spdlog::error("state: journaled webhook {} no longer parses ({}); discarded", j.id, n.error().to_string());
      journal_.inc({"discarded"});
      store_.commit(TriageCommit{{j.id}, std::nullopt, {}, {}, {}});
      continue;
    }
    ++*pending_;
    enqueue(Item{{j.id}, std::move(n).value(), j.received});
    ++recovered;
  }
  journal_.inc({"recovered"}, static_cast<double>(recovered));
  if (recovered) spdlog::info("state: {} journaled webhook(s) not yet triaged are queued again", recovered);
}

void Engine::start() {
  if (started_.exchange(true)) return;
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    s->worker = std::thread([this, s] { work(*s); });
  }
}

void Engine::stop() {
  if (stopped_.exchange(true)) return;
  for (auto& shard : shards_) {
    { std::lock_guard lock(shard->mu); }
    shard->cv.notify_all();
  }
  for (auto& shard : shards_)
    if (shard->worker.joinable()) shard->worker.join();
  if (std::size_t left = pending_->load())
    spdlog::info("{} accepted webhook(s) stay journaled and are triaged after the next start", left);
}

WebhookSink::Admission Engine::accept(Notification notification, std::string_view body, TimePoint received) {
  if (stopped_) return Admission::Stopped;
  std::size_t before = pending_->fetch_add(1);
  if (before >= capacity_) {
    --*pending_;
    return Admission::Full;
  }
  auto id = store_.journal(body, received);
  if (!id) {
    --*pending_;
    spdlog::error("cannot journal webhook for group {}: {}; answering 503 so Alertmanager retries",
                  log_safe(notification.group_key, 200), id.error().message);
    return Admission::Unrecorded;
  }
  journal_.inc({"journaled"});
  enqueue(Item{{*id}, std::move(notification), received});
  return Admission::Queued;
}

std::string Engine::not_ready() const {
  if (stopped_) return "stopping";
  if (pending_->load() >= capacity_) return "queue full";
  if (std::string problem = store_.problem(); !problem.empty()) return "state store: " + problem;
  return "";
}

void Engine::enqueue(Item item) {
  Shard& shard = *shards_[std::hash<std::string>{}(item.notification.group_key) % shards_.size()];
  {
    std::lock_guard lock(shard.mu);
    // Each notification carries its group's whole state: a newer one makes
    // a still-queued older one of the same group worthless. It takes that
    // one's place (and its journal entries, committed together), so a storm
    // of repeats costs one triage per group, not one per POST.
    auto same = std::find_if(shard.items.begin(), shard.items.end(), [&](const Item& queued) {
      return queued.notification.group_key == item.notification.group_key;
    });
    if (same != shard.items.end()) {
      same->journal_ids.insert(same->journal_ids.end(), item.journal_ids.begin(), item.journal_ids.end());
      same->notification = std::move(item.notification);
      --*pending_;
      journal_.inc({"coalesced"});
      return;
    }
    shard.items.push_back(std::move(item));
  }
  shard.cv.notify_one();
}

void Engine::work(Shard& shard) {
  while (true) {
    Item item;
    {
      std::unique_lock lock(shard.mu);
      shard.cv.wait(lock, [&] { return stopped_ || !shard.items.empty(); });
      if (stopped_) return;
      item = std::move(shard.items.front());
      shard.items.pop_front();
    }
    try {
      process(item.notification, item.received, item.journal_ids);
    } catch (const std::exception& e) {
      // A bug in one triage must not take the worker, or the alerts behind
      // it, down. The journal keeps the notification for the next start.
      spdlog::error("triage of group {} failed: {}", log_safe(item.notification.group_key, 200), e.what());
      triages_.inc({"", "error"});
    }
    --*pending_;
  }
}

bool Engine::commit(const TriageCommit& c) {
  while (true) {
    auto r = store_.commit(c);
    if (r) return true;
    spdlog::error("cannot record a triage in the state store: {}; retrying", r.error().message);
    for (auto waited = std::chrono::milliseconds(0); waited < kCommitRetry; waited += std::chrono::milliseconds(100)) {
      if (stopped_) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Engine::finish(const Config& config, Report& report, TriageCommit& c) {
  const std::string& external = config.external_url;
  if (!external.empty()) {
    report.url = external + "/reports/" + report.id;
    report.links.insert(report.links.begin(), Link{"Full report", report.url});
  }
  c.reports.push_back(StoredReport{report.id, report.created, report.group_key,
                                   std::string(report_kind_name(report.kind)), std::string(severity_name(report.worst())),
                                   report.title, report.verdict, report_to_json_text(report)});
  for (std::string& target : route_.targets(report)) c.deliveries.emplace_back(report.id, std::move(target));
}

void Engine::process(const Notification& n, TimePoint received, std::vector<std::int64_t> journal_ids) {
  // One context for the whole notification, even if a reload comes meanwhile.
  const std::shared_ptr<const Triage> triage = this->triage();
  const Config& cfg = *triage->context().config;
  const TimePoint at = now();
  GroupChanges changes = tracker_.compare(n);
  alerts_.inc({"duplicate"}, static_cast<double>(changes.unchanged));

  std::vector<AlertPlan> plans;
  for (AlertPlan& p : triage->plan(changes.newly_firing)) {
    if (tracker_.cooling(p.alert->fingerprint, p.rule ? p.rule->name : "", cfg.engine.cooldown, at)) {
      alerts_.inc({"cooldown"});
      continue;
    }
    alerts_.inc({"triaged"});
    plans.push_back(std::move(p));
  }

  TriageCommit c;
  c.journal_ids = std::move(journal_ids);
  // Refreshed well within keep_for, so that prune() never forgets a group
  // that Alertmanager still repeats.
  c.group = tracker_.encode_changed(n, at, cfg.state.keep_for / 4);
  std::vector<Report> reports;
  std::vector<ActionDecision> actions;
  if (!plans.empty()) {
    // Targets that edit one message per incident show "diagnosing" at once.
    Report started = triage->started(n, plans);
    if (!route_.targets(started).empty()) {
      TriageCommit early;
      finish(cfg, started, early);
      if (store_.commit(early)) route_.committed();
    }
    Report report = triage->run(n, plans, &metrics_);
    actions = remediation_.decide(*triage, plans, report, at);
    spdlog::info("triaged group {}: {} ({} alert(s), rule {}, {} ms)", log_safe(n.group_key, 200), report.verdict,
                 plans.size(), report.rule.empty() ? "-" : report.rule, report.triage_duration.count());
    for (const AlertPlan& p : plans) c.cooldowns.push_back(CooldownRecord{p.alert->fingerprint, p.rule ? p.rule->name : "", at});
    reports.push_back(std::move(report));
  }
  if (!changes.newly_resolved.empty()) {
    alerts_.inc({"resolved"}, static_cast<double>(changes.newly_resolved.size()));
    reports.push_back(triage->resolution(n, changes.newly_resolved, &metrics_));
  }
  for (Report& r : reports) finish(cfg, r, c);

  if (reports.empty() && !c.group && c.cooldowns.empty()) {
    // A repeat that changes nothing (most of a storm): no commit of its own.
    store_.forget(c.journal_ids);
  } else if (!commit(c)) {
    return;  // stopping: the journal keeps the notification
  }
  tracker_.record(n, at, c.group.has_value());
  for (const CooldownRecord& cd : c.cooldowns) tracker_.triaged(cd.fingerprint, cd.rule, cd.at);
  for (const Report& r : reports) {
    std::string outcome = r.kind == Report::Kind::Unmatched    ? "unmatched"
                          : r.kind == Report::Kind::Resolution ? "resolved"
                                                               : std::string(severity_name(r.worst()));
    triages_.inc({r.rule, outcome});
  }
  if (!reports.empty()) {
    latency_.observe({}, std::chrono::duration<double>(Clock::now() - received).count());
    route_.committed();
  }

  // Announced in the report just committed; each one's outcome follows in its own.
  for (const ActionDecision& d : actions) {
    if (d.verdict != ActionDecision::Verdict::Go || stopped_) continue;
    Report after = remediation_.act(*triage, d, n, &metrics_);
    TriageCommit done;
    finish(cfg, after, done);
    if (commit(done)) route_.committed();
  }

  prune_if_due(at);
}

void Engine::prune_if_due(TimePoint at) {
  std::int64_t last = last_prune_.load();
  if (at.time_since_epoch().count() - last <= std::chrono::duration_cast<Nanos>(kPruneEvery).count() ||
      !last_prune_.compare_exchange_strong(last, at.time_since_epoch().count()))
    return;
  const std::shared_ptr<const Triage> triage = this->triage();
  const Config& cfg = *triage->context().config;
  if (auto r = store_.prune(cfg.state.keep_reports, at - cfg.state.keep_for); !r)
    spdlog::warn("state: cannot prune old reports: {}", r.error().message);
}

}  // namespace rr
