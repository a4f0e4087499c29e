#include "notify/dispatcher.h"

#include <future>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "notify/target_type.h"
#include "rules/matcher.h"

namespace rr {

namespace {

CounterFamily& notifications_counter(Metrics& m) {
  return m.counter("rr_notifications_total", "Reports handed to notification targets, by outcome.",
                   {"target", "outcome"});
}

HistogramFamily& duration_histogram(Metrics& m) {
  return m.histogram("rr_notification_duration_seconds",
                     "Time from the first attempt to the outcome of a notification, retries included.",
                     {"target"}, {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
}

}  // namespace

std::string_view outcome_name(TargetOutcome::Kind kind) {
  switch (kind) {
    case TargetOutcome::Kind::Sent:
      return "sent";
    case TargetOutcome::Kind::Failed:
      return "failed";
    case TargetOutcome::Kind::Dropped:
      return "dropped";
  }
  return "dropped";
}

Result<std::unique_ptr<Dispatcher>> Dispatcher::make(const std::vector<NotifyTarget>& targets, Metrics& metrics,
                                                     RetryPolicy policy) {
  std::vector<Entry> entries;
  for (const NotifyTarget& t : targets) {
    auto notifier = make_notifier(t);
    if (!notifier) return notifier.error();
    NotifyTarget kept = t;
    kept.options.clear();  // the notifier holds the secrets; nothing else needs them
    entries.push_back(Entry{std::move(kept), std::move(*notifier)});
  }
  return std::make_unique<Dispatcher>(std::move(entries), metrics, policy);
}

Dispatcher::Dispatcher(std::vector<Entry> entries, Metrics& metrics, RetryPolicy policy)
    : entries_(std::move(entries)),
      policy_(policy),
      sent_(notifications_counter(metrics)),
      duration_(duration_histogram(metrics)) {}

std::vector<TargetOutcome> Dispatcher::deliver(const Report& report, Deadline deadline) const {
  std::vector<const Entry*> selected;
  for (const Entry& e : entries_)
    if (matches_all(e.target.match, report.common_labels) && e.notifier->wants(report)) selected.push_back(&e);

  std::vector<TargetOutcome> outcomes(selected.size());
  if (selected.size() == 1) {
    outcomes[0] = deliver_one(*selected[0], report, deadline);
    return outcomes;
  }
  // One thread per target: each is bounded by the deadline, and a report
  // rarely goes to more than a handful of targets.
  std::vector<std::pair<std::size_t, std::future<TargetOutcome>>> running;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Entry* e = selected[i];
    try {
      running.emplace_back(i, std::async(std::launch::async, [this, e, &report, deadline] {
                             return deliver_one(*e, report, deadline);
                           }));
    } catch (const std::system_error&) {
      outcomes[i] = deliver_one(*e, report, deadline);  // no thread to be had: send from this one
    }
  }
  for (auto& [i, f] : running) outcomes[i] = f.get();
  return outcomes;
}

TargetOutcome Dispatcher::deliver_one(const Entry& entry, const Report& report, Deadline deadline) const {
  TargetOutcome out;
  out.target = entry.target.name;
  auto started = Deadline::SteadyClock::now();
  Millis backoff = policy_.first_backoff;

  while (true) {
    if (deadline.expired()) {
      out.outcome = TargetOutcome::Kind::Dropped;
      if (out.last.error.empty()) out.last.error = "deadline passed before the report could be sent";
      break;
    }
    ++out.attempts;
    try {
      out.last = entry.notifier->send(Message{report, ""}, deadline.capped(policy_.attempt_timeout));
    } catch (const std::exception& e) {
      // A renderer bug must cost one report, not the worker.
      out.last = Delivery{};
      out.last.error = std::string("internal error: ") + e.what();
    }
    if (out.last.ok) {
      out.outcome = TargetOutcome::Kind::Sent;
      break;
    }
    if (!out.last.retryable || out.attempts >= policy_.attempts) {
      out.outcome = TargetOutcome::Kind::Failed;
      break;
    }
    Millis wait = backoff;
    if (out.last.retry_after) wait = std::max(wait, std::min(*out.last.retry_after, policy_.max_retry_after));
    backoff = std::min(backoff * 2, policy_.max_backoff);
    if (wait >= deadline.remaining()) {
      // The next attempt could not start in time: give up now rather than
      // sleep into the deadline.
      out.outcome = TargetOutcome::Kind::Dropped;
      break;
    }
    std::this_thread::sleep_for(wait);
  }

  out.duration = std::chrono::duration_cast<Millis>(Deadline::SteadyClock::now() - started);
  sent_.inc({out.target, std::string(outcome_name(out.outcome))});
  duration_.observe({out.target}, std::chrono::duration<double>(out.duration).count());
  if (out.outcome != TargetOutcome::Kind::Sent) {
    // Delivery::error names the target's origin at most, never its URL.
    spdlog::warn("notify target {} ({}): {} after {} attempt(s): {}", out.target, entry.target.type,
                 outcome_name(out.outcome), out.attempts, out.last.error);
  }
  return out;
}

}  // namespace rr
