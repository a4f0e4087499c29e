#pragma once
// `runbook-responder serve`: wires the HTTP server, the engine and the
// notifiers together and runs until SIGINT or SIGTERM.

#include "engine/triage.h"

namespace rr {

// Returns the process exit code.
int serve(const TriageContext& ctx);

}  // namespace rr
