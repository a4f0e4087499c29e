// run_command against a real sshd (tests/support/sshd.h) with stub commands
// that record their argv: output and exit status, host key refusals, a
// refused key, hostile arguments, deadlines (a silent command, a silent
// listener, connect_timeout), output caps. quote_argv and SessionSlots need no server.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "steps/ssh/ssh_session.h"
#include "support/fault_server.h"
#include "support/process.h"
#include "support/skip.h"
#include "support/sshd.h"

namespace rr::ssh {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;


Target target_of(const test::Sshd& sshd) {
  return Target{.host_name = "test-host",
                .address = "127.0.0.1",
                .port = sshd.port(),
                .user = sshd.user(),
                .key_file = sshd.key_file(),
                .known_hosts = sshd.known_hosts()};
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A loopback listener that completes TCP handshakes (the kernel does) but
// never says a word, so an SSH client waits for a banner forever.
struct SilentListener {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  SilentListener() {
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

}  // namespace

TEST_CASE("quote_argv: every word single-quoted", "[ssh]") {
  CHECK(*quote_argv({"systemctl", "status", "nats"}) == "'systemctl' 'status' 'nats'");
  CHECK(*quote_argv({"echo", ""}) == "'echo' ''");
  CHECK(*quote_argv({"x'y"}) == "'x'\\''y'");
  CHECK(*quote_argv({"a b", "$(id)", "`id`", "*", "a;b", "l1\nl2"}) ==
        "'a b' '$(id)' '`id`' '*' 'a;b' 'l1\nl2'");
  CHECK(*quote_argv({"''"}) == "''\\'''\\'''");
}

TEST_CASE("quote_argv: refuses NUL and an empty argv", "[ssh]") {
  auto nul = quote_argv({"echo", std::string("a\0b", 3)});
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().to_string() == "argv[1]: contains a NUL byte");
  CHECK_FALSE(quote_argv({}).ok());
}

TEST_CASE("outcome_name", "[ssh]") {
  CHECK(outcome_name(Outcome::Ok) == "ok");
  CHECK(outcome_name(Outcome::HostKeyChanged) == "host_key_changed");
  CHECK(outcome_name(Outcome::HostKeyUnknown) == "host_key_unknown");
  CHECK(outcome_name(Outcome::AuthFailed) == "auth_failed");
  CHECK(outcome_name(Outcome::Unreachable) == "unreachable");
  CHECK(outcome_name(Outcome::Timeout) == "timeout");
  CHECK(outcome_name(Outcome::Error) == "error");
}

TEST_CASE("SessionSlots: never more leases than slots", "[ssh]") {
  SessionSlots slots(2);
  CHECK(slots.max() == 2);
  std::atomic<int> inside{0}, most{0}, got{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto lease = slots.acquire(Deadline::after(5s));
      if (!lease) return;
      ++got;
      int now = ++inside;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(20ms);
      --inside;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(got == 8);
  CHECK(most <= 2);
  CHECK(slots.in_use() == 0);
}

TEST_CASE("SessionSlots: a full pool waits until the deadline only", "[ssh]") {
  SessionSlots slots(1);
  auto held = slots.acquire(Deadline::after(1s));
  REQUIRE(held);
  auto started = Clock::now();
  CHECK_FALSE(slots.acquire(Deadline::after(150ms)));
  CHECK(seconds_since(started) >= 0.14);
  CHECK(seconds_since(started) < 10.0);  // the deadline, not the 1 s the holder keeps it
  // Released by another thread while waiting: the waiter gets the slot.
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    auto gone = std::move(*held);
  });
  auto next = slots.acquire(Deadline::after(60s));
  releaser.join();
  CHECK(next.has_value());
  CHECK(slots.in_use() == 1);
}

TEST_CASE("run_command: output, stderr and exit status", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("systemctl",
                "echo '● nats.service - NATS'\necho '   Active: failed (Result: exit-code)'\necho warn >&2\nexit 3");
  auto r = run_command(target_of(sshd), {"systemctl", "status", "nats.service"}, Deadline::after(5s));
  INFO(r.error << "\n" << sshd.log());
  CHECK(r.outcome == Outcome::Ok);
  CHECK(r.error.empty());
  REQUIRE(r.exit_status.has_value());
  CHECK(*r.exit_status == 3);
  CHECK(r.output == "● nats.service - NATS\n   Active: failed (Result: exit-code)\n");
  CHECK(r.stderr_text == "warn\n");
  CHECK_FALSE(r.trimmed);
  CHECK(r.command_line == "'systemctl' 'status' 'nats.service'");
  CHECK(sshd.executed() == std::vector<std::vector<std::string>>{{"systemctl", "status", "nats.service"}});

  // Killed by a signal: it ran, but there is no exit status.
  sshd.add_stub("crasher", "kill -9 $$");
  auto killed = run_command(target_of(sshd), {"crasher"}, Deadline::after(5s));
  CHECK(killed.outcome == Outcome::Ok);
  CHECK_FALSE(killed.exit_status);
}

TEST_CASE("run_command: host keys must already be known", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("systemctl", "echo ran");
  Target target = target_of(sshd);

  SECTION("an empty known_hosts: unknown, refused") {
    target.known_hosts = sshd.empty_known_hosts();
    auto r = run_command(target, {"systemctl", "status"}, Deadline::after(5s));
    CHECK(r.outcome == Outcome::HostKeyUnknown);
    CHECK(r.error.find("SHA256:") != std::string::npos);
    // Nothing was learned.
    CHECK(test::read_file(target.known_hosts).empty());
  }
  SECTION("a missing known_hosts: unknown, refused") {
    target.known_hosts = (sshd.dir() / "nope").string();
    auto r = run_command(target, {"systemctl", "status"}, Deadline::after(5s));
    CHECK(r.outcome == Outcome::HostKeyUnknown);
    CHECK_FALSE(std::filesystem::exists(target.known_hosts));
  }
  SECTION("another key for the host: changed, refused") {
    target.known_hosts = sshd.write_known_hosts_with_other_key();
    const std::string before = test::read_file(target.known_hosts);
    auto r = run_command(target, {"systemctl", "status"}, Deadline::after(5s));
    CHECK(r.outcome == Outcome::HostKeyChanged);
    CHECK(r.error.find("possible man-in-the-middle; refusing") != std::string::npos);
    CHECK(test::read_file(target.known_hosts) == before);
  }
  CHECK(sshd.executed().empty());
}

TEST_CASE("run_command: a key the server does not know is refused", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("systemctl", "echo ran");
  Target target = target_of(sshd);
  target.key_file = sshd.make_key("stranger");
  auto r = run_command(target, {"systemctl", "status"}, Deadline::after(5s));
  CHECK(r.outcome == Outcome::AuthFailed);
  CHECK(r.error.find("BEGIN") == std::string::npos);  // no key material
  CHECK(sshd.executed().empty());

  target.key_file = (sshd.dir() / "missing_key").string();
  auto missing = run_command(target, {"systemctl", "status"}, Deadline::after(5s));
  CHECK(missing.outcome == Outcome::Error);
}

TEST_CASE("run_command: hostile arguments arrive as one word each", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("rr-args", "echo ok");
  const std::string pwned = (sshd.dir() / "pwned").string();
  const std::vector<std::string> argv = {"rr-args",
                                         "x'; touch " + pwned + "; echo '",
                                         "$(touch " + pwned + ")",
                                         "`touch " + pwned + "`",
                                         "a b",
                                         "*",
                                         "",
                                         "line1\nline2\n",
                                         "; touch " + pwned,
                                         "> " + pwned,
                                         "'\\'\"",
                                         "--flag=$HOME"};
  auto r = run_command(target_of(sshd), argv, Deadline::after(5s));
  INFO(r.error);
  CHECK(r.outcome == Outcome::Ok);
  CHECK(r.exit_status == 0);
  CHECK(r.output == "ok\n");
  CHECK(sshd.executed() == std::vector<std::vector<std::string>>{argv});
  CHECK_FALSE(std::filesystem::exists(pwned));
}

TEST_CASE("run_command: the deadline cuts off a silent command", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("sleeper", "echo started\nexec sleep 30");
  auto started = Clock::now();
  auto r = run_command(target_of(sshd), {"sleeper"}, Deadline::after(1s));
  CHECK(r.outcome == Outcome::Timeout);
  CHECK(r.output == "started\n");  // what came before the deadline is kept
  CHECK_FALSE(r.exit_status);
  CHECK(seconds_since(started) < 15.0);  // the 1 s deadline, not the command's 30 s
}

TEST_CASE("run_command: the deadline bounds the handshake", "[ssh]") {
  SilentListener silent;
  Target target{.host_name = "mute",
                .address = "127.0.0.1",
                .port = silent.port,
                .user = "nobody",
                .key_file = "",
                .known_hosts = "/dev/null"};
  // A key is loaded before connecting, so make one that exists.
  test::TempDir dir;
  auto keygen = test::run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / "k").string()});
  REQUIRE(keygen.exit_code == 0);
  target.key_file = (dir / "k").string();

  auto started = Clock::now();
  auto r = run_command(target, {"true"}, Deadline::after(1s));
  INFO(r.error);
  CHECK(r.outcome == Outcome::Timeout);
  CHECK(r.error.find("during connect") != std::string::npos);
  CHECK(seconds_since(started) < 15.0);  // the listener never speaks: only the deadline ends it

  // connect_timeout cuts the handshake short of the (far) deadline.
  started = Clock::now();
  auto capped = run_command(target, {"true"}, Deadline::after(60s), {}, 300ms);
  CHECK(capped.outcome == Outcome::Timeout);
  CHECK(seconds_since(started) < 20.0);

  // Nobody listening: unreachable at once, not at the deadline.
  target.port = test::free_port();
  started = Clock::now();
  auto refused = run_command(target, {"true"}, Deadline::after(60s));
  CHECK(refused.outcome == Outcome::Unreachable);
  CHECK(seconds_since(started) < 20.0);
}

TEST_CASE("run_command: output is capped by lines and bytes", "[ssh]") {
  test::Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("flood", "i=0\nwhile [ $i -lt 5000 ]; do echo \"line $i\"; i=$((i+1)); done");
  sshd.add_stub("two", "printf 'a\\nb\\n'");
  const Target target = target_of(sshd);

  auto by_lines = run_command(target, {"flood"}, Deadline::after(5s), Limits{.max_bytes = 1 << 20, .max_lines = 100});
  CHECK(by_lines.outcome == Outcome::Ok);
  CHECK(by_lines.trimmed);
  CHECK(std::count(by_lines.output.begin(), by_lines.output.end(), '\n') == 100);
  CHECK(by_lines.output.rfind("line 99\n") == by_lines.output.size() - 8);

  auto by_bytes = run_command(target, {"flood"}, Deadline::after(5s), Limits{.max_bytes = 1000, .max_lines = 1000});
  INFO(by_bytes.error);
  CHECK(by_bytes.outcome == Outcome::Ok);
  CHECK(by_bytes.trimmed);
  CHECK(by_bytes.output.size() == 1000);
  CHECK(by_bytes.output.rfind("line 0\n", 0) == 0);

  // Exactly at the limits is not trimmed.
  auto exact = run_command(target, {"two"}, Deadline::after(5s), Limits{.max_bytes = 4, .max_lines = 2});
  INFO(exact.error);
  CHECK(exact.outcome == Outcome::Ok);
  CHECK_FALSE(exact.trimmed);
  CHECK(exact.output == "a\nb\n");
  CHECK(exact.exit_status == 0);
}

TEST_CASE("run_command: a target without known_hosts is refused before connecting", "[ssh]") {
  Target target{.host_name = "h", .address = "127.0.0.1", .port = test::free_port(), .user = "u", .key_file = "/k"};
  auto r = run_command(target, {"true"}, Deadline::after(1s));
  CHECK(r.outcome == Outcome::Error);
  CHECK(r.error.find("known_hosts") != std::string::npos);
  CHECK(run_command(Target{.address = "127.0.0.1", .known_hosts = "/dev/null"}, {"a", std::string(1, '\0')},
                    Deadline::after(1s))
            .outcome == Outcome::Error);
}

TEST_CASE("run_command: a server that sends its banner and then nothing is cut off, and its slot freed", "[ssh]") {
  test::FaultServer mute(test::FaultServer::stall_after("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"));
  test::TempDir dir;
  auto keygen = test::run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / "k").string()});
  REQUIRE(keygen.exit_code == 0);
  const Target target{.host_name = "half-open",
                      .address = "127.0.0.1",
                      .port = mute.port(),
                      .user = "nobody",
                      .key_file = (dir / "k").string(),
                      .known_hosts = "/dev/null"};
  auto slots = std::make_shared<SessionSlots>(1);  // one connection in the whole service
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto started = Clock::now();
    auto r = run_command(target, {"true"}, Deadline::after(1s), {}, std::nullopt, slots);
    INFO("attempt " << attempt << ": " << r.error);
    CHECK(r.outcome == Outcome::Timeout);
    // The second attempt got the slot back: it timed out in the handshake,
    // not while waiting for a free connection.
    CHECK(r.error.find("no free SSH session") == std::string::npos);
    CHECK(seconds_since(started) < 15.0);
  }
  CHECK(mute.accepted() == 2);
}

}  // namespace rr::ssh
