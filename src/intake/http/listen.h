#pragma once
// The `listen` setting: "host:port", "[v6]:port" or "localhost:port".

#include <string>
#include <string_view>

#include "common/result.h"

namespace rr {

struct ListenAddress {
  std::string host;  // without IPv6 brackets
  int port = 0;      // 0: any free port
};

// Rejects an empty host, a missing or non-numeric port, ports above 65535
// and unbalanced brackets; `where` is "listen".
Result<ListenAddress> parse_listen(std::string_view text);

}  // namespace rr
