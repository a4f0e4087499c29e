#pragma once
// "host:port", "[v6]:port" or "localhost:port", as in the `listen` setting.

#include <string>
#include <string_view>

#include "common/result.h"

namespace rr {

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;      // 0: any free port
};

// Rejects an empty host, a missing or non-numeric port, ports above 65535,
// unbalanced brackets and an IPv6 address without them; `where` is "listen".
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace rr
