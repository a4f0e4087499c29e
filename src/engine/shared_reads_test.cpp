// Shared reads with a fake step kind whose calls are counted and held on
// test events: identical reads in flight join, finished ones serve within
// the window, and different parameters, clusters or `fresh` read anew.

#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "engine/engine_test_util.h"
#include "engine/shared_reads.h"
#include "support/wait.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using test::Events;

struct Fixture {
  std::shared_ptr<Events> events = std::make_shared<Events>();
  std::shared_ptr<std::atomic<int>> calls;
  StepRegistry registry;
  ClusterConfig cluster;

  explicit Fixture(Nanos window, bool hold = false) {
    cluster.name = "c";
    StepRegistry r;
    calls = test::add_fake(r, "test.read", [this, hold](const StepInput& in) {
      if (hold) events->wait("release");
      return test::ok_result("read " + in.param("x"), {{"x", in.param("x")}});
    }, {{"x", {ValueType::Word, false}}});
    registry = share_reads(std::move(r), window);
  }
  StepResult run(std::string x, bool fresh = false, const ClusterConfig* c = nullptr) {
    return registry.find("test.read")->run(StepInput{"s", {{"x", std::move(x)}}, c ? c : &cluster,
                                                      Deadline::after(10s), fresh});
  }
};

}  // namespace

TEST_CASE("shared reads: a finished read serves identical ones within the window, and says so") {
  Fixture fx(1h);
  CHECK(fx.run("a").summary == "read a");
  StepResult shared = fx.run("a");
  CHECK(*fx.calls == 1);
  CHECK(shared.summary.rfind("read a (shared", 0) == 0);
  CHECK(shared.facts.contains("shared_age_ms"));
  // Other parameters, another cluster, or a fresh read: read anew.
  fx.run("b");
  ClusterConfig other;
  other.name = "other";
  fx.run("a", false, &other);
  fx.run("a", true);
  CHECK(*fx.calls == 4);
}

TEST_CASE("shared reads: past the window, read again") {
  Fixture fx(1ns);
  fx.run("a");
  std::this_thread::sleep_for(1ms);  // past a 1 ns window: the clock only has to move
  fx.run("a");
  CHECK(*fx.calls == 2);
}

TEST_CASE("shared reads: reads that start while one is in flight join it (single flight)") {
  Fixture fx(1h, true);
  auto first = std::async(std::launch::async, [&] { return fx.run("a"); });
  REQUIRE(test::wait_until([&] { return fx.calls->load() == 1; }, 10s));
  std::vector<std::future<StepResult>> joined;
  for (int i = 0; i < 5; ++i) joined.push_back(std::async(std::launch::async, [&] { return fx.run("a"); }));
  fx.events->set("release");
  CHECK(first.get().summary == "read a");
  for (auto& j : joined) CHECK(j.get().summary.rfind("read a (shared", 0) == 0);
  CHECK(*fx.calls == 1);
}

TEST_CASE("shared reads: a window of 0 changes nothing") {
  Fixture fx(0s);
  fx.run("a");
  fx.run("a");
  CHECK(*fx.calls == 2);
}

}  // namespace rr
