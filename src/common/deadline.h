#pragma once
// A point on the monotonic clock by which work must be finished. Every
// network operation takes one, so no read can outlive the triage.

#include <algorithm>
#include <chrono>

namespace rr {

class Deadline {
 public:
  using SteadyClock = std::chrono::steady_clock;

  static Deadline after(std::chrono::nanoseconds d) { return Deadline(SteadyClock::now() + d); }
  explicit Deadline(SteadyClock::time_point at) : at_(at) {}

  SteadyClock::time_point at() const { return at_; }
  bool expired() const { return SteadyClock::now() >= at_; }

  // Time left, never negative.
  std::chrono::milliseconds remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - SteadyClock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

  // The earlier of this deadline and `d` from now.
  Deadline capped(std::chrono::nanoseconds d) const {
    return Deadline(std::min(at_, SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(d)));
  }

 private:
  SteadyClock::time_point at_;
};

}  // namespace rr
