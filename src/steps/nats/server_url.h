#pragma once
// A NATS client URL taken apart, so that the responder can resolve the
// server's name itself, under a deadline, and hand libnats an address:
// libnats' own lookup has no bound on its time.

#include <optional>
#include <string>

namespace rr::nats {

struct ServerUrl {
  std::string scheme;    // "nats" or "tls"
  std::string userinfo;  // "user:pass" or "token", without the '@'; never logged
  std::string host;      // without IPv6 brackets
  int port = 4222;
  std::string rest;      // anything after the authority (normally "")

  // The same URL with `address` (an IP) in place of the host.
  std::string with_host(const std::string& address) const;
};

// nullopt unless "nats://" or "tls://", then [userinfo@]host[:port]; the
// config loader has already refused what is not a URL at all.
std::optional<ServerUrl> parse_server_url(const std::string& url);

}  // namespace rr::nats
