#pragma once
// Delivery as a chain of small stages, after Alertmanager's notify/:
//
//   route       each target's matchers on the report's common labels, and
//               whether the target wants that kind of report (route())
//   outbox      the state store, written together with the triage, so a
//               report survives a crash before it is sent
//   rate limit  per destination (webhook, channel, routing key), the
//               service's documented pace (rate_limit.h)
//   retry       exponential backoff with jitter on timeouts, 429 (honouring
//               Retry-After) and 5xx, for as long as the report is younger
//               than max_age; other 4xx are final (backoff.h)
//   record      delivered or dropped, and what the target keeps for the
//               alert group (Slack's ts, Discord's message id), in the store
//
// One thread per target drains that target's part of the outbox in order,
// so a slow or dead service never delays another and a group's messages
// reach each service in the order they were made. What is still owed when
// the responder stops stays in the store and is sent after the next start.
//
// Metrics, per target:
//   rr_notifications_total{target,outcome}  sent | failed | retried | dropped
//   rr_delivery_latency_seconds{target}     from the report being made to its delivery
//   rr_outbox_pending{target}               reports waiting for the target
//   rr_outbox_oldest_seconds{target}        how long the oldest of them has waited
// Logs name the target and its type, never its URL or a credential.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "notify/backoff.h"
#include "notify/notifier.h"
#include "notify/target_type.h"
#include "report/report.h"
#include "state/store.h"

namespace rr {

struct Pace;  // a destination's token bucket, shared by its targets' threads

struct DeliveryOptions {
  Nanos max_age = std::chrono::hours(2);  // older reports are dropped, logged and counted
  Millis attempt_timeout{10000};          // one send
  BackoffPolicy backoff;
};

class Outbox {
 public:
  struct Target {
    std::string name;
    std::string type;
    std::vector<Matcher> match;  // empty: every report
    std::unique_ptr<Notifier> notifier;
    RateLimit rate;
    Nanos max_age{0};  // 0: DeliveryOptions::max_age
    // Where messages go (type, URL, channel, key), for the rate limit:
    // targets with one destination share one pace, the strictest of their
    // limits, since the service counts per webhook, channel or routing
    // key. Empty: a pace of its own. Never logged.
    std::string destination;
  };

  // Builds each configured target's notifier (make_notifier: its type checks
  // its options) with its rate limit and max_age; the first bad target is the
  // error. `store` and `metrics` must outlive the outbox.
  static Result<std::unique_ptr<Outbox>> make(const std::vector<NotifyTarget>& targets, StateStore& store,
                                               Metrics& metrics, DeliveryOptions options = {});
  Outbox(std::vector<Target> targets, StateStore& store, Metrics& metrics, DeliveryOptions options = {});
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // The route stage: the names of the targets that take `report`, in
  // configuration order.
  std::vector<std::string> route(const Report& report) const;

  // Starts one delivery thread per target; each first sends what the store
  // already owes it. What the store owes a target no longer configured
  // (removed or renamed since it was routed) is dropped first, logged and
  // counted as dropped under that target's name: nothing waits unseen.
  void start();
  // New deliveries are in the store.
  void wake();
  // Lets each target finish the send in flight (bounded by attempt_timeout)
  // and joins the threads; the rest stays in the store. Idempotent.
  void stop();

  std::size_t size() const { return targets_.size(); }

 private:
  enum class Outcome { Sent, Failed, Dropped, Stopped };
  void run(Target& target, Pace& pace);
  void drop_unconfigured();
  void register_gauges();
  Outcome deliver(Target& target, const PendingDelivery& item, Pace& pace);
  // Sleeps up to `d`; false when stop() came first.
  bool pause(Millis d);
  void count(const Target& target, const char* outcome);

  std::vector<Target> targets_;
  std::vector<std::shared_ptr<Pace>> paces_;  // one per target, shared by targets of one destination
  StateStore& store_;
  Metrics& metrics_;
  DeliveryOptions options_;
  CounterFamily& outcomes_;
  HistogramFamily& latency_;

  // What the outbox gauges read; null once the outbox is gone.
  std::shared_ptr<std::atomic<StateStore*>> gauge_source_ = std::make_shared<std::atomic<StateStore*>>(&store_);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t wakes_ = 0;  // bumped by wake()
  std::vector<std::thread> threads_;
};

}  // namespace rr
