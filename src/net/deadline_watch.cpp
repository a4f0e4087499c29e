#include "net/deadline_watch.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace rr {
namespace {

using Clock = std::chrono::steady_clock;

class Watcher {
 public:
  Watcher() : thread_([this] { run(); }) {}
  ~Watcher() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  unsigned long long add(Clock::time_point at, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    const unsigned long long id = ++next_id_;
    const bool earliest = by_time_.empty() || at < by_time_.begin()->first;
    entries_.emplace(id, Entry{at, std::move(fn)});
    by_time_.emplace(at, id);
    if (earliest) cv_.notify_all();
    return id;
  }

  void remove(unsigned long long id) {
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(id);
      if (it != entries_.end()) {
        erase_time(it->second.at, id);
        entries_.erase(it);
        return;  // never fired
      }
    }
    // Taken by the watch thread: wait until its callbacks have run.
    std::lock_guard firing(firing_);
  }

 private:
  struct Entry {
    Clock::time_point at;
    std::function<void()> fn;
  };

  void erase_time(Clock::time_point at, unsigned long long id) {
    auto [first, last] = by_time_.equal_range(at);
    for (auto it = first; it != last; ++it)
      if (it->second == id) {
        by_time_.erase(it);
        return;
      }
  }

  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (by_time_.empty()) {
        cv_.wait(lock);
        continue;
      }
      const auto next = by_time_.begin()->first;
      if (Clock::now() < next) {
        cv_.wait_until(lock, next);
        continue;
      }
      std::vector<std::function<void()>> due;
      while (!by_time_.empty() && by_time_.begin()->first <= Clock::now()) {
        const auto id = by_time_.begin()->second;
        by_time_.erase(by_time_.begin());
        auto it = entries_.find(id);
        due.push_back(std::move(it->second.fn));
        entries_.erase(it);
      }
      // firing_ before mu_ is released: a remove() that finds its entry gone
      // then waits for these callbacks.
      std::unique_lock firing(firing_);
      lock.unlock();
      for (auto& fn : due) {
        try {
          fn();
        } catch (...) {  // a callback must not take the watch thread down
        }
      }
      firing.unlock();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<unsigned long long, Entry> entries_;
  std::multimap<Clock::time_point, unsigned long long> by_time_;
  unsigned long long next_id_ = 0;
  bool stopping_ = false;
  std::mutex firing_;
  std::thread thread_;  // last: started once the members it uses exist
};

Watcher& watcher() {
  static Watcher w;
  return w;
}

}  // namespace

DeadlineWatch::Guard DeadlineWatch::watch(Deadline deadline, std::function<void()> on_expiry) {
  return Guard(watcher().add(deadline.at(), std::move(on_expiry)));
}

DeadlineWatch::Guard::~Guard() {
  if (id_ != 0) watcher().remove(id_);
}

}  // namespace rr
