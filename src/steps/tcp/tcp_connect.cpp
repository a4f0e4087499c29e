#include "steps/tcp/tcp_connect.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rr::tcp {
namespace {

using Clock = std::chrono::steady_clock;

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;
};

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

std::string address_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

SockAddr make_addr(const sockaddr* sa, socklen_t length) {
  SockAddr a;
  std::memcpy(&a.storage, sa, length);
  a.length = length;
  a.text = address_text(sa);
  return a;
}

// An IP literal, without DNS.
bool literal_address(const std::string& host, int port, SockAddr& out) {
  sockaddr_in in{};
  if (::inet_pton(AF_INET, host.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(static_cast<std::uint16_t>(port));
    out = make_addr(reinterpret_cast<const sockaddr*>(&in), sizeof in);
    return true;
  }
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(static_cast<std::uint16_t>(port));
    out = make_addr(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
    return true;
  }
  return false;
}

// getaddrinfo has no timeout: it runs on its own thread, which is left to
// finish alone (holding the shared state) when the deadline comes first.
struct Resolution {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::vector<SockAddr> addresses;
  std::string error;
};

struct AddrInfoDeleter {
  void operator()(addrinfo* p) const {
    if (p) ::freeaddrinfo(p);
  }
};

// Lookups abandoned at their deadline still hold a thread until the resolver
// gives up; past this many at once, a new one fails at once instead.
constexpr int kMaxPendingLookups = 32;
std::atomic<int> g_pending_lookups{0};

std::vector<SockAddr> resolve(const std::string& host, int port, Deadline deadline, std::string& error) {
  if (g_pending_lookups.load() >= kMaxPendingLookups) {
    error = "name not resolved: too many lookups still waiting for DNS";
    return {};
  }
  auto state = std::make_shared<Resolution>();
  try {
    ++g_pending_lookups;
    std::thread([state, host, port] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* raw = nullptr;
      int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
      std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
      std::lock_guard lock(state->mutex);
      if (rc != 0) {
        state->error = ::gai_strerror(rc);
      } else {
        for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
          if (a->ai_family == AF_INET || a->ai_family == AF_INET6) {
            state->addresses.push_back(make_addr(a->ai_addr, a->ai_addrlen));
          }
        }
      }
      state->done = true;
      state->done_cv.notify_all();
      --g_pending_lookups;
    }).detach();
  } catch (const std::system_error& e) {
    --g_pending_lookups;
    error = std::string("cannot start resolver: ") + e.what();
    return {};
  }
  std::unique_lock lock(state->mutex);
  if (!state->done_cv.wait_until(lock, deadline.at(), [&] { return state->done; })) {
    error = "name not resolved: timed out";
    return {};
  }
  if (!state->error.empty()) error = "name not resolved: " + state->error;
  if (error.empty() && state->addresses.empty()) error = "name not resolved: no address";
  return state->addresses;
}

// One address: "" when it accepted (`out` then holds the socket, non-blocking),
// else the error.
std::string connect_one(const SockAddr& addr, Deadline deadline, UniqueFd& out) {
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
  std::vector<SockAddr> addresses;
  SockAddr literal;
  if (literal_address(host, port, literal)) {
    addresses.push_back(literal);
  } else {
    addresses = resolve(host, port, deadline, c.error);
    if (addresses.empty()) {
      c.timed_out = deadline.expired();
      return c;
    }
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
