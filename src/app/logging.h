#pragma once
// Log set-up: spdlog to stderr, as text or as JSON lines. Reports go to
// stdout (console target), logs never do. Every message goes through the
// redactor (built-in rules until set_log_redactor) and is made one safe
// line: in text, control characters are escaped (common/text.h log_safe);
// in JSON, the message is a JSON string. So a label, a parse error or a
// server reply can neither forge a log line nor leak a credential.

#include <string>

#include "common/redact.h"
#include "common/result.h"

namespace rr {

// format: "text" or "json"; level: trace, debug, info, warn, error, off.
Result<bool> setup_logging(const std::string& format, const std::string& level);

// From now on, log messages are redacted with `redactor` (the config's:
// built-in rules plus its `redact` patterns).
void set_log_redactor(const Redactor& redactor);

}  // namespace rr
