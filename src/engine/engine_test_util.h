#pragma once
// Helpers for the engine's tests (header-only; not part of the library):
// fake step kinds and judges, a latch for steps that ignore their deadline,
// and hand-made alerts, notifications and triage contexts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config.h"
#include "engine/triage.h"
#include "intake/payload/notification.h"
#include "judge/judge.h"
#include "rules/rule.h"
#include "steps/step.h"

namespace rr::test {

// A step kind whose run() is `body`. Counts its calls; `on_destroy` runs
// when the registry that owns it is destroyed (possibly on a runner thread).
class FakeStep : public StepKind {
 public:
  using Body = std::function<StepResult(const StepInput&)>;
  FakeStep(std::string name, Body body, std::map<std::string, StepCatalog::Param> params,
           std::shared_ptr<std::atomic<int>> calls, std::function<void()> on_destroy)
      : name_(std::move(name)),
        body_(std::move(body)),
        params_(std::move(params)),
        calls_(std::move(calls)),
        on_destroy_(std::move(on_destroy)) {}
  ~FakeStep() override {
    if (on_destroy_) on_destroy_();
  }
  std::string_view name() const override { return name_; }
  std::map<std::string, StepCatalog::Param> params() const override { return params_; }
  StepResult run(const StepInput& input) const override {
    ++*calls_;
    return body_(input);
  }

 private:
  std::string name_;
  Body body_;
  std::map<std::string, StepCatalog::Param> params_;
  std::shared_ptr<std::atomic<int>> calls_;
  std::function<void()> on_destroy_;
};

// Adds a fake kind to `registry`; returns its call counter.
inline std::shared_ptr<std::atomic<int>> add_fake(StepRegistry& registry, std::string name, FakeStep::Body body,
                                                  std::map<std::string, StepCatalog::Param> params = {},
                                                  std::function<void()> on_destroy = {}) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  registry.add(std::make_unique<FakeStep>(std::move(name), std::move(body), std::move(params), calls,
                                          std::move(on_destroy)));
  return calls;
}

// An Ok result with `summary`.
inline StepResult ok_result(std::string summary, nlohmann::json facts = nlohmann::json::object()) {
  StepResult r;
  r.status = StepStatus::Ok;
  r.summary = std::move(summary);
  r.facts = std::move(facts);
  return r;
}

// Named one-shot events a test and its fake steps wait on, never sleep for.
class Events {
 public:
  void set(const std::string& name) {
    std::lock_guard lock(mu_);
    set_[name] = true;
    cv_.notify_all();
  }
  bool is_set(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = set_.find(name);
    return it != set_.end() && it->second;
  }
  // True once `name` is set; false if `bound` passed first. The bound only
  // keeps a broken test from hanging: it is never the behaviour tested.
  bool wait(const std::string& name, std::chrono::seconds bound = std::chrono::seconds(60)) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, bound, [&] {
      auto it = set_.find(name);
      return it != set_.end() && it->second;
    });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, bool> set_;
};

// A judge that is a function.
class FakeJudge : public Judge {
 public:
  using Fn = std::function<void(const std::vector<StepResult>&, const JudgeContext&, std::vector<Finding>&)>;
  explicit FakeJudge(Fn fn) : fn_(std::move(fn)) {}
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override {
    fn_(steps, ctx, out);
  }

 private:
  Fn fn_;
};

inline TimePoint at_minute(int minute) {
  // 2026-01-01T00:00:00Z plus `minute` minutes: a fixed start, not the clock.
  return TimePoint(std::chrono::seconds(1767225600)) + std::chrono::minutes(minute);
}

inline Alert firing_alert(std::string fingerprint, LabelSet labels, TimePoint starts_at = at_minute(0)) {
  Alert a;
  a.status = "firing";
  a.labels = std::move(labels);
  a.starts_at = starts_at;
  a.ends_at = TimePoint{};
  a.fingerprint = std::move(fingerprint);
  return a;
}

// `a`, resolved at `ends_at`.
inline Alert resolved(Alert a, TimePoint ends_at) {
  a.status = "resolved";
  a.ends_at = ends_at;
  return a;
}

inline Notification notification(std::string group_key, std::vector<Alert> alerts) {
  Notification n;
  n.version = "4";
  n.receiver = "oncall";
  n.status = "resolved";
  for (const Alert& a : alerts)
    if (a.firing()) n.status = "firing";
  n.alerts = std::move(alerts);
  n.group_key = std::move(group_key);
  n.group_labels = {{"alertname", n.alerts.empty() ? "" : n.alerts.front().name()}};
  n.external_url = "http://alertmanager.example:9093";
  return n;
}

// Rules from YAML text, checked against `registry`'s kinds; no errors allowed.
inline RuleSet rules_from(const std::string& yaml, const StepRegistry& registry) {
  RuleLoad load = load_rules_text(yaml, "test-rules.yaml", registry.catalog());
  std::string errors;
  for (const auto& e : load.errors) errors += e.to_string() + "\n";
  INFO(errors);
  REQUIRE(load.errors.empty());
  return std::move(load.rules);
}

inline TriageContext make_context(Config config, const std::string& rules_yaml, StepRegistry registry,
                                  Judges judges) {
  RuleSet rules = rules_from(rules_yaml, registry);
  TriageContext ctx;
  ctx.config = std::make_shared<const Config>(std::move(config));
  ctx.rules = std::make_shared<const RuleSet>(std::move(rules));
  ctx.steps = std::make_shared<const StepRegistry>(std::move(registry));
  ctx.judges = std::make_shared<const Judges>(std::move(judges));
  return ctx;
}

// Pointers to every alert of `n`, for Triage::plan.
inline std::vector<const Alert*> alerts_of(const Notification& n) {
  std::vector<const Alert*> out;
  for (const Alert& a : n.alerts) out.push_back(&a);
  return out;
}

}  // namespace rr::test
