#include "intake/http/auth.h"

#include <cctype>

#include "common/text.h"

namespace rr {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

constexpr const char* kRealm = "realm=\"runbook-responder\"";

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  std::size_t pad = 0;
  while (!text.empty() && text.back() == '=' && pad < 2) {
    text.remove_suffix(1);
    ++pad;
  }
  if (text.size() % 4 == 1 || (pad && (text.size() + pad) % 4 != 0)) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

bool authorized(const AuthConfig& auth, std::string_view authorization) {
  if (!auth.enabled()) return true;
  authorization = trim(authorization);
  auto space = authorization.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view scheme = authorization.substr(0, space);
  std::string_view credentials = trim(authorization.substr(space + 1));

  if (iequals(scheme, "Bearer") && auth.bearer_token) return constant_time_equal(credentials, *auth.bearer_token);

  if (iequals(scheme, "Basic") && auth.basic_username) {
    auto decoded = decode_base64(credentials);
    if (!decoded) return false;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    // Both comparisons always run, so timing says nothing about which failed.
    bool user_ok = constant_time_equal(std::string_view(*decoded).substr(0, colon), *auth.basic_username);
    bool password_ok = constant_time_equal(std::string_view(*decoded).substr(colon + 1),
                                           auth.basic_password.value_or(""));
    return user_ok & password_ok;
  }
  return false;
}

bool authorized_to_read(const AuthConfig& auth, std::string_view authorization) {
  if (!auth.enabled() && !auth.read_token) return true;
  if (auth.enabled() && authorized(auth, authorization)) return true;
  if (!auth.read_token) return false;
  authorization = trim(authorization);
  auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Bearer")) return false;
  return constant_time_equal(trim(authorization.substr(space + 1)), *auth.read_token);
}

std::vector<std::string> auth_challenges(const AuthConfig& auth) {
  std::vector<std::string> out;
  if (auth.bearer_token || auth.read_token) out.push_back(std::string("Bearer ") + kRealm);
  if (auth.basic_username) out.push_back(std::string("Basic ") + kRealm + ", charset=\"UTF-8\"");
  return out;
}

}  // namespace rr
