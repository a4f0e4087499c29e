#include "support/fault_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace rr::test {

FaultServer::Behaviour FaultServer::huge_http_body(std::size_t size) {
  return {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n",
          false, size};
}

FaultServer::FaultServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("socket() failed");
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener_, 64) != 0) {
    close(listener_);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      std::lock_guard lock(mu_);
      connections_.push_back(fd);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

FaultServer::~FaultServer() {
  stopping_ = true;
  acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  for (int fd : connections_) close(fd);
  close(listener_);
}

void FaultServer::serve(int fd) {
  auto write_all = [&](const char* data, std::size_t size) {
    while (size > 0 && !stopping_) {
      ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
      if (n <= 0) return false;
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return size == 0;
  };
  bool ok = write_all(behaviour_.send.data(), behaviour_.send.size());
  if (ok && behaviour_.stream_bytes > 0) {
    const std::string chunk(64 * 1024, 'x');
    for (std::size_t left = behaviour_.stream_bytes; ok && left > 0;) {
      const std::size_t n = std::min(left, chunk.size());
      ok = write_all(chunk.data(), n);
      left -= n;
    }
  }
  if (behaviour_.close_after_send) {
    shutdown(fd, SHUT_RDWR);
    return;
  }
  // Stall: read and discard until the peer or the destructor hangs up.
  char buf[4096];
  while (!stopping_) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (recv(fd, buf, sizeof buf, 0) <= 0) break;
  }
}

}  // namespace rr::test
