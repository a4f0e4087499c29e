#pragma once
// Log set-up: spdlog to stderr, as text or as JSON lines. Reports go to
// stdout (console target), logs never do.

#include <string>

#include "common/result.h"

namespace rr {

// format: "text" or "json"; level: trace, debug, info, warn, error, off.
Result<bool> setup_logging(const std::string& format, const std::string& level);

}  // namespace rr
