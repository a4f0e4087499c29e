#pragma once
// Reading the small text files the service is configured with (rule files,
// the config file, secret files), with a size cap so a wrong path such as
// /dev/zero cannot exhaust memory.

#include <cstddef>
#include <string>

#include "common/result.h"

namespace rr {

// The whole content of a regular file of at most `max_bytes`. Errors name
// the path and the reason (strerror), never the content; `where` is empty.
Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes);

// `path` itself when absolute or when `base_dir` is empty, else base_dir/path.
std::string resolve_path(const std::string& base_dir, const std::string& path);

}  // namespace rr
