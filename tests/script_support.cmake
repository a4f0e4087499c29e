# What the CMake-script tests (prometheus_rules_test.cmake, helm_test.cmake,
# install_test.cmake) share.
#
# rr_require_tools(<what is missing, in words>): with nothing missing, does
# nothing. Otherwise the test stops: run as root, which CI is (scripts/setup
# installs every tool there), it fails; run by another user, it prints
# SKIP_MARKER so that CTest reports it skipped, not passed. A macro, so that
# its return() ends the calling script.
macro(rr_require_tools what)
  if(NOT "${what}" STREQUAL "")
    # This process's user (an unknown one counts as root: better fail than skip).
    set(rr_uid "")
    if(EXISTS /proc/self/status)
      file(STRINGS /proc/self/status rr_uid_line REGEX "^Uid:")
      if(rr_uid_line MATCHES "^Uid:[ \t]+([0-9]+)")
        set(rr_uid "${CMAKE_MATCH_1}")
      endif()
    endif()
    if(NOT rr_uid MATCHES "^[0-9]+$" OR rr_uid STREQUAL "0")
      message(FATAL_ERROR "not found: ${what}. scripts/setup installs it. Running as root, so this test must run.")
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E echo "${SKIP_MARKER}: not found: ${what} (scripts/setup installs it)")
    return()
  endif()
endmacro()

# rr_run([CWD <dir>] <command> <args>...): runs the command (no shell), shows
# it and what it printed, and fails the test when it exits non-zero.
function(rr_run)
  cmake_parse_arguments(R "" "CWD" "" ${ARGN})
  string(REPLACE ";" " " shown "${R_UNPARSED_ARGUMENTS}")
  message(STATUS "${shown}")
  set(cwd)
  if(R_CWD)
    set(cwd WORKING_DIRECTORY "${R_CWD}")
  endif()
  execute_process(COMMAND ${R_UNPARSED_ARGUMENTS} ${cwd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(out)
    message(STATUS "${out}")
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${shown}")
  endif()
endfunction()
