#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "net/deadline_watch.h"

using namespace rr;
using namespace std::chrono_literals;

namespace {

// Polls `flag` (the watch thread sets it) for up to 10 s.
bool becomes_true(const std::atomic<bool>& flag) {
  for (int i = 0; i < 1000 && !flag; ++i) std::this_thread::sleep_for(10ms);
  return flag;
}

}  // namespace

TEST_CASE("deadline watch: a passed deadline runs its callback; a dropped guard's never runs") {
  std::atomic<bool> fired{false}, dropped{false}, later{false};
  auto guard = DeadlineWatch::watch(Deadline::after(1ms), [&] { fired = true; });
  CHECK(becomes_true(fired));
  {
    auto gone = DeadlineWatch::watch(Deadline::after(50ms), [&] { dropped = true; });
  }
  // Callbacks run in deadline order: once a later one ran, the dropped one
  // would have run before it.
  auto after = DeadlineWatch::watch(Deadline::after(100ms), [&] { later = true; });
  CHECK(becomes_true(later));
  CHECK_FALSE(dropped);
}

TEST_CASE("deadline watch: many watches at once, each fires once") {
  std::atomic<int> count{0};
  std::vector<DeadlineWatch::Guard> guards;
  for (int i = 0; i < 200; ++i) guards.push_back(DeadlineWatch::watch(Deadline::after(std::chrono::milliseconds(i % 20)), [&] { ++count; }));
  for (int i = 0; i < 1000 && count < 200; ++i) std::this_thread::sleep_for(10ms);
  CHECK(count == 200);
  guards.clear();
  CHECK(count == 200);
}
