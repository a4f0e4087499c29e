#pragma once
// The listener's TLS and its per-client rate limit on POST /webhook (the
// `tls` and `rate_limit` keys; README "Configuration").

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rr {

// `tls`: serve HTTPS (TLS 1.2 or later) instead of HTTP. The files are read
// when the configuration is loaded (so `check` proves they load and that the
// key matches the certificate) and again on every SIGHUP.
struct TlsConfig {
  std::string cert_file;       // PEM: the certificate, then any intermediates; absolute once loaded
  std::string key_file;        // PEM private key, unencrypted
  std::string client_ca_file;  // PEM CA certificates; "": no client certificates are asked for
  bool enabled() const { return !cert_file.empty(); }
  // Clients must present a certificate signed by client_ca_file for every
  // route but the probes (/healthz, /readyz). This counts as authentication:
  // with it, `auth` is not required beyond loopback.
  bool requires_client_cert() const { return !client_ca_file.empty(); }
  bool operator==(const TlsConfig&) const = default;
};

// An IP address as 16 bytes: IPv4 as its IPv4-mapped IPv6 form
// (::ffff:a.b.c.d), so that one table and one allowlist serve both.
using IpAddress = std::array<unsigned char, 16>;

// "10.0.0.1", "::1", "::ffff:10.0.0.1" (an IPv6 zone such as "%eth0" is
// ignored); nullopt for anything else.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// An allowlist entry: one address or a CIDR block.
struct AddressRange {
  IpAddress network{};
  int prefix = 128;   // over the 16-byte form: an IPv4 /8 is stored as /104
  std::string text;   // as written
  bool contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "127.0.0.1" (/32), "fd00::/8", "::1" (/128). A block with
// bits set beyond its prefix ("10.0.0.1/8") is an error: it is usually a typo.
Result<AddressRange> parse_address_range(std::string_view text);

// `rate_limit`: how fast one client (one source address) may POST /webhook.
// Past it the client is answered 503 with Retry-After (Alertmanager retries
// 5xx); addresses in `allow` are never limited. On by default, generously,
// with loopback allowed: list Alertmanager's addresses in `allow`.
struct WebhookRateLimit {
  double per_second = 50;  // 0: off
  double burst = 500;      // requests one client may send at once
  std::string rate = "50/s";  // as written, for messages
  std::vector<AddressRange> allow = loopback_ranges();
  bool enabled() const { return per_second > 0; }
  bool allowed(const IpAddress& address) const;

  static std::vector<AddressRange> loopback_ranges();  // 127.0.0.0/8 and ::1
};

// The table of clients the limiter keeps at most; beyond it the least
// recently seen is forgotten (it starts again with a full burst).
inline constexpr std::size_t kMaxRateLimitedClients = 10000;

}  // namespace rr
