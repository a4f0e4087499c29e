#pragma once
// One TCP connect, with timing, under a deadline: a non-blocking connect
// polled until the deadline, then closed. Nothing is sent. No raw sockets,
// no ICMP: this is what "can I reach that port" means for a client.

#include <string>

#include "common/deadline.h"

namespace rr::tcp {

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct TcpProbe {
  bool reachable = false;
  double ms = 0;        // from the start (name resolution included) to the answer
  std::string address;  // the address tried last, "127.0.0.1:4222" / "[::1]:4222"
  std::string error;    // "" when reachable; "connection refused", "timed out",
                        // "name not resolved: ...", or the system's text
};

// Connects to host:port (an IP literal, or a name resolved on a helper
// thread that is abandoned at the deadline). Tries each resolved address in
// turn until one accepts. Never throws; returns by `deadline`.
TcpProbe tcp_probe(const std::string& host, int port, Deadline deadline);

// The same connect, keeping the socket for the caller (blocking mode, close
// on exec): how a client whose library has no deadline of its own for name
// resolution and connect (libssh) gets one. `fd` is invalid on failure.
struct TcpConnection {
  UniqueFd fd;
  std::string address;     // as TcpProbe::address
  std::string error;       // as TcpProbe::error
  bool timed_out = false;  // the deadline ended it (resolution or connect)
};
TcpConnection tcp_connect(const std::string& host, int port, Deadline deadline);

}  // namespace rr::tcp
