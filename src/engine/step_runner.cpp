#include "engine/step_runner.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/text.h"

namespace rr {
namespace {

// Grace after a step's deadline before it is declared timed out: steps are
// expected to honour their deadline themselves; this is the backstop.
constexpr auto kGrace = std::chrono::milliseconds(250);

// Steps abandoned at their deadline and still running, across all triages.
// Past the bound no new step starts: a hung dependency must not pile up
// threads (or hold every SSH session) one triage after another.
constexpr std::size_t kMaxAbandoned = 32;
std::atomic<std::size_t> g_abandoned{0};

struct Slot {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;  // the waiter gave up on it; it counts in g_abandoned until it ends
  StepResult result;
};

StepResult skipped(const StepJob& job, std::string why) {
  StepResult r;
  r.id = job.id;
  r.kind = job.kind;
  r.target = job.target;
  r.status = StepStatus::Skipped;
  r.summary = std::move(why);
  return r;
}

}  // namespace

std::size_t abandoned_steps() { return g_abandoned.load(); }

std::vector<StepResult> run_steps(const std::vector<StepJob>& jobs, std::shared_ptr<const StepRegistry> registry,
                                  std::shared_ptr<const ClusterConfig> cluster) {
  std::vector<StepResult> results(jobs.size());
  std::vector<std::shared_ptr<Slot>> slots(jobs.size());
  std::vector<std::thread> threads(jobs.size());
  std::vector<Deadline::SteadyClock::time_point> started(jobs.size());

  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const StepJob& job = jobs[i];
    const StepKind* kind = registry->find(job.kind);
    if (job.refused) {
      results[i] = skipped(job, "skipped: " + *job.refused);
      continue;
    }
    if (!kind) {
      results[i] = skipped(job, "skipped: unknown step kind " + job.kind);
      continue;
    }
    if (job.deadline.expired()) {
      results[i] = skipped(job, "skipped: the triage deadline had passed");
      continue;
    }
    if (std::size_t stuck = g_abandoned.load(); stuck >= kMaxAbandoned) {
      results[i] = skipped(job, "skipped: " + std::to_string(stuck) +
                                    " earlier steps abandoned at their deadline are still running");
      continue;
    }
    auto slot = std::make_shared<Slot>();
    slots[i] = slot;
    StepInput input{job.id, job.params, cluster.get(), job.deadline, job.fresh};
    started[i] = Deadline::SteadyClock::now();
    try {
      threads[i] = std::thread([slot, registry, cluster, kind, input = std::move(input)] {
      StepResult r;
      try {
        r = kind->run(input);
      } catch (const std::exception& e) {
        r.status = StepStatus::Failed;
        r.summary = std::string("step failed: ") + e.what();
      } catch (...) {  // anything else would end the process on this thread
        r.status = StepStatus::Failed;
        r.summary = "step failed: an unknown exception";
      }
      std::lock_guard lock(slot->mu);
      slot->result = std::move(r);
      slot->done = true;
      if (slot->abandoned) --g_abandoned;
      slot->cv.notify_all();
      });
    } catch (const std::system_error& e) {
      // Out of threads: this step is said to be skipped; the process goes on.
      slots[i].reset();
      results[i] = skipped(job, std::string("skipped: could not start a thread for it (") + e.what() + ")");
    }
  }

  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!slots[i]) continue;
    const StepJob& job = jobs[i];
    Slot& slot = *slots[i];
    std::unique_lock lock(slot.mu);
    bool done = slot.cv.wait_until(lock, job.deadline.at() + kGrace, [&] { return slot.done; });
    auto elapsed = std::chrono::duration_cast<Millis>(Deadline::SteadyClock::now() - started[i]);
    if (done) {
      results[i] = std::move(slot.result);
      lock.unlock();
      threads[i].join();
    } else {
      slot.abandoned = true;
      ++g_abandoned;
      lock.unlock();
      spdlog::warn("step {} ({}) overran its deadline; abandoning it", job.id, job.kind);
      threads[i].detach();
      results[i] = skipped(job, "timed out after " + format_duration(elapsed));
      results[i].status = StepStatus::Timeout;
    }
    results[i].id = job.id;
    results[i].kind = job.kind;
    if (results[i].target.empty()) results[i].target = job.target;
    results[i].duration = elapsed;
    results[i].summary = sanitize_utf8(results[i].summary);
    results[i].output = sanitize_utf8(results[i].output);
  }
  return results;
}

}  // namespace rr
