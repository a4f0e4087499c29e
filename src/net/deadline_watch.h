#pragma once
// One process-wide thread that runs a callback when a deadline passes, for
// I/O that has no overall deadline of its own: cpp-httplib's socket timeouts
// restart with every byte, so a server trickling its headers one byte at a
// time would hold a request forever. The callback (e.g. httplib's
// Client::stop, which shuts the socket down) ends the wait.
//
// Thread-safe. A callback runs on the watch thread, must be short and must
// not call back into DeadlineWatch.

#include <functional>

#include "common/deadline.h"

namespace rr {

class DeadlineWatch {
 public:
  // Runs `on_expiry` once `deadline` passes, unless the returned guard was
  // destroyed first. When the guard's destructor returns, `on_expiry` is
  // not running and never will: what it captured may go.
  class Guard {
   public:
    Guard(Guard&& other) noexcept : id_(other.id_) { other.id_ = 0; }
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    friend class DeadlineWatch;
    explicit Guard(unsigned long long id) : id_(id) {}
    unsigned long long id_;
  };
  [[nodiscard]] static Guard watch(Deadline deadline, std::function<void()> on_expiry);
};

}  // namespace rr
