#include "config/listener.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/text.h"

namespace rr {

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (auto zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  IpAddress out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool AddressRange::contains(const IpAddress& address) const {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(network.data(), address.data(), static_cast<std::size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (network[full] & mask) == (address[full] & mask);
}

Result<AddressRange> parse_address_range(std::string_view text) {
  text = trim(text);
  auto bad = [&](const std::string& why) {
    return Error{"allow", "\"" + std::string(text.substr(0, 64)) + "\" " + why};
  };
  AddressRange range;
  range.text = std::string(text);
  std::string_view address = text, bits;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    bits = text.substr(slash + 1);
  }
  auto ip = parse_ip_address(address);
  if (!ip || address.find('%') != std::string_view::npos)
    return bad("is not an IP address or CIDR block (10.0.0.0/8, 192.0.2.7, fd00::/8, ::1)");
  const bool v4 = address.find(':') == std::string_view::npos;
  const int max_bits = v4 ? 32 : 128;
  int n = max_bits;
  if (!bits.empty() || text.find('/') != std::string_view::npos) {
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
    if (ec != std::errc() || end != bits.data() + bits.size() || n < 0 || n > max_bits)
      return bad("has a prefix length that is not 0 to " + std::to_string(max_bits));
  }
  range.network = *ip;
  range.prefix = v4 ? 96 + n : n;
  AddressRange masked = range;
  for (int i = range.prefix; i < 128; ++i) masked.network[i / 8] &= static_cast<unsigned char>(~(0x80 >> (i % 8)));
  if (masked.network != range.network) return bad("has address bits set beyond its prefix length");
  return range;
}

bool WebhookRateLimit::allowed(const IpAddress& address) const {
  for (const AddressRange& r : allow)
    if (r.contains(address)) return true;
  return false;
}

std::vector<AddressRange> WebhookRateLimit::loopback_ranges() {
  return {*parse_address_range("127.0.0.0/8"), *parse_address_range("::1")};
}


}  // namespace rr
