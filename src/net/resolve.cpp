#include "net/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

namespace rr::net {
namespace {

SocketAddress make_address(const sockaddr* sa, socklen_t length) {
  SocketAddress a;
  std::memcpy(&a.storage, sa, length);
  a.length = length;
  char host[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    a.ip = host;
    a.text = a.ip + ":" + std::to_string(ntohs(in->sin_port));
  } else {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    a.ip = host;
    a.text = "[" + a.ip + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return a;
}

bool literal_address(const std::string& host, int port, SocketAddress& out) {
  sockaddr_in in{};
  if (::inet_pton(AF_INET, host.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(static_cast<std::uint16_t>(port));
    out = make_address(reinterpret_cast<const sockaddr*>(&in), sizeof in);
    return true;
  }
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(static_cast<std::uint16_t>(port));
    out = make_address(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
    return true;
  }
  return false;
}

// Shared between the caller and the lookup thread, which may outlive the
// caller's wait.
struct Resolution {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  bool abandoned = false;  // the caller's deadline came first
  std::vector<SocketAddress> addresses;
  std::string error;
};

struct AddrInfoDeleter {
  void operator()(addrinfo* p) const {
    if (p) ::freeaddrinfo(p);
  }
};

// Lookups abandoned at their deadline still hold a thread until the resolver
// gives up; past this many at once, a new one fails at once instead. (Lookups
// someone still waits for are bounded by their callers' own threads.)
constexpr int kMaxAbandonedLookups = 32;
std::atomic<int> g_abandoned_lookups{0};

}  // namespace

bool is_ip_literal(const std::string& host) {
  SocketAddress ignored;
  return literal_address(host, 1, ignored);
}

std::vector<SocketAddress> resolve(const std::string& host, int port, Deadline deadline, std::string& error) {
  SocketAddress literal;
  if (literal_address(host, port, literal)) return {literal};
  if (deadline.expired()) {
    error = "name not resolved: timed out";
    return {};
  }
  if (g_abandoned_lookups.load() >= kMaxAbandonedLookups) {
    error = "name not resolved: too many earlier lookups still waiting for DNS";
    return {};
  }
  auto state = std::make_shared<Resolution>();
  try {
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
            state->addresses.push_back(make_address(a->ai_addr, a->ai_addrlen));
          }
        }
      }
      state->done = true;
      if (state->abandoned) --g_abandoned_lookups;
      state->done_cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    error = std::string("cannot start resolver: ") + e.what();
    return {};
  }
  std::unique_lock lock(state->mutex);
  if (!state->done_cv.wait_until(lock, deadline.at(), [&] { return state->done; })) {
    // Under the lock the thread takes to finish: it sees this and counts
    // itself out when it does.
    state->abandoned = true;
    ++g_abandoned_lookups;
    error = "name not resolved: timed out";
    return {};
  }
  if (!state->error.empty()) {
    error = "name not resolved: " + state->error;
    return {};
  }
  if (state->addresses.empty()) error = "name not resolved: no address";
  return state->addresses;
}

}  // namespace rr::net
