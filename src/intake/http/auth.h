#pragma once
// Checks the Authorization header of a webhook POST against the configured
// credentials: `Bearer <token>` or `Basic base64(user:password)`, compared
// in constant time.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace rr {

// True when `auth` is disabled or `authorization` (the raw header value, ""
// when absent) carries a configured credential.
bool authorized(const AuthConfig& auth, std::string_view authorization);

// For reading reports: the webhook's credentials, or the read token. Open
// only when neither is configured (the listener is then loopback only).
bool authorized_to_read(const AuthConfig& auth, std::string_view authorization);

// The WWW-Authenticate challenges for a 401, one per configured scheme.
std::vector<std::string> auth_challenges(const AuthConfig& auth);

// Strict RFC 4648 base64 (padding optional); nullopt on any other character.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace rr
