#pragma once
// Waiting for something a test cannot be told about, such as a server
// noticing that a peer is gone: re-check it until it holds, bounded. The
// bound is a ceiling for a broken run, never the expected duration, so it is
// generous; a passing run waits only as long as the event takes.

#include <chrono>
#include <thread>

namespace rr::test {

// Calls `pred` every 100 ms until it returns true or `timeout` has passed;
// returns its last answer.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace rr::test
