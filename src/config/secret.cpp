#include "config/secret.h"

#include <algorithm>
#include <cstdlib>

#include "common/file.h"

namespace rr {

namespace {

constexpr std::size_t kMaxSecretBytes = 64 * 1024;

bool valid_env_name(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Secrets go into HTTP headers and NATS CONNECT lines: no control bytes.
bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

SecretRead read_secret(yaml::Reader& r, const yaml::Fields& fields, const std::string& key,
                       const std::string& base_dir, bool inline_allowed) {
  const std::string file_key = key + "_file", env_key = key + "_env";
  const YAML::Node* in_file = fields.find(file_key);
  const YAML::Node* in_env = fields.find(env_key);
  const YAML::Node* inline_value = inline_allowed ? fields.find(key) : nullptr;
  SecretRead out;
  int given = (in_file != nullptr) + (in_env != nullptr) + (inline_value != nullptr);
  out.present = given > 0;
  if (given > 1) {
    std::string keys = inline_allowed ? key + ", " + file_key + " or " + env_key : file_key + " or " + env_key;
    r.error(fields.node(), "set only one of " + keys);
    return out;
  }
  std::string value;
  const YAML::Node* at = nullptr;
  std::string source;  // for messages: never the value
  if (inline_value) {
    auto v = yaml::string_value(r, *inline_value, key);
    if (!v) return out;
    at = inline_value;
    value = *v;
    source = key;
  } else if (in_file) {
    auto path = yaml::string_value(r, *in_file, file_key);
    if (!path) return out;
    at = in_file;
    std::string resolved = resolve_path(base_dir, *path);
    source = file_key + " " + resolved;
    auto text = read_text_file(resolved, kMaxSecretBytes);
    if (!text) {
      r.error(*at, file_key + ": " + text.error().message);
      return out;
    }
    value = trim_newlines(std::move(*text));
  } else if (in_env) {
    auto name = yaml::string_value(r, *in_env, env_key);
    if (!name) return out;
    at = in_env;
    if (!valid_env_name(*name)) {
      r.error(*at, env_key + " must name an environment variable ([A-Za-z_][A-Za-z0-9_]*)");
      return out;
    }
    source = env_key + " " + *name;
    const char* env = std::getenv(name->c_str());
    value = trim_newlines(env ? env : "");
  } else {
    return out;
  }
  if (value.empty()) {
    r.error(*at, source + (in_env ? ": the variable is unset or empty" : ": the secret is empty"));
    return out;
  }
  if (has_control(value)) {
    r.error(*at, source + ": the secret contains control characters");
    return out;
  }
  out.value = std::move(value);
  return out;
}

}  // namespace rr
