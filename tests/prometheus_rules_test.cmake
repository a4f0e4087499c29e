# CTest's `prometheus-rules` test (CMakeLists.txt), run as
#   cmake -DSOURCE_DIR=... -DPROMTOOL=... -DAMTOOL=... -DSKIP_MARKER=... -P this file
# alertmanager/prometheus-rules.yml passes `promtool check rules` and its unit
# tests (`promtool test rules alertmanager/prometheus-rules.test.yml`); every
# alert it defines is routed to the responder by alertmanager/alertmanager.yml
# (`amtool config routes test`) and matched by name in a shipped rule file.
#
# promtool (Debian package prometheus) and amtool (prometheus-alertmanager)
# come from scripts/setup. Without one, the test prints SKIP_MARKER (CTest
# reports a skip, not a pass); as root, which CI is, it fails instead.
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/script_support.cmake")

set(rules "${SOURCE_DIR}/alertmanager/prometheus-rules.yml")
set(tests "${SOURCE_DIR}/alertmanager/prometheus-rules.test.yml")
set(am_config "${SOURCE_DIR}/alertmanager/alertmanager.yml")

# Found when CMake configured; looked for again in case it was installed since.
if(NOT PROMTOOL OR PROMTOOL MATCHES "-NOTFOUND$")
  find_program(PROMTOOL promtool)
endif()
if(NOT AMTOOL OR AMTOOL MATCHES "-NOTFOUND$")
  find_program(AMTOOL amtool)
endif()
set(missing)
if(NOT PROMTOOL)
  list(APPEND missing "promtool (Debian package prometheus)")
endif()
if(NOT AMTOOL)
  list(APPEND missing "amtool (Debian package prometheus-alertmanager)")
endif()
list(JOIN missing " and " what)
rr_require_tools("${what}")

rr_run("${PROMTOOL}" check rules "${rules}")
rr_run("${PROMTOOL}" test rules "${tests}")

# The alert names the rules define.
file(STRINGS "${rules}" alert_lines REGEX "^[ \t]*-[ \t]+alert:[ \t]*[A-Za-z_][A-Za-z0-9_]*")
set(alerts)
foreach(line IN LISTS alert_lines)
  string(REGEX REPLACE "^[ \t]*-[ \t]+alert:[ \t]*([A-Za-z_][A-Za-z0-9_]*).*$" "\\1" name "${line}")
  list(APPEND alerts "${name}")
endforeach()
list(REMOVE_DUPLICATES alerts)
if(NOT alerts)
  message(FATAL_ERROR "no alert found in ${rules}")
endif()

file(GLOB rule_files "${SOURCE_DIR}/rules/*.yaml")
set(shipped "")
foreach(f IN LISTS rule_files)
  file(READ "${f}" text)
  string(APPEND shipped "${text}\n")
endforeach()

foreach(name IN LISTS alerts)
  rr_run("${AMTOOL}" config routes test "--config.file=${am_config}" --verify.receivers=runbook-responder
      "alertname=${name}")
  # An equality matcher in a rule's match: `{alertname: NAME}` or `alertname: NAME`.
  if(NOT shipped MATCHES "alertname: ${name}[ ,}\r\n]")
    message(FATAL_ERROR "alert ${name} of ${rules}: no rule in rules/*.yaml matches `alertname: ${name}`")
  endif()
  message(STATUS "${name}: routed to runbook-responder, matched in rules/*.yaml")
endforeach()
