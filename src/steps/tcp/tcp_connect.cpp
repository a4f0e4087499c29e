#include "steps/tcp/tcp_connect.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "net/resolve.h"

namespace rr::tcp {
namespace {

using Clock = std::chrono::steady_clock;

std::string error_text(int err) {
  switch (err) {
    case ECONNREFUSED: return "connection refused";
    case ETIMEDOUT: return "timed out";
    case EHOSTUNREACH: return "host unreachable";
    case ENETUNREACH: return "network unreachable";
    default: break;
  }
  char buffer[256] = {};
  // The GNU strerror_r returns the text (maybe not in buffer).
  return ::strerror_r(err, buffer, sizeof buffer);
}

// One address: "" when it accepted (`out` then holds the socket, non-blocking),
// else the error.
std::string connect_one(const net::SocketAddress& addr, Deadline deadline, UniqueFd& out) {
  UniqueFd fd(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return error_text(errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) == 0) {
    out = std::move(fd);
    return "";
  }
  if (errno != EINPROGRESS) return error_text(errno);
  while (true) {
    auto left = deadline.remaining().count();
    if (left <= 0) return "timed out";
    pollfd p{fd.get(), POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, 60'000)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return error_text(errno);
    if (rc == 0) continue;  // the loop re-checks the deadline
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) return error_text(errno);
    if (err != 0) return error_text(err);
    out = std::move(fd);
    return "";
  }
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

TcpConnection tcp_connect(const std::string& host, int port, Deadline deadline) {
  TcpConnection c;
  if (host.empty() || port <= 0 || port > 65535) {
    c.error = "invalid address";
    return c;
  }
  std::vector<net::SocketAddress> addresses = net::resolve(host, port, deadline, c.error);
  if (addresses.empty()) {
    c.timed_out = deadline.expired();
    return c;
  }
  for (const auto& a : addresses) {
    c.address = a.text;
    c.error = connect_one(a, deadline, c.fd);
    if (c.error.empty()) {
      // The caller's library expects a blocking socket.
      const int flags = ::fcntl(c.fd.get(), F_GETFL);
      if (flags >= 0) ::fcntl(c.fd.get(), F_SETFL, flags & ~O_NONBLOCK);
      break;
    }
    if (deadline.expired()) break;
  }
  c.timed_out = !c.fd.valid() && deadline.expired();
  return c;
}

TcpProbe tcp_probe(const std::string& host, int port, Deadline deadline) {
  const auto start = Clock::now();
  TcpConnection c = tcp_connect(host, port, deadline);
  TcpProbe probe;
  probe.reachable = c.fd.valid();
  probe.address = c.address;
  probe.error = c.error;
  probe.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  probe.ms = static_cast<double>(static_cast<long long>(probe.ms * 100)) / 100;  // 0.01 ms is plenty
  return probe;
}

}  // namespace rr::tcp
