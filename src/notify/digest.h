#pragma once
// Digests the notifiers need: the paging targets' de-duplication keys are
// the SHA-256 of Alertmanager's groupKey, as Alertmanager's own PagerDuty
// integration does it.
//
// SHA-256 is written out here (FIPS 180-4) rather than taken from OpenSSL:
// cpp-httplib's pkg-config file names libcrypto only under Requires.private,
// so nothing puts libcrypto on the link line of the notify library, and the
// linker refuses a direct EVP_Digest call. A dozen lines of a well-known
// algorithm, checked against the standard's test vectors in digest_test.cpp,
// avoid a new link dependency.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rr {

// The 32-byte digest of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data);

// The same as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

}  // namespace rr
