#pragma once
// A TCP server on 127.0.0.1 that misbehaves on purpose, for fault tests:
// it accepts and then never answers, or sends a fixed prefix (an SSH banner,
// half an HTTP reply, garbage) and then stalls or hangs up, or streams a
// body far larger than any reply should be. Each connection is served on its
// own thread; the destructor shuts every connection down.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rr::test {

class FaultServer {
 public:
  struct Behaviour {
    std::string send;               // written once after accept ("" = nothing)
    bool close_after_send = false;  // then hang up (else stall, reading and discarding)
    std::size_t stream_bytes = 0;   // after `send`, this many bytes of 'x', as fast as the peer reads
  };
  // Accepts and never writes a byte.
  static Behaviour silent() { return {}; }
  // Writes `prefix`, then stalls.
  static Behaviour stall_after(std::string prefix) { return {std::move(prefix), false, 0}; }
  // Writes `bytes` and hangs up.
  static Behaviour reply_and_close(std::string bytes) { return {std::move(bytes), true, 0}; }
  // An HTTP 200 whose body is `size` bytes long, streamed.
  static Behaviour huge_http_body(std::size_t size);

  explicit FaultServer(Behaviour behaviour);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& scheme) const { return scheme + "://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_; }  // connections accepted so far

 private:
  void serve(int fd);

  Behaviour behaviour_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> connections_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace rr::test
