#include "common/host_port.h"

namespace rr {

Result<HostPort> parse_host_port(std::string_view text) {
  auto bad = [&](const char* why) { return Error{"listen", std::string(why) + ": \"" + std::string(text) + "\""}; };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("expected host:port");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unbalanced brackets around the IPv6 address");
    host = host.substr(1, host.size() - 2);
    if (host.find_first_of("[]") != std::string_view::npos) return bad("unbalanced brackets around the IPv6 address");
  } else if (host.find_first_of(":[]") != std::string_view::npos) {
    return bad("an IPv6 address needs brackets");
  }
  if (host.empty()) return bad("missing host");
  if (port.empty() || port.size() > 5) return bad("invalid port");
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad("invalid port");
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return bad("port above 65535");
  return HostPort{std::string(host), value};
}

}  // namespace rr
