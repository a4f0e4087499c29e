// Shared connections (ssh_session.h) against a real sshd
// (tests/support/sshd.h), counted by its log: concurrent commands to one
// host share one connection and each gets its own output and status, whole
// even when they all print at once; a silent or slow command neither stalls the others nor outlives its own
// deadline; no connection is kept once its commands end; a failed
// connection reaches every waiter and is not reused; a server's MaxSessions
// sends the rest to another connection. Stubs meet at barriers (files in the
// server's directory), so what overlaps is decided by events, not by timing.

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "steps/ssh/ssh_session.h"
#include "support/process.h"
#include "support/skip.h"
#include "support/sshd.h"
#include "support/wait.h"

namespace rr::ssh {
namespace {

using namespace std::chrono_literals;

Target target_of(const test::Sshd& sshd) {
  return Target{.host_name = "shared-host",
                .address = "127.0.0.1",
                .port = sshd.port(),
                .user = sshd.user(),
                .key_file = sshd.key_file(),
                .known_hosts = sshd.known_hosts()};
}

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// A stub that marks its arrival as `arrived.$1`, waits (at most ~30 s) until
// `n` have arrived, then prints "out $1" and "err $1" (stderr) and exits $2.
void add_barrier_stub(test::Sshd& sshd, const std::string& name, int n) {
  const auto dir = sshd.dir() / ("barrier-" + name);
  std::filesystem::create_directories(dir);
  sshd.add_stub(name, "touch " + quoted(dir) + "/arrived.\"$1\"\n"
                      "id=$1; code=$2; i=0\n"
                      "while [ $i -lt 600 ]; do\n"
                      "  set -- " + quoted(dir) + "/arrived.*\n"
                      "  [ $# -ge " + std::to_string(n) + " ] && break\n"
                      "  i=$((i+1)); sleep 0.05\n"
                      "done\n"
                      "echo \"out $id\"\necho \"err $id\" >&2\nexit $code");
}

// A stub that prints "holding", waits (at most ~60 s) for the file
// `release`, then prints "released".
std::filesystem::path add_holding_stub(test::Sshd& sshd, const std::string& name) {
  const auto release = sshd.dir() / ("release-" + name);
  sshd.add_stub(name, "echo holding\ni=0\n"
                      "while [ ! -e " + quoted(release) + " ] && [ $i -lt 1200 ]; do i=$((i+1)); sleep 0.05; done\n"
                      "echo released");
  return release;
}

bool ran(const test::Sshd& sshd, const std::string& name) {
  for (const auto& argv : sshd.executed())
    if (!argv.empty() && argv[0] == name) return true;
  return false;
}

}  // namespace

TEST_CASE("shared connection: concurrent commands to one host use one connection", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  constexpr int kCommands = 5;  // below OpenSSH's default MaxSessions (10)
  add_barrier_stub(sshd, "meet", kCommands);
  const Target target = target_of(sshd);
  const int connections_before = sshd.connections();
  const int logins_before = sshd.logins();

  // Every stub waits for all the others to run, so all five commands are in
  // flight at once: a connection per command would show in the count.
  std::vector<CommandResult> results(kCommands);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCommands; ++i)
    threads.emplace_back([&, i] {
      results[i] = run_command(target, {"meet", std::to_string(i), std::to_string(10 + i)}, Deadline::after(60s));
    });
  for (auto& t : threads) t.join();

  INFO(sshd.log());
  for (int i = 0; i < kCommands; ++i) {
    INFO("command " << i << ": " << results[i].error);
    CHECK(results[i].outcome == Outcome::Ok);
    CHECK(results[i].output == "out " + std::to_string(i) + "\n");
    // The user's shell rc files may print to stderr before the stub runs
    // (on some machines, when shells start at once): matched at its end.
    CHECK(results[i].stderr_text.ends_with("err " + std::to_string(i) + "\n"));
    CHECK(results[i].exit_status == 10 + i);
  }
  CHECK(sshd.executed().size() == kCommands);
  CHECK(sshd.connections() - connections_before == 1);
  CHECK(sshd.logins() - logins_before == 1);

  // Nothing is kept once the last command ended: the next one connects again.
  CHECK(pool_stats(target).connections == 0);
  CHECK(pool_stats(target).commands == 0);
  add_barrier_stub(sshd, "alone", 1);
  auto again = run_command(target, {"alone", "x", "0"}, Deadline::after(30s));
  CHECK(again.outcome == Outcome::Ok);
  CHECK(again.output == "out x\n");
  CHECK(sshd.connections() - connections_before == 2);
  CHECK(pool_stats(target).connections == 0);
}

TEST_CASE("shared connection: concurrent outputs arrive whole, each on its own channel", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  constexpr int kCommands = 4;
  const auto dir = sshd.dir() / "barrier-flood";
  std::filesystem::create_directories(dir);
  // After the barrier, 3000 numbered lines on stdout (more than one SSH
  // window's worth in all) and 2000 on stderr, interleaved.
  sshd.add_stub("flood", "touch " + quoted(dir) + "/arrived.\"$1\"\n"
                         "id=$1; i=0\n"
                         "while [ $i -lt 600 ]; do\n"
                         "  set -- " + quoted(dir) + "/arrived.*\n"
                         "  [ $# -ge " + std::to_string(kCommands) + " ] && break\n"
                         "  i=$((i+1)); sleep 0.05\n"
                         "done\n"
                         "i=0\n"
                         "while [ $i -lt 3000 ]; do\n"
                         "  echo \"$id line $i\"\n"
                         "  if [ $((i % 3)) -ne 0 ]; then echo \"$id err $i\" >&2; fi\n"
                         "  i=$((i+1))\n"
                         "done");
  const Target target = target_of(sshd);
  const int connections_before = sshd.connections();

  std::vector<CommandResult> results(kCommands);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCommands; ++i)
    threads.emplace_back([&, i] {
      results[i] = run_command(target, {"flood", std::to_string(i)}, Deadline::after(60s),
                               Limits{.max_bytes = 1 << 20, .max_lines = 100000});
    });
  for (auto& t : threads) t.join();

  for (int i = 0; i < kCommands; ++i) {
    INFO("command " << i << ": " << results[i].error << "\nstderr starts: " << results[i].stderr_text.substr(0, 200));
    std::string expected;
    for (int line = 0; line < 3000; ++line) expected += std::to_string(i) + " line " + std::to_string(line) + "\n";
    CHECK(results[i].outcome == Outcome::Ok);
    CHECK(results[i].output == expected);
    CHECK_FALSE(results[i].trimmed);
    CHECK(results[i].exit_status == 0);
    CHECK(results[i].stderr_text.size() == kStderrLimit);
    CHECK(results[i].stderr_trimmed);
    CHECK(("\n" + results[i].stderr_text).find("\n" + std::to_string(i) + " err 1\n") != std::string::npos);
    for (int other = 0; other < kCommands; ++other)
      if (other != i)
        CHECK(("\n" + results[i].stderr_text).find("\n" + std::to_string(other) + " err ") == std::string::npos);
  }
  CHECK(sshd.connections() - connections_before == 1);
}

TEST_CASE("shared connection: a slow command stalls no other and stops at its own deadline", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  const auto release = add_holding_stub(sshd, "hold");
  sshd.add_stub("sleeper", "echo started\nexec sleep 30");
  sshd.add_stub("fast", "echo fast \"$1\"\nexit 4");
  const Target target = target_of(sshd);
  const int connections_before = sshd.connections();

  // `hold` keeps the connection open and its channel silent until the test
  // releases it, long after everything below.
  std::atomic<bool> hold_done{false};
  CommandResult held;
  std::thread holder([&] {
    held = run_command(target, {"hold"}, Deadline::after(120s));
    hold_done = true;
  });
  REQUIRE(test::wait_until([&] { return ran(sshd, "hold"); }, 30s));

  // A fast command completes on the same connection while `hold` waits:
  // had the silent channel's wait held the session, this would not return
  // before `hold` is released (only after its own 60 s deadline, timed out).
  auto fast = run_command(target, {"fast", "1"}, Deadline::after(60s));
  INFO(fast.error << "\n" << sshd.log());
  CHECK(fast.outcome == Outcome::Ok);
  CHECK(fast.output == "fast 1\n");
  CHECK(fast.exit_status == 4);
  CHECK_FALSE(hold_done);

  // A command past its deadline times out and closes only its own channel.
  auto slow = run_command(target, {"sleeper"}, Deadline::after(3s));
  INFO(slow.error);
  CHECK(slow.outcome == Outcome::Timeout);
  CHECK(slow.error.find("deadline passed during the command") != std::string::npos);
  CHECK(slow.output == "started\n");
  CHECK_FALSE(slow.exit_status);
  CHECK_FALSE(hold_done);

  // The connection still serves.
  auto after = run_command(target, {"fast", "2"}, Deadline::after(60s));
  CHECK(after.outcome == Outcome::Ok);
  CHECK(after.output == "fast 2\n");
  CHECK(pool_stats(target).connections == 1);
  CHECK(pool_stats(target).commands == 1);  // hold

  test::write_file(release, "");
  holder.join();
  CHECK(held.outcome == Outcome::Ok);
  CHECK(held.output == "holding\nreleased\n");
  CHECK(held.exit_status == 0);
  CHECK(sshd.connections() - connections_before == 1);
  CHECK(pool_stats(target).connections == 0);
}

TEST_CASE("shared connection: a failed connection reaches every waiter and is not reused", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("systemctl", "echo ran");
  Target target = target_of(sshd);
  target.known_hosts = sshd.write_known_hosts_with_other_key();
  const int connections_before = sshd.connections();

  // The one slot is held, so the first command waits for it before
  // connecting, and the others attach to that connection meanwhile.
  auto slots = std::make_shared<SessionSlots>(1);
  auto held = slots->acquire(Deadline::after(1s));
  REQUIRE(held);
  constexpr int kCommands = 4;
  std::vector<CommandResult> results(kCommands);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCommands; ++i)
    threads.emplace_back([&, i] {
      results[i] = run_command(target, {"systemctl", "status"}, Deadline::after(60s), {}, std::nullopt, slots);
    });
  REQUIRE(test::wait_until([&] { return pool_stats(target).commands == kCommands; }, 30s));
  CHECK(pool_stats(target).connections == 1);
  held.reset();
  for (auto& t : threads) t.join();

  INFO(sshd.log());
  for (const auto& r : results) {
    CHECK(r.outcome == Outcome::HostKeyChanged);
    CHECK(r.error == results[0].error);
  }
  CHECK(results[0].error.find("possible man-in-the-middle; refusing") != std::string::npos);
  CHECK(sshd.connections() - connections_before == 1);
  CHECK(pool_stats(target).connections == 0);
  CHECK(slots->in_use() == 0);

  // A later command tries again rather than reusing the failure.
  auto later = run_command(target, {"systemctl", "status"}, Deadline::after(60s), {}, std::nullopt, slots);
  CHECK(later.outcome == Outcome::HostKeyChanged);
  CHECK(sshd.connections() - connections_before == 2);
  CHECK(sshd.executed().empty());
}

TEST_CASE("shared connection: channels the server refuses go to another connection", "[ssh]") {
  test::Sshd sshd("MaxSessions 2\n");
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  constexpr int kCommands = 4;
  add_barrier_stub(sshd, "meet", kCommands);
  const Target target = target_of(sshd);
  const int connections_before = sshd.connections();
  auto slots = std::make_shared<SessionSlots>(8);

  // All four run at once, two per connection.
  std::vector<CommandResult> results(kCommands);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCommands; ++i)
    threads.emplace_back([&, i] {
      results[i] = run_command(target, {"meet", std::to_string(i), "0"}, Deadline::after(60s), {}, std::nullopt, slots);
    });
  for (auto& t : threads) t.join();

  INFO(sshd.log());
  for (int i = 0; i < kCommands; ++i) {
    INFO("command " << i << ": " << results[i].error);
    CHECK(results[i].outcome == Outcome::Ok);
    CHECK(results[i].output == "out " + std::to_string(i) + "\n");
    CHECK(results[i].exit_status == 0);
  }
  CHECK(sshd.connections() - connections_before == 2);
  CHECK(pool_stats(target).connections == 0);
  CHECK(slots->in_use() == 0);
}

}  // namespace rr::ssh
