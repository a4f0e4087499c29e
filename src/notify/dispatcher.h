#pragma once
// Delivers each report to every configured target whose matchers select it,
// with retries, all within one deadline. Targets are served in parallel, so a
// slow or dead chat service never delays another.
//
// Metrics (in the registry given at construction):
//   rr_notifications_total{target,outcome}     outcome: sent | failed | dropped
//   rr_notification_duration_seconds{target}   from first attempt to outcome
// Outcomes: sent = delivered; failed = a final answer (e.g. 400, 404) or
// `attempts` retryable failures; dropped = the deadline ran out first.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/deadline.h"
#include "common/result.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "notify/notifier.h"
#include "report/report.h"

namespace rr {

struct RetryPolicy {
  int attempts = 4;                              // per target, including the first
  Millis first_backoff{500};                     // doubled after each retryable failure
  Millis max_backoff{8000};
  Millis max_retry_after{30000};                 // a longer Retry-After is cut to this
  Millis attempt_timeout{5000};                  // one attempt's share of the deadline
};

struct TargetOutcome {
  enum class Kind { Sent, Failed, Dropped };
  std::string target;  // the target's name
  Kind outcome = Kind::Dropped;
  int attempts = 0;
  Delivery last;       // the last attempt's answer
  Millis duration{0};
};
std::string_view outcome_name(TargetOutcome::Kind kind);  // "sent", "failed", "dropped"

class Dispatcher {
 public:
  struct Entry {
    NotifyTarget target;  // name and matchers; the URL lives in the notifier
    std::unique_ptr<Notifier> notifier;
  };

  // Builds a notifier per target with make_notifier(); the first bad target
  // is the error. `metrics` must outlive the dispatcher.
  static Result<std::unique_ptr<Dispatcher>> make(const std::vector<NotifyTarget>& targets, Metrics& metrics,
                                                  RetryPolicy policy = {});
  // For tests and callers that build their own notifiers.
  Dispatcher(std::vector<Entry> entries, Metrics& metrics, RetryPolicy policy = {});

  // Sends `report` to the targets whose `match` selects its common labels
  // (a target without matchers takes every report) and returns one outcome
  // per selected target, in configuration order; empty when none matched.
  // Returns by `deadline` plus the OS's connect granularity. Thread-safe:
  // notifiers must accept concurrent sends.
  std::vector<TargetOutcome> deliver(const Report& report, Deadline deadline) const;

  std::size_t size() const { return entries_.size(); }

 private:
  TargetOutcome deliver_one(const Entry& entry, const Report& report, Deadline deadline) const;

  std::vector<Entry> entries_;
  RetryPolicy policy_;
  CounterFamily& sent_;
  HistogramFamily& duration_;
};

}  // namespace rr
