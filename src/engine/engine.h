#pragma once
// The engine: between the HTTP thread and the targets. accept() journals
// the webhook in the state store before it is answered 200 and queues it;
// workers work out what changed in the group (GroupTracker), triage what
// newly fires, write a short notice for what resolved, and commit the
// outcome (the group's new state, cooldowns, the reports and their
// deliveries) to the store in one transaction, then wake the delivery.
// An automatic action the operator allows (engine/remediation.h) is
// announced in that report and runs after it is committed; what it did
// follows in a report of its own.
//
// Notifications are sharded by groupKey over the workers, so one group's
// are handled in arrival order and never by two workers at once; a newer
// notification of a group replaces its older one still in the queue (each
// carries the whole group), keeping the older one's place. A crash
// at any point loses nothing: what was journaled and not committed is
// triaged again after the next start (recover()), and what was committed
// is delivered from the outbox.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/group_tracker.h"
#include "engine/remediation.h"
#include "engine/triage.h"
#include "intake/http/server.h"
#include "metrics/metrics.h"
#include "state/store.h"

namespace rr {

// What the engine needs of delivery (notify/outbox.h provides both).
struct ReportRoute {
  // The route stage: the names of the targets that take a report.
  std::function<std::vector<std::string>(const Report&)> targets;
  // Called after reports and their deliveries were committed to the store.
  std::function<void()> committed;
};

class Engine : public WebhookSink {
 public:
  // `store` and `metrics` must outlive the engine.
  Engine(TriageContext ctx, StateStore& store, ReportRoute route, Metrics& metrics);
  ~Engine() override;

  // Loads the groups and cooldowns the store kept and queues every journaled
  // notification not yet committed. Call once, before start().
  void recover();
  void start();
  // Stops taking work, lets each worker finish the notification in hand
  // (bounded by the triage deadline), then joins them. What is still queued
  // stays journaled for the next start. Idempotent.
  void stop();

  // From now on, notifications a worker takes are triaged with `ctx` (rules,
  // clusters, thresholds, steps, judges, actions); one in hand finishes with
  // the context it started with, and nothing queued is dropped. What is fixed
  // at construction stays: the number of workers and the queue's bound.
  void reload(TriageContext ctx);

  Admission accept(Notification notification, std::string_view body, TimePoint received) override;
  std::string not_ready() const override;
  std::size_t depth() const { return pending_->load(); }

  // Forgets what is older than state.keep_for (reports no target still
  // owes, groups, cooldowns, threads, actions) and reports beyond
  // state.keep_reports, at most once every ten minutes. Called after each
  // triage, and by the service's idle tick so a quiet responder prunes too.
  void prune_if_due(TimePoint now);

  // Handles one notification on the calling thread, as a worker does (for
  // tests): journal_ids are committed as done with it.
  void process(const Notification& n, TimePoint received, std::vector<std::int64_t> journal_ids = {});

 private:
  struct Item {
    std::vector<std::int64_t> journal_ids;
    Notification notification;
    TimePoint received;
  };
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> items;
    std::thread worker;
  };
  void enqueue(Item item);
  void work(Shard& shard);
  // Commits, retrying while the store refuses and the engine runs; false
  // when it gave up (the journal keeps the notification for the next start).
  bool commit(const TriageCommit& commit);
  // Gives a report its page URL and link, and its rows for the store.
  void finish(const Config& config, Report& report, TriageCommit& commit);
  // The current triage; the caller's copy keeps it alive through a reload.
  std::shared_ptr<const Triage> triage() const;

  mutable std::mutex triage_mu_;
  std::shared_ptr<const Triage> triage_;  // guarded by triage_mu_
  const std::size_t capacity_;            // engine.queue at construction
  StateStore& store_;
  Remediation remediation_{store_};
  ReportRoute route_;
  Metrics& metrics_;
  GroupTracker tracker_;
  std::vector<std::unique_ptr<Shard>> shards_;
  // Accepted and not yet handled; shared with the queue-depth gauge.
  std::shared_ptr<std::atomic<std::size_t>> pending_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<bool> stopped_{false};
  std::atomic<bool> started_{false};
  std::atomic<std::int64_t> last_prune_{0};  // ns since the epoch
  CounterFamily& alerts_;
  CounterFamily& triages_;
  CounterFamily& journal_;
  HistogramFamily& latency_;
};

}  // namespace rr
