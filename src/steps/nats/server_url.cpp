#include "steps/nats/server_url.h"

#include <charconv>

namespace rr::nats {

std::string ServerUrl::with_host(const std::string& address) const {
  std::string out = scheme + "://";
  if (!userinfo.empty()) out += userinfo + "@";
  out += address.find(':') != std::string::npos ? "[" + address + "]" : address;
  out += ":" + std::to_string(port);
  return out + rest;
}

std::optional<ServerUrl> parse_server_url(const std::string& url) {
  ServerUrl u;
  const auto sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  u.scheme = url.substr(0, sep);
  if (u.scheme != "nats" && u.scheme != "tls") return std::nullopt;
  const auto start = sep + 3;
  const auto end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (end != std::string::npos) u.rest = url.substr(end);
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    u.userinfo = authority.substr(0, at);
    authority.erase(0, at + 1);
  }
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return std::nullopt;
  if (!port.empty()) {
    int value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value <= 0 || value > 65535) return std::nullopt;
    u.port = value;
  }
  return u;
}

}  // namespace rr::nats
