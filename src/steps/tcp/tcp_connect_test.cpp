// tcp_probe against loopback sockets of the test's own: one that accepts,
// a port nobody listens on, and a listener whose backlog is full (SYNs are
// dropped, so the connect can only time out).

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <vector>

#include "steps/tcp/tcp_connect.h"
#include "support/process.h"

namespace rr::tcp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A listening socket on 127.0.0.1 that never accepts.
struct Listener {
  UniqueFd fd;
  int port = 0;
  explicit Listener(int backlog) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd.valid());
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd.get(), backlog) == 0);
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
};

}  // namespace

TEST_CASE("tcp_probe: an open port, with timing") {
  Listener l(16);
  TcpProbe p = tcp_probe("127.0.0.1", l.port, Deadline::after(2s));
  CHECK(p.reachable);
  CHECK(p.error.empty());
  CHECK(p.ms >= 0);
  CHECK(p.ms < 1000);
  CHECK(p.address == "127.0.0.1:" + std::to_string(l.port));
  // A name goes through the resolver.
  TcpProbe named = tcp_probe("localhost", l.port, Deadline::after(2s));
  CHECK((named.reachable || named.error == "connection refused"));  // localhost may be ::1 first
}

TEST_CASE("tcp_probe: a closed port is refused at once") {
  const int port = test::free_port();
  auto started = Clock::now();
  TcpProbe p = tcp_probe("127.0.0.1", port, Deadline::after(2s));
  CHECK_FALSE(p.reachable);
  CHECK(p.error == "connection refused");
  CHECK(Clock::now() - started < 500ms);
}

TEST_CASE("tcp_probe: a full backlog times out at the deadline") {
  Listener l(0);
  // Fill the accept queue: later SYNs are dropped.
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) {
    UniqueFd f(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(l.port));
    (void)::connect(f.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(std::move(f));
  }
  auto started = Clock::now();
  TcpProbe p = tcp_probe("127.0.0.1", l.port, Deadline::after(300ms));
  auto took = Clock::now() - started;
  CHECK_FALSE(p.reachable);
  CHECK(p.error == "timed out");
  CHECK(took >= 250ms);
  CHECK(took < 10s);  // the deadline, not the kernel's minutes of SYN retries
}

TEST_CASE("tcp_probe: bad input is an error, not a crash") {
  CHECK(tcp_probe("", 80, Deadline::after(1s)).error == "invalid address");
  CHECK(tcp_probe("127.0.0.1", 0, Deadline::after(1s)).error == "invalid address");
  CHECK(tcp_probe("127.0.0.1", 70000, Deadline::after(1s)).error == "invalid address");
  auto started = Clock::now();
  TcpProbe p = tcp_probe("no-such-host.invalid", 4222, Deadline::after(1s));
  CHECK_FALSE(p.reachable);
  CHECK_THAT(p.error, Catch::StartsWith("name not resolved"));
  CHECK(Clock::now() - started < 1200ms);
}

}  // namespace rr::tcp
