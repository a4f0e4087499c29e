# CTest's `helm-chart` and `helm-chart-config` tests (CMakeLists.txt), run as
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DGO=... -DPYTHON3=... -DYAMLLINT=...
#         -DSKIP_MARKER=... [-DRESPONDER=path/to/runbook-responder] -P this file
#
# No `helm` binary is installable here, so tests/helm/render (Go, text/template
# and sprig, as Helm renders) stands in for `helm template`. It is built into
# WORK_DIR, never into the source tree.
#
# helm-chart (no RESPONDER): helm/runbook-responder renders with its default
# values and with tests/helm/values-full.yaml (everything enabled),
# values-existing-claim.yaml and values-ephemeral.yaml, in strict mode (a
# missing key is an error); tests/helm/check_chart.py checks every manifest
# (kinds, security settings, probes, arguments, the config and rules mounted,
# every secret file the config names mounted from a Secret, the state volume,
# ServiceMonitor, PodDisruptionBudget and NetworkPolicy only when enabled);
# rendering is deterministic and the checksum annotation follows the config;
# each tests/helm/invalid/*.yaml is refused with the message its first line
# names (`# expect: ...`); the chart's copy of the rules equals rules/; and
# yamllint (tests/helm/yamllint.yaml) passes the rendered manifests and the
# values files.
#
# helm-chart-config (RESPONDER set): the config.yaml and rule files the chart
# writes, default and full, pass `runbook-responder check` (paths in the pod
# moved under WORK_DIR, stand-ins for the secrets).
#
# go, the sprig and yaml Go sources, python3 with PyYAML and yamllint come from
# scripts/setup (golang-go, golang-github-masterminds-sprig-dev,
# golang-gopkg-yaml.v2-dev, golang-gopkg-yaml.v3-dev, python3-yaml, yamllint).
# Without one, the test prints SKIP_MARKER (CTest reports a skip, not a pass);
# as root, which CI is, it fails instead.
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/script_support.cmake")

set(chart "${SOURCE_DIR}/helm/runbook-responder")
set(tests "${SOURCE_DIR}/tests/helm")
set(gocode /usr/share/gocode)

# Found when CMake configured; looked for again in case it was installed since.
foreach(tool GO PYTHON3 YAMLLINT)
  if(NOT ${tool} OR ${tool} MATCHES "-NOTFOUND$")
    string(TOLOWER "${tool}" name)
    unset(${tool})
    find_program(${tool} ${name})
  endif()
endforeach()
set(missing)
if(NOT GO)
  list(APPEND missing "go (Debian package golang-go)")
endif()
foreach(pkg "github.com/Masterminds/sprig:golang-github-masterminds-sprig-dev"
            "gopkg.in/yaml.v2:golang-gopkg-yaml.v2-dev" "gopkg.in/yaml.v3:golang-gopkg-yaml.v3-dev")
  string(REPLACE ":" ";" pkg "${pkg}")
  list(GET pkg 0 import)
  list(GET pkg 1 deb)
  if(NOT EXISTS "${gocode}/src/${import}")
    list(APPEND missing "${gocode}/src/${import} (Debian package ${deb})")
  endif()
endforeach()
if(PYTHON3)
  execute_process(COMMAND "${PYTHON3}" -c "import yaml" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    list(APPEND missing "PyYAML for ${PYTHON3} (Debian package python3-yaml)")
  endif()
else()
  list(APPEND missing "python3 (Debian package python3-yaml)")
endif()
if(NOT YAMLLINT)
  list(APPEND missing "yamllint (Debian package yamllint)")
endif()
if(DEFINED RESPONDER AND NOT EXISTS "${RESPONDER}")
  # Like the other tests that run the binary: build first.
  message(FATAL_ERROR "${RESPONDER} does not exist: build the runbook-responder target first")
endif()
list(JOIN missing ", " what)
rr_require_tools("${what}")

# The renderer, built offline from Debian's Go sources (GOPATH mode).
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
get_filename_component(gocache "${WORK_DIR}/../helm-gocache" ABSOLUTE)
set(render "${WORK_DIR}/helm-render")
rr_run("${CMAKE_COMMAND}" -E env GO111MODULE=off GOPATH=${gocode} GOCACHE=${gocache} GOENV=off GOFLAGS=
    GOPROXY=off CGO_ENABLED=0
    "${GO}" build -o "${render}" "${tests}/render/main.go")

# Renders: SCENARIO -> rendered file.
function(render name)
  rr_run("${render}" -chart "${chart}" -strict -o "${WORK_DIR}/${name}.yaml" ${ARGN})
endfunction()
render(default -notes "${WORK_DIR}/NOTES.txt")
render(full -f "${tests}/values-full.yaml" -release prod -namespace ops)

if(DEFINED RESPONDER)
  foreach(scenario default full)
    rr_run("${PYTHON3}" "${tests}/check_chart.py" config "${WORK_DIR}/${scenario}.yaml"
        --responder "${RESPONDER}" --work "${WORK_DIR}/config-${scenario}")
  endforeach()
  return()
endif()

render(existing-claim -f "${tests}/values-existing-claim.yaml")
render(ephemeral -f "${tests}/values-ephemeral.yaml")
foreach(scenario default full existing-claim ephemeral)
  rr_run("${PYTHON3}" "${tests}/check_chart.py" manifests ${scenario} "${WORK_DIR}/${scenario}.yaml"
      --source-dir "${SOURCE_DIR}")
endforeach()

# NOTES.txt renders and tells where Alertmanager posts.
file(READ "${WORK_DIR}/NOTES.txt" notes)
if(NOT notes MATCHES "url: http://release-name-runbook-responder\\.default\\.svc:9095/webhook")
  message(FATAL_ERROR "NOTES.txt does not give the webhook URL:\n${notes}")
endif()

# Deterministic, and the checksum annotation follows the ConfigMap: the same
# for a change elsewhere (the claim), different for a config change.
render(default-again)
rr_run("${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/default.yaml" "${WORK_DIR}/default-again.yaml")
file(WRITE "${WORK_DIR}/values-workers.yaml" "config:\n  settings:\n    engine: {workers: 3}\n")
render(workers -f "${WORK_DIR}/values-workers.yaml")
function(checksum name out)
  file(STRINGS "${WORK_DIR}/${name}.yaml" line REGEX "checksum/config: ")
  list(LENGTH line n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "${name}: ${n} checksum/config annotations, expected 1")
  endif()
  string(REGEX REPLACE ".*checksum/config: *" "" line "${line}")
  set(${out} "${line}" PARENT_SCOPE)
endfunction()
checksum(default sum_default)
checksum(existing-claim sum_claim)
checksum(workers sum_workers)
if(NOT sum_default STREQUAL sum_claim)
  message(FATAL_ERROR "checksum/config changed although the ConfigMap did not (existing claim)")
endif()
if(sum_default STREQUAL sum_workers)
  message(FATAL_ERROR "checksum/config did not change with the config (engine.workers): pods would not roll")
endif()

# Values the chart must refuse, each with its message.
file(GLOB invalid "${tests}/invalid/*.yaml")
if(NOT invalid)
  message(FATAL_ERROR "no ${tests}/invalid/*.yaml")
endif()
foreach(f IN LISTS invalid)
  file(STRINGS "${f}" first LIMIT_COUNT 1)
  if(NOT first MATCHES "^# expect: (.+)$")
    message(FATAL_ERROR "${f}: the first line must be `# expect: <part of the error message>`")
  endif()
  set(expect "${CMAKE_MATCH_1}")
  execute_process(COMMAND "${render}" -chart "${chart}" -strict -f "${f}" -o "${WORK_DIR}/invalid.yaml"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(FIND "${out}" "${expect}" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "${f}: expected a refusal saying \"${expect}\", got (exit ${rc}):\n${out}")
  endif()
  message(STATUS "refused as expected: ${f}")
endforeach()

# The chart's copy of the shipped rules (.Files.Get reads them) equals rules/.
file(GLOB shipped RELATIVE "${SOURCE_DIR}/rules" "${SOURCE_DIR}/rules/*.yaml")
file(GLOB copies RELATIVE "${chart}/rules" "${chart}/rules/*")
list(SORT shipped)
list(SORT copies)
if(NOT shipped OR NOT shipped STREQUAL copies)
  message(FATAL_ERROR "helm/runbook-responder/rules/ holds [${copies}], rules/ holds [${shipped}]: "
                      "copy them again: cp rules/*.yaml helm/runbook-responder/rules/")
endif()
foreach(f IN LISTS shipped)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${SOURCE_DIR}/rules/${f}" "${chart}/rules/${f}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "helm/runbook-responder/rules/${f} differs from rules/${f}: "
                        "copy it again: cp rules/*.yaml helm/runbook-responder/rules/")
  endif()
endforeach()

# yamllint, relaxed for toYaml's style (tests/helm/yamllint.yaml).
file(GLOB values_files "${tests}/*.yaml" "${tests}/invalid/*.yaml")
set(rendered)
foreach(scenario default full existing-claim ephemeral)
  list(APPEND rendered "${WORK_DIR}/${scenario}.yaml")
endforeach()
rr_run("${YAMLLINT}" --strict -f parsable -c "${tests}/yamllint.yaml" ${rendered}
    "${chart}/values.yaml" "${chart}/Chart.yaml" ${values_files})

message(STATUS "helm chart: ok")
