// run_steps with fake step kinds: order, deadlines, failures, refusals.
// Steps that ignore their deadline block on an event the test sets at the
// end, and the test waits until they have returned and let go of the
// registry, so no thread outlives the test case.

#include <catch2/catch.hpp>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "engine/engine_test_util.h"
#include "support/wait.h"
#include "engine/step_runner.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using test::add_fake;
using test::Events;
using test::ok_result;

StepJob job(std::string id, std::string kind, Deadline deadline, std::map<std::string, std::string> params = {}) {
  return StepJob{std::move(id), std::move(kind), std::move(params), std::nullopt, "cluster test", deadline};
}

// Echoes its `value` parameter and the cluster it was given.
std::shared_ptr<std::atomic<int>> add_echo(StepRegistry& registry) {
  return add_fake(registry, "test.echo", [](const StepInput& in) {
    return ok_result("echo " + in.param("value"),
                     {{"cluster", in.cluster ? in.cluster->name : std::string("none")}});
  });
}

// A step that ignores its deadline: it returns only once `events` has
// "release" (set by the test at its end), then sets "returned". Its kind
// sets "kind gone" when destroyed, i.e. when the registry's last owner,
// possibly the abandoned thread, lets go of it.
void add_blocker(StepRegistry& registry, std::shared_ptr<Events> events) {
  add_fake(
      registry, "test.block",
      [events](const StepInput&) {
        events->wait("release");
        events->set("returned");
        return ok_result("finished late");
      },
      {}, [events] { events->set("kind gone"); });
}

// Releases blocked fake steps at the end of a test case, however it ends,
// and waits until the runner's abandoned threads have let go of everything.
struct ReleaseAtEnd {
  std::shared_ptr<Events> events;
  std::shared_ptr<const StepRegistry>& registry;
  ~ReleaseAtEnd() {
    events->set("release");
    registry.reset();
    if (!events->wait("kind gone")) FAIL_CHECK("a blocked fake step never returned after being released");
  }
};

}  // namespace

TEST_CASE("step runner: results come back in job order, whatever order the steps finish in") {
  // a waits until c has finished and b until a has: they finish c, a, b.
  struct Finished {
    std::mutex mu;
    std::vector<std::string> ids;
  };
  auto events = std::make_shared<Events>();
  auto finished = std::make_shared<Finished>();
  StepRegistry reg;
  add_fake(
      reg, "test.ordered",
      [events, finished](const StepInput& in) {
        if (!in.param("after").empty()) events->wait("done " + in.param("after"));
        {
          std::lock_guard lock(finished->mu);
          finished->ids.push_back(in.id);
        }
        events->set("done " + in.id);
        return ok_result("ran " + in.id);
      },
      {{"after", {ValueType::Word, false}}});
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));

  auto deadline = Deadline::after(60s);
  std::vector<StepJob> jobs{job("a", "test.ordered", deadline, {{"after", "c"}}),
                            job("b", "test.ordered", deadline, {{"after", "a"}}),
                            job("c", "test.ordered", deadline)};
  auto results = run_steps(jobs, registry, nullptr);

  {
    std::lock_guard lock(finished->mu);
    CHECK(finished->ids == std::vector<std::string>{"c", "a", "b"});
  }
  REQUIRE(results.size() == 3);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO("result " << i);
    CHECK(results[i].id == jobs[i].id);
    CHECK(results[i].kind == "test.ordered");
    CHECK(results[i].status == StepStatus::Ok);
    CHECK(results[i].summary == "ran " + jobs[i].id);
  }
}

TEST_CASE("step runner: parameters, cluster and target reach the step and its result") {
  StepRegistry reg;
  auto calls = add_echo(reg);
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));
  auto cluster = std::make_shared<const ClusterConfig>(ClusterConfig{.name = "cim"});

  auto results = run_steps({job("e", "test.echo", Deadline::after(60s), {{"value", "hello"}})}, registry, cluster);

  REQUIRE(results.size() == 1);
  CHECK(*calls == 1);
  CHECK(results[0].status == StepStatus::Ok);
  CHECK(results[0].summary == "echo hello");
  CHECK(results[0].facts["cluster"] == "cim");
  CHECK(results[0].target == "cluster test");  // the step left it empty: the job's
}

TEST_CASE("step runner: a step that overruns its deadline is reported as a timeout at its deadline") {
  auto events = std::make_shared<Events>();
  StepRegistry reg;
  add_blocker(reg, events);
  std::shared_ptr<const StepRegistry> registry = std::make_shared<const StepRegistry>(std::move(reg));
  ReleaseAtEnd release{events, registry};

  auto t0 = Deadline::SteadyClock::now();
  auto deadline = Deadline::after(200ms);
  auto results = run_steps({job("slow", "test.block", deadline)}, registry, nullptr);
  auto t1 = Deadline::SteadyClock::now();

  REQUIRE(results.size() == 1);
  CHECK(results[0].status == StepStatus::Timeout);
  CHECK(results[0].id == "slow");
  CHECK(results[0].kind == "test.block");
  CHECK(results[0].target == "cluster test");
  CHECK_THAT(results[0].summary, Catch::StartsWith("timed out after "));
  // Not declared before its deadline, and not long after it (a wide bound:
  // the suite runs under sanitizers on two busy cores).
  CHECK(t1 >= deadline.at());
  CHECK(t1 - t0 < 5s);
  CHECK(results[0].duration > 0ms);
  CHECK(results[0].duration <= std::chrono::duration_cast<Millis>(t1 - t0));
  // The step itself was abandoned, not waited for.
  CHECK_FALSE(events->is_set("returned"));
}

TEST_CASE("step runner: a step that never returns holds neither the other steps nor the call") {
  auto events = std::make_shared<Events>();
  StepRegistry reg;
  add_blocker(reg, events);
  auto echo_calls = add_echo(reg);
  std::shared_ptr<const StepRegistry> registry = std::make_shared<const StepRegistry>(std::move(reg));
  ReleaseAtEnd release{events, registry};

  auto t0 = Deadline::SteadyClock::now();
  auto results = run_steps({job("before", "test.echo", Deadline::after(60s), {{"value", "1"}}),
                            job("stuck", "test.block", Deadline::after(200ms)),
                            job("after", "test.echo", Deadline::after(60s), {{"value", "2"}})},
                           registry, nullptr);
  auto elapsed = Deadline::SteadyClock::now() - t0;

  CHECK(elapsed < 5s);  // the stuck step's deadline is 200 ms; the others' 60 s
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == StepStatus::Ok);
  CHECK(results[0].summary == "echo 1");
  CHECK(results[1].status == StepStatus::Timeout);
  CHECK(results[1].id == "stuck");
  CHECK(results[2].status == StepStatus::Ok);
  CHECK(results[2].summary == "echo 2");
  CHECK(*echo_calls == 2);

  // Once released, the abandoned step does finish.
  events->set("release");
  CHECK(events->wait("returned"));
}

TEST_CASE("step runner: a step that throws is a failed result and the others still run") {
  StepRegistry reg;
  add_fake(reg, "test.throw", [](const StepInput&) -> StepResult { throw std::runtime_error("boom"); });
  auto echo_calls = add_echo(reg);
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));

  auto results = run_steps({job("bad", "test.throw", Deadline::after(60s)),
                            job("good", "test.echo", Deadline::after(60s), {{"value", "x"}})},
                           registry, nullptr);

  REQUIRE(results.size() == 2);
  CHECK(results[0].status == StepStatus::Failed);
  CHECK(results[0].summary == "step failed: boom");
  CHECK(results[0].id == "bad");
  CHECK(results[0].kind == "test.throw");
  CHECK(results[1].status == StepStatus::Ok);
  CHECK(results[1].summary == "echo x");
  CHECK(*echo_calls == 1);
}

TEST_CASE("step runner: a refused job is skipped with its reason and never run") {
  StepRegistry reg;
  auto calls = add_echo(reg);
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));
  StepJob refused = job("refused", "test.echo", Deadline::after(60s));
  refused.refused = "parameter server refused: contains ';'";
  refused.target = "cluster cim";

  auto results =
      run_steps({refused, job("fine", "test.echo", Deadline::after(60s), {{"value", "y"}})}, registry, nullptr);

  REQUIRE(results.size() == 2);
  CHECK(results[0].status == StepStatus::Skipped);
  CHECK(results[0].summary == "skipped: parameter server refused: contains ';'");
  CHECK(results[0].id == "refused");
  CHECK(results[0].target == "cluster cim");
  CHECK(results[1].status == StepStatus::Ok);
  CHECK(*calls == 1);  // only the job that was not refused ran
}

TEST_CASE("step runner: a job of an unknown kind is skipped, naming the kind") {
  StepRegistry reg;
  auto calls = add_echo(reg);
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));

  auto results = run_steps({job("what", "test.nope", Deadline::after(60s))}, registry, nullptr);

  REQUIRE(results.size() == 1);
  CHECK(results[0].status == StepStatus::Skipped);
  CHECK(results[0].summary == "skipped: unknown step kind test.nope");
  CHECK(results[0].id == "what");
  CHECK(*calls == 0);
}

TEST_CASE("step runner: a job whose deadline has already passed is skipped without running") {
  StepRegistry reg;
  auto calls = add_echo(reg);
  auto registry = std::make_shared<const StepRegistry>(std::move(reg));

  auto results =
      run_steps({job("late", "test.echo", Deadline(Deadline::SteadyClock::now() - 1s))}, registry, nullptr);

  REQUIRE(results.size() == 1);
  CHECK(results[0].status == StepStatus::Skipped);
  CHECK(results[0].summary == "skipped: the triage deadline had passed");
  CHECK(*calls == 0);
}

TEST_CASE("step runner: past 32 abandoned steps still running, no new step starts until they end") {
  auto events = std::make_shared<Events>();
  StepRegistry reg;
  add_blocker(reg, events);
  auto echo_calls = add_echo(reg);
  std::shared_ptr<const StepRegistry> registry = std::make_shared<const StepRegistry>(std::move(reg));
  ReleaseAtEnd release{events, registry};
  REQUIRE(abandoned_steps() == 0);

  std::vector<StepJob> stuck;
  for (int i = 0; i < 32; ++i) stuck.push_back(job("stuck" + std::to_string(i), "test.block", Deadline::after(100ms)));
  auto first = run_steps(stuck, registry, nullptr);
  for (const auto& r : first) CHECK(r.status == StepStatus::Timeout);
  CHECK(abandoned_steps() == 32);

  auto refused = run_steps({job("echo", "test.echo", Deadline::after(60s), {{"value", "1"}})}, registry, nullptr);
  CHECK(refused.at(0).status == StepStatus::Skipped);
  CHECK(refused.at(0).summary == "skipped: 32 earlier steps abandoned at their deadline are still running");
  CHECK(*echo_calls == 0);

  // Once they end, steps run again.
  events->set("release");
  REQUIRE(test::wait_until([] { return abandoned_steps() == 0; }, 10s));
  auto again = run_steps({job("echo", "test.echo", Deadline::after(60s), {{"value", "2"}})}, registry, nullptr);
  CHECK(again.at(0).status == StepStatus::Ok);
}

TEST_CASE("step runner: no jobs, no results") {
  auto registry = std::make_shared<const StepRegistry>();
  CHECK(run_steps({}, registry, nullptr).empty());
}

}  // namespace rr
