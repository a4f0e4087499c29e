#pragma once
// Name resolution under a deadline. getaddrinfo has no timeout of its own (a
// silent DNS server costs resolv.conf's timeout × attempts × families), so a
// name is looked up on a helper thread that is abandoned at the deadline.
// Every client whose library would resolve on its own (cpp-httplib, libssh)
// resolves here first and hands the library an address.

#include <sys/socket.h>

#include <string>
#include <vector>

#include "common/deadline.h"

namespace rr::net {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string ip;    // "127.0.0.1", "::1"
  std::string text;  // "127.0.0.1:4222", "[::1]:4222"
};

// An IP literal is returned at once, without DNS. A name is resolved to its
// IPv4 and IPv6 addresses, in the system's preferred order. On failure the
// result is empty and `error` says why ("name not resolved: timed out",
// "name not resolved: Name or service not known", ...). Never throws.
std::vector<SocketAddress> resolve(const std::string& host, int port, Deadline deadline, std::string& error);

// True when `host` is an IPv4 or IPv6 literal (without brackets).
bool is_ip_literal(const std::string& host);

}  // namespace rr::net
