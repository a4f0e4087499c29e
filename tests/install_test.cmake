# CTest's `install` test (CMakeLists.txt), run as
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DSKIP_MARKER=... -P this file
# `cmake --install` into a fresh prefix puts the binary, the shipped rules,
# the example config and the systemd unit and user where they belong; the
# installed binary finds its rules on built-in defaults from anywhere; the
# example config, with its secret files present, passes `check`; and
# `systemd-analyze verify` accepts the unit (systemd-analyze comes from
# scripts/setup: without it the test skips, or fails when run as root, as CI is).
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/script_support.cmake")

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
rr_run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

set(unit "${prefix}/lib/systemd/system/runbook-responder.service")
set(example "${prefix}/share/doc/runbook-responder/config.example.yaml")
foreach(f "${prefix}/bin/runbook-responder" "${unit}" "${example}" "${prefix}/lib/sysusers.d/runbook-responder.conf"
          "${prefix}/share/doc/runbook-responder/README.md")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# Exactly the shipped rules, unchanged.
file(GLOB shipped RELATIVE "${SOURCE_DIR}/rules" "${SOURCE_DIR}/rules/*.yaml")
file(GLOB installed RELATIVE "${prefix}/share/runbook-responder/rules" "${prefix}/share/runbook-responder/rules/*")
list(SORT shipped)
list(SORT installed)
if(NOT shipped STREQUAL installed)
  message(FATAL_ERROR "installed rules (${installed}) differ from rules/ (${shipped})")
endif()
foreach(f IN LISTS shipped)
  file(SHA256 "${SOURCE_DIR}/rules/${f}" a)
  file(SHA256 "${prefix}/share/runbook-responder/rules/${f}" b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "installed rules/${f} differs from the source")
  endif()
endforeach()

# The unit and the example name the prefix they were installed to.
file(READ "${unit}" unit_text)
if(NOT unit_text MATCHES "ExecStart=${prefix}/bin/runbook-responder serve --config /etc/runbook-responder/config.yaml")
  message(FATAL_ERROR "the unit's ExecStart does not run the installed binary:\n${unit_text}")
endif()
foreach(setting "ExecReload=/bin/kill -HUP \\$MAINPID" "StateDirectory=runbook-responder" "ProtectSystem=strict"
                "NoNewPrivileges=yes" "TimeoutStopSec=")
  if(NOT unit_text MATCHES "${setting}")
    message(FATAL_ERROR "the unit lacks ${setting}")
  endif()
endforeach()

# On built-in defaults, from a directory without rules/, the installed binary
# finds the installed rules.
rr_run("${prefix}/bin/runbook-responder" check CWD "${WORK_DIR}")

# The example, its /etc paths moved under WORK_DIR and its secrets present, is valid.
file(READ "${example}" text)
string(REPLACE "/etc/runbook-responder" "${WORK_DIR}/etc" text "${text}")
string(REPLACE "/var/lib/runbook-responder" "${WORK_DIR}/state" text "${text}")
file(WRITE "${WORK_DIR}/etc/config.yaml" "${text}")
file(WRITE "${WORK_DIR}/etc/secrets/webhook-token" "example-webhook-token\n")
file(WRITE "${WORK_DIR}/etc/secrets/read-token" "example-read-token\n")
file(WRITE "${WORK_DIR}/etc/secrets/nats-password" "example\n")
file(WRITE "${WORK_DIR}/etc/secrets/nats-sys-password" "example\n")
file(WRITE "${WORK_DIR}/etc/secrets/ssh-key" "not a key, only read when a step runs\n")
file(WRITE "${WORK_DIR}/etc/secrets/slack-url" "https://hooks.slack.com/services/T000/B000/XXXX\n")
file(WRITE "${WORK_DIR}/etc/secrets/pagerduty-key" "0123456789abcdef0123456789abcdef\n")
file(WRITE "${WORK_DIR}/etc/known_hosts" "")
rr_run("${prefix}/bin/runbook-responder" check --config "${WORK_DIR}/etc/config.yaml")

# systemd's own reading of the unit.
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(NOT SYSTEMD_ANALYZE)
  rr_require_tools("systemd-analyze (Debian package systemd)")
endif()
rr_run("${SYSTEMD_ANALYZE}" verify "${unit}")
