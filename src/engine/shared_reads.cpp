#include "engine/shared_reads.h"

#include <future>
#include <map>
#include <mutex>

#include <fmt/format.h>

namespace rr {
namespace {

using Steady = std::chrono::steady_clock;

// What one kind's reads share, by key. Entries older than the window go
// when a new read is published, so the map holds at most the reads of the
// last `window`.
struct SharedState {
  struct Entry {
    std::shared_future<StepResult> result;
    Steady::time_point finished{};  // zero while in flight
  };
  std::mutex mu;
  std::map<std::string, Entry> entries;
};

std::string key_of(std::string_view kind, const StepInput& in) {
  std::string key(kind);
  key += '\x1e';
  if (in.cluster) key += in.cluster->name;
  for (const auto& [k, v] : in.params) key += "\x1f" + k + "=" + v;
  return key;
}

class SharedKind final : public StepKind {
 public:
  SharedKind(std::unique_ptr<StepKind> inner, Nanos window) : inner_(std::move(inner)), window_(window) {}
  std::string_view name() const override { return inner_->name(); }
  std::map<std::string, StepCatalog::Param> params() const override { return inner_->params(); }
  StepCatalog::Check check() const override { return inner_->check(); }

  StepResult run(const StepInput& input) const override {
    if (input.fresh) return inner_->run(input);
    const std::string key = key_of(name(), input);
    std::promise<StepResult> mine;
    std::shared_future<StepResult> theirs;
    {
      std::lock_guard lock(state_->mu);
      auto it = state_->entries.find(key);
      const auto now = Steady::now();
      if (it != state_->entries.end() &&
          (it->second.finished == Steady::time_point{} || now - it->second.finished <= window_)) {
        theirs = it->second.result;
      } else {
        state_->entries[key] = SharedState::Entry{mine.get_future().share(), {}};
      }
    }
    if (theirs.valid()) return join(theirs, input);

    StepResult result;
    try {
      result = inner_->run(input);
    } catch (const std::exception& e) {
      result.status = StepStatus::Failed;
      result.summary = std::string("step failed: ") + e.what();
    } catch (...) {  // the entry must not stay "in flight" for ever
      result.status = StepStatus::Failed;
      result.summary = "step failed: an unknown exception";
    }
    mine.set_value(result);
    std::lock_guard lock(state_->mu);
    const auto now = Steady::now();
    state_->entries[key].finished = now;
    for (auto it = state_->entries.begin(); it != state_->entries.end();) {
      bool stale = it->second.finished != Steady::time_point{} && now - it->second.finished > window_;
      it = stale ? state_->entries.erase(it) : std::next(it);
    }
    return result;
  }

 private:
  // Another triage's read: wait for it within this step's deadline, then a copy.
  StepResult join(const std::shared_future<StepResult>& theirs, const StepInput& input) const {
    if (theirs.wait_until(input.deadline.at()) != std::future_status::ready) {
      StepResult r;
      r.status = StepStatus::Timeout;
      r.summary = "timed out waiting for the same read of another triage";
      return r;
    }
    StepResult r = theirs.get();
    Steady::time_point finished;
    {
      std::lock_guard lock(state_->mu);
      auto it = state_->entries.find(key_of(name(), input));
      finished = it == state_->entries.end() ? Steady::now() : it->second.finished;
    }
    if (finished == Steady::time_point{}) finished = Steady::now();
    auto age = std::chrono::duration_cast<Millis>(Steady::now() - finished);
    r.summary += age.count() < 1 ? " (shared: the same read of another triage)"
                                 : " (shared: read " + format_duration(age) + " ago for another triage)";
    if (r.facts.is_object()) r.facts["shared_age_ms"] = age.count();
    return r;
  }

  std::unique_ptr<StepKind> inner_;
  Nanos window_;
  std::shared_ptr<SharedState> state_ = std::make_shared<SharedState>();
};

}  // namespace

StepRegistry share_reads(StepRegistry registry, Nanos window) {
  if (window <= Nanos::zero()) return registry;
  registry.wrap([window](std::unique_ptr<StepKind> kind) -> std::unique_ptr<StepKind> {
    return std::make_unique<SharedKind>(std::move(kind), window);
  });
  return registry;
}

}  // namespace rr
