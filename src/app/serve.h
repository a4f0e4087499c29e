#pragma once
// `runbook-responder serve`: wires the HTTP server, the engine and the
// notifiers together and runs until SIGINT or SIGTERM.
//
// SIGHUP reloads the configuration and the rules from where they came from
// (`config_path`, or the built-in defaults): all of it is loaded and checked
// first, and a configuration with any error is refused, with every error
// logged, while the running one stays. An accepted one takes effect for the
// next notification a worker takes and for the next delivery; nothing queued
// or owed is dropped. The TLS certificate, key and client CA and the
// webhook rate limit are reloaded too (new connections get them). The listen
// address, whether TLS is on, authentication, the body limit, the state
// directory and the engine's workers and queue are fixed at start: a change
// to them is logged as waiting for a restart.

#include <optional>
#include <string>

#include "engine/triage.h"

namespace rr {

// Returns the process exit code.
int serve(const TriageContext& ctx, const std::optional<std::string>& config_path = std::nullopt);

}  // namespace rr
