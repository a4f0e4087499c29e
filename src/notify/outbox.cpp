#include "notify/outbox.h"

#include <algorithm>
#include <map>
#include <random>

#include <spdlog/spdlog.h>

#include "common/text.h"
#include "notify/rate_limit.h"
#include "report/report_json.h"
#include "rules/matcher.h"

namespace rr {

namespace {

constexpr std::size_t kBatch = 32;
constexpr Millis kStoreRetry{2000};  // after the store failed a read or a write

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

TimePoint now() { return std::chrono::time_point_cast<Nanos>(Clock::now()); }

// The options that say where a target's messages go.
std::string destination(const NotifyTarget& t) {
  std::string key = t.type;
  for (const char* option : {"url", "api_url", "channel", "routing_key", "api_key", "token"})
    key += '\n' + t.option(option);
  return key;
}

}  // namespace

struct Pace {
  explicit Pace(RateLimit limit) : bucket(token_bucket(limit)) {}
  std::mutex mu;
  TokenBucket bucket;
};

Result<std::unique_ptr<Outbox>> Outbox::make(const std::vector<NotifyTarget>& targets, StateStore& store,
                                             Metrics& metrics, DeliveryOptions options) {
  std::vector<Target> built;
  for (const NotifyTarget& t : targets) {
    auto notifier = make_notifier(t);  // checks the options against the type
    if (!notifier) return notifier.error();
    const TargetType* type = find_target_type(t.type);
    Target target{t.name, t.type, t.match, std::move(*notifier), type->rate, Nanos(0), destination(t)};
    if (const std::string& rate = t.option("rate_limit"); !rate.empty()) target.rate = *parse_rate_limit(rate);
    if (const std::string& age = t.option("max_age"); !age.empty()) target.max_age = *parse_duration(age);
    built.push_back(std::move(target));
  }
  return std::make_unique<Outbox>(std::move(built), store, metrics, options);
}

Outbox::Outbox(std::vector<Target> targets, StateStore& store, Metrics& metrics, DeliveryOptions options)
    : targets_(std::move(targets)),
      store_(store),
      metrics_(metrics),
      options_(options),
      outcomes_(metrics.counter("rr_notifications_total",
                                "Deliveries to notification targets, by outcome: sent, failed (a final refusal), "
                                "retried (an attempt that will be repeated), dropped (too old, or its target no longer "
                                "configured).",
                                {"target", "outcome"})),
      latency_(metrics.histogram("rr_delivery_latency_seconds",
                                 "Time from a report being made to its delivery to a target.", {"target"},
                                 {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200})) {
  auto stricter = [](const RateLimit& a, const RateLimit& b) {
    if (a.per_second <= 0) return b;  // unlimited
    if (b.per_second <= 0) return a;
    return a.per_second <= b.per_second ? a : b;
  };
  std::map<std::string, RateLimit> strictest;  // by destination
  for (const Target& t : targets_) {
    if (t.destination.empty()) continue;
    auto [it, fresh] = strictest.try_emplace(t.destination, t.rate);
    if (!fresh) it->second = stricter(it->second, t.rate);
  }
  std::map<std::string, std::shared_ptr<Pace>> shared;
  for (const Target& t : targets_) {
    if (t.destination.empty()) {
      paces_.push_back(std::make_shared<Pace>(t.rate));
      continue;
    }
    std::shared_ptr<Pace>& pace = shared[t.destination];
    if (!pace) pace = std::make_shared<Pace>(strictest.at(t.destination));
    paces_.push_back(pace);
  }
}

Outbox::~Outbox() {
  stop();
  gauge_source_->store(nullptr);
}

std::vector<std::string> Outbox::route(const Report& report) const {
  std::vector<std::string> out;
  for (const Target& t : targets_)
    if (matches_all(t.match, report.common_labels) && t.notifier->wants(report)) out.push_back(t.name);
  return out;
}

void Outbox::register_gauges() {
  std::vector<std::string> names;
  for (const Target& t : targets_) names.push_back(t.name);
  // Read from the store at each scrape; a target with nothing owed reads 0.
  // The registry may outlive the outbox: the gauges go quiet when it goes.
  auto depths = [source = gauge_source_, names](bool age) {
    std::vector<GaugeSample> out;
    StateStore* store = source->load();
    if (!store) return out;
    auto rows = store->outbox_depths();
    for (const std::string& name : names) {
      double value = 0;
      if (rows) {
        for (const OutboxDepth& d : *rows)
          if (d.target == name) value = age ? seconds(now() - d.oldest) : static_cast<double>(d.pending);
      }
      out.push_back(GaugeSample{{name}, value});
    }
    return out;
  };
  metrics_.gauge("rr_outbox_pending", "Reports waiting to be delivered to a target.", {"target"},
                 [depths] { return depths(false); });
  metrics_.gauge("rr_outbox_oldest_seconds", "How long the oldest report waiting for a target has waited.",
                 {"target"}, [depths] { return depths(true); });
}


void Outbox::drop_unconfigured() {
  auto depths = store_.outbox_depths();
  if (!depths) {
    spdlog::error("notify: cannot read the outbox: {}", depths.error().message);
    return;
  }
  for (const OutboxDepth& d : *depths) {
    if (std::any_of(targets_.begin(), targets_.end(), [&](const Target& t) { return t.name == d.target; })) continue;
    spdlog::warn("notify: {} report(s) owed to target {}, which is no longer configured, are dropped",
                 d.pending, log_safe(d.target, 128));
    while (true) {
      auto batch = store_.pending(d.target, kBatch);
      if (!batch) {
        spdlog::error("notify: cannot read the outbox: {}", batch.error().message);
        return;
      }
      if (batch->empty()) break;
      for (const PendingDelivery& item : *batch) {
        if (auto r = store_.drop(item); !r) {
          spdlog::error("notify: cannot drop report {} owed to target {}: {}", item.report_id,
                        log_safe(d.target, 128), r.error().message);
          return;  // tried again at the next start or reload
        }
        outcomes_.inc({d.target, "dropped"});
      }
    }
  }
}

void Outbox::start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty() || stopping_) return;
  // Here, not at construction: an outbox that a refused reload built and
  // threw away never takes the gauges from the one still running.
  register_gauges();
  drop_unconfigured();
  for (std::size_t i = 0; i < targets_.size(); ++i)
    threads_.emplace_back([this, i] { run(targets_[i], *paces_[i]); });
}

void Outbox::wake() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

void Outbox::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

bool Outbox::pause(Millis d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void Outbox::count(const Target& target, const char* outcome) { outcomes_.inc({target.name, outcome}); }

void Outbox::run(Target& target, Pace& pace) {
  while (true) {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wakes_;
    }
    auto batch = store_.pending(target.name, kBatch);
    if (!batch) {
      spdlog::error("notify target {}: cannot read the outbox: {}", target.name, batch.error().message);
      if (!pause(kStoreRetry)) return;
      continue;
    }
    if (batch->empty()) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || wakes_ != seen; });
      continue;
    }
    for (const PendingDelivery& item : *batch) {
      Outcome o = deliver(target, item, pace);
      if (o == Outcome::Stopped) return;
    }
  }
}

Outbox::Outcome Outbox::deliver(Target& target, const PendingDelivery& item, Pace& pace) {
  const Nanos max_age = target.max_age.count() > 0 ? target.max_age : options_.max_age;
  // Removes the delivery for good; a store that cannot write is retried,
  // since otherwise the next start would send it again.
  auto settle = [&](const std::optional<std::string>& thread, bool sent) {
    while (true) {
      auto r = sent ? store_.delivered(item, thread) : store_.drop(item);
      if (r) return true;
      spdlog::error("notify target {}: cannot record report {}: {}", target.name, item.report_id, r.error().message);
      if (!pause(kStoreRetry)) return false;
    }
  };

  auto stored = store_.report(item.report_id);
  if (!stored) {
    spdlog::error("notify target {}: cannot read report {}: {}", target.name, item.report_id, stored.error().message);
    return pause(kStoreRetry) ? Outcome::Failed : Outcome::Stopped;
  }
  Result<Report> report = *stored ? report_from_json_text((*stored)->body)
                                  : Result<Report>(Error{"report", "missing from the store"});
  if (!report) {
    spdlog::error("notify target {}: report {} cannot be read back ({}); dropped", target.name, item.report_id,
                  report.error().to_string());
    count(target, "failed");
    return settle(std::nullopt, false) ? Outcome::Failed : Outcome::Stopped;
  }

  int failures = 0;
  while (true) {
    Nanos age = now() - item.created;
    if (age > max_age) {
      spdlog::warn("notify target {} ({}): report {} dropped: made {} ago, older than max_age {}", target.name,
                   target.type, item.report_id, format_duration(age), format_duration(max_age));
      count(target, "dropped");
      return settle(std::nullopt, false) ? Outcome::Dropped : Outcome::Stopped;
    }
    auto take = [&pace] {
      std::lock_guard lock(pace.mu);
      return pace.bucket.take(TokenBucket::Clock::now());
    };
    for (Millis wait = take(); wait.count() > 0; wait = take())
      if (!pause(wait)) return Outcome::Stopped;
    auto kept = store_.thread(target.name, item.group_key);
    if (!kept) {
      spdlog::warn("notify target {}: cannot read what it keeps for the group of report {}: {}", target.name,
                   item.report_id, kept.error().message);
    }
    Delivery d;
    try {
      d = target.notifier->send(Message{*report, kept ? *kept : std::string()},
                                Deadline::after(options_.attempt_timeout));
    } catch (const std::exception& e) {
      // A renderer bug must cost one report, not the target's thread.
      d = Delivery{};
      d.error = std::string("internal error: ") + e.what();
    }
    if (d.ok) {
      count(target, "sent");
      latency_.observe({target.name}, seconds(now() - item.created));
      if (failures > 0)
        spdlog::info("notify target {} ({}): report {} delivered after {} failed attempt(s)", target.name,
                     target.type, item.report_id, failures);
      return settle(d.thread, true) ? Outcome::Sent : Outcome::Stopped;
    }
    if (!d.retryable) {
      spdlog::warn("notify target {} ({}): report {} refused, not retried: {}", target.name, target.type,
                   item.report_id, d.error);
      count(target, "failed");
      return settle(std::nullopt, false) ? Outcome::Failed : Outcome::Stopped;
    }
    ++failures;
    count(target, "retried");
    Millis wait = backoff(options_.backoff, failures, jitter(), d.retry_after);
    spdlog::warn("notify target {} ({}): report {} attempt {} failed: {}; retrying in {}", target.name, target.type,
                 item.report_id, failures, d.error, format_duration(wait));
    if (!pause(wait)) return Outcome::Stopped;
  }
}

}  // namespace rr
