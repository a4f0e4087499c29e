#pragma once
// The console target: a report as plain text, for people watching the
// service's stdout and for `runbook-responder triage --format text`.

#include <iosfwd>
#include <memory>
#include <string>

#include "notify/notifier.h"
#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// Plain text, one report: title, verdict, findings by severity with their
// evidence, each step's status, duration and trimmed output, suggestions,
// links, and a note when Alertmanager truncated the alerts. Every field is
// passed through sanitize_utf8, so hostile text cannot send terminal escapes.
std::string render_text(const Report& report);

// Writes render_text() to `out` (std::cout by default) followed by a blank
// line. Writes from every console notifier are serialised by one mutex, so
// reports from parallel workers never interleave. `out` must outlive it.
std::unique_ptr<Notifier> make_console_notifier(std::ostream* out = nullptr);

// `type: console`, no options: writes to stdout.
extern const TargetType kConsoleTarget;

}  // namespace rr
