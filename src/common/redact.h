#pragma once
// Redaction of credentials in text that leaves the process (command output,
// log lines, server replies) before it is stored or sent anywhere. Every
// credential found is replaced by kRedacted; the rest of the text is kept
// byte for byte.
//
// Built in, case-insensitive where words are involved:
//   - Authorization / Proxy-Authorization / Cookie / Set-Cookie header
//     values to the end of the line (the scheme word Bearer, Basic... kept);
//   - key/value pairs whose key names a secret (password, passwd, pass, pwd,
//     secret, token, apikey/api_key, credential, signature, private_key,
//     access_key, seed...): `k=v`, `k: v`, `"k": "v"`, `--k v`;
//   - passwords in URLs (scheme://user:PASSWORD@host), and the bare token of
//     nats://TOKEN@host (NATS token auth);
//   - NATS nkey seeds (S + one of UOANCAP, base32, 58 characters);
//   - PEM / creds blocks: the body between "-----BEGIN X-----" and
//     "-----END X-----" when X names a PRIVATE KEY, SEED, JWT or SECRET
//     (to the end of the text when the END line is missing);
//   - JWTs (eyJ....eyJ....sig), GitHub (ghp_, gho_, ghu_, ghs_, ghr_,
//     github_pat_), Slack (xoxb-, xoxp-...), GitLab (glpat-) tokens and AWS
//     access key ids (AKIA..., ASIA...);
//   - webhook URLs' secret paths (hooks.slack.com/services/...,
//     discord.com/api/webhooks/...);
//   - long token-like runs (>= 20 characters of [A-Za-z0-9+/=_.-] with a
//     digit) right after the words bearer, token, key, secret, password.
// Linear in the input (bounded look-back per separator); no std::regex.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rr {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// The built-in rules plus extra POSIX extended regular expressions (from the
// config), compiled once. An extra pattern matches within one line (. and
// [^x] do not cross a newline); when it has a parenthesised group, only the
// first group's text is replaced, otherwise the whole match.
class Redactor {
 public:
  // Fails naming the first pattern that does not compile (or holds a NUL).
  static Result<Redactor> make(const std::vector<std::string>& extra_patterns = {});
  std::string apply(std::string_view text) const;

 private:
  class Pattern;
  std::vector<std::shared_ptr<const Pattern>> extra_;
};

// One-shot form of Redactor::make(extra_patterns).apply(text). An extra
// pattern that does not compile fails closed: the whole text becomes
// "[REDACTED: invalid redaction pattern]". Validate config patterns with
// Redactor::make instead of relying on this.
std::string redact(std::string_view text, const std::vector<std::string>& extra_patterns = {});

}  // namespace rr
