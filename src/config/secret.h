#pragma once
// Reading one secret named in the config by `<key>_file` or `<key>_env`.
// Errors name the key and the path or variable, never the content.

#include <optional>
#include <string>

#include "rules/yaml_reader.h"

namespace rr {

// `fields` may hold `<key>_file` (a path, resolved against `base_dir`) or
// `<key>_env` (an environment variable name), not both; `<key>` itself too
// when `inline_allowed` (a value written in the file, e.g. a webhook URL).
// Reports problems to `r` and returns nullopt for them; `present` tells
// whether any of the keys was given at all.
struct SecretRead {
  std::optional<std::string> value;
  bool present = false;
};
SecretRead read_secret(yaml::Reader& r, const yaml::Fields& fields, const std::string& key,
                       const std::string& base_dir, bool inline_allowed = false);

}  // namespace rr
