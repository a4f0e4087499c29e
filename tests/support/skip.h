#pragma once
// Tests that need what only some machines give (sshd's privilege separation
// directory, network namespaces: root) skip where they cannot run, and CTest
// reports them as skipped, not passed. Such a test prints RR_SKIP_MARKER
// (defined once, in CMakeLists.txt), which every test's
// SKIP_REGULAR_EXPRESSION matches. As root, which CI is, the missing facility
// is a failure instead: there every test must run.

#include <unistd.h>

#include <iostream>

#include <catch2/catch.hpp>

// In a TEST_CASE: unless `available`, fail as root, else report a skip
// saying `why` and return.
#define RR_REQUIRE_OR_SKIP(available, why)                            \
  do {                                                                \
    if (!(available)) {                                               \
      if (::geteuid() == 0) FAIL("running as root, so this must run: " << (why)); \
      std::cout << RR_SKIP_MARKER ": " << (why) << std::endl;         \
      return;                                                         \
    }                                                                 \
  } while (false)
