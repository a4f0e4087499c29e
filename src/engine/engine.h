#pragma once
// The engine: a bounded queue between the HTTP thread and a pool of
// workers. accept() only enqueues; workers work out what changed in the
// group (GroupTracker), triage what newly fires, write a short notice for
// what resolved, and hand each report to `deliver`.

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "engine/bounded_queue.h"
#include "engine/group_tracker.h"
#include "engine/triage.h"
#include "intake/http/server.h"
#include "metrics/metrics.h"

namespace rr {

// Delivers one report to every matching target; called on a worker thread.
using DeliverFn = std::function<void(const Report&)>;

class Engine : public WebhookSink {
 public:
  // `metrics` must outlive the engine.
  Engine(TriageContext ctx, DeliverFn deliver, Metrics& metrics);
  ~Engine() override;

  void start();
  // Stops taking work, finishes what is queued (bounded by the triage
  // deadline), then joins the workers. Idempotent.
  void stop();

  Admission accept(Notification notification, TimePoint received) override;
  bool ready() const override;
  std::size_t depth() const { return queue_.size(); }

  // Processes one notification on the calling thread (used by workers and tests).
  void process(const Notification& n, TimePoint received);

 private:
  struct Item {
    Notification notification;
    TimePoint received;
  };
  void work();

  Triage triage_;
  DeliverFn deliver_;
  Metrics& metrics_;
  BoundedQueue<Item> queue_;
  GroupTracker tracker_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopped_{false};
  CounterFamily& alerts_;
  CounterFamily& triages_;
  HistogramFamily& latency_;
};

}  // namespace rr
