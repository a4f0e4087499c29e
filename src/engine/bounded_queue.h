#pragma once
// A bounded multi-producer, multi-consumer queue. push() never blocks: a
// full queue says so, and the HTTP layer turns that into 503 so that
// Alertmanager retries instead of the alert being dropped.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace rr {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  enum class Push { Ok, Full, Closed };
  Push push(T item) {
    {
      std::lock_guard lock(mu_);
      if (closed_) return Push::Closed;
      if (items_.size() >= capacity_) return Push::Full;
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
    return Push::Ok;
  }

  // Blocks until an item arrives or the queue is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  // Refuses further pushes; pop() drains what is left, then returns nullopt.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace rr
