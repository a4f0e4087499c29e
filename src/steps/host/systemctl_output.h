#pragma once
// A systemd unit's state from `systemctl status UNIT` output (systemd 247
// to 252 wording, any status glyph ●, ×, ○, ↻ or *): a pure function of the
// command's text, for a host step to call; judge/host_unit.h turns the facts
// into findings. systemctl's exit status (3 for inactive) is not needed: the
// text says it.
//
// Facts (unit_facts), the shape a step puts under facts["host_unit"]:
//   {"parsed": true,                  // an Active: line or "could not be found" was read
//    "unit": "nats.service", "description": "NATS Server",
//    "found": true,                   // false: "Unit x could not be found." / Loaded: not-found
//    "load_state": "loaded", "unit_file": "/lib/systemd/system/nats.service",
//    "enabled": "enabled",
//    "active_state": "failed",        // active, inactive, failed, activating, deactivating, reloading
//    "sub_state": "running",          // the first (...) after it: running, dead, auto-restart, exited...
//    "result": "exit-code",           // "(Result: ...)", else ""
//    "since": "Mon 2026-11-23 00:31:02 UTC", "ago": "5s ago",   // "" when not printed
//    "main_pid": 1234,                // absent when not printed
//    "main_process": "nats-server",   // or ""
//    "exit": "code=exited, status=1/FAILURE",   // Main PID's exit, or ""
//    "log_lines": ["Nov 23 00:31:02 n1 systemd[1]: nats.service: Failed with result 'exit-code'."]}
//    // the journal tail systemctl prints, redacted, at most kMaxUnitLogLines

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rr::host {

inline constexpr std::size_t kMaxUnitLogLines = 20;

nlohmann::json unit_facts(std::string_view systemctl_output);

}  // namespace rr::host
