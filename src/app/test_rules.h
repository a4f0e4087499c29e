#pragma once
// `runbook-responder test-rules FILE...`: unit tests for rule files, in the
// spirit of `promtool test rules`. Each test sends one Alertmanager group
// through the real triage (rule matching, parameter checks, the shipped
// judges, suggestion filling, redaction) with every step's result canned by
// the test instead of read from live systems.
//
// A test file (YAML; unknown keys are errors, reported as file:line):
//
//   rule_files: [../cim-events.yaml]   # required; relative to this file; globs
//   config: {...}                      # optional: responder config keys
//                                      #   (thresholds, clusters, hosts, ssh...),
//                                      #   checked as `check` does; not `rules`
//   tests:                             # required, at least one
//     - name: TEXT                     # required, unique in the file
//       alerts:                        # required: one group, at least one alert
//         - labels: {alertname: X}     # required
//           annotations: {...}         # optional
//           status: firing             # firing (default) | resolved
//       steps:                         # optional: canned results by step id
//                                      #   (as the report names it: a step
//                                      #   repeated with other parameters for
//                                      #   a second alert is ID-2)
//         ID:
//           status: ok                 # ok (default) | failed | timeout | skipped
//           summary: TEXT              # optional
//           output: TEXT               # optional
//           facts: {...}               # optional: the kind's facts (see its
//                                      #   header in src/steps/); unquoted
//                                      #   JSON numbers, true, false and null
//                                      #   are read as such, all else as strings
//       expect:                        # required, at least one entry
//         rule: NAME                   # the matched rule; "" for none
//         findings:                    # each must be present
//           - code: nats.server_down   # required
//             severity: critical       # critical | warning | info | ok
//             values: {server: n3}     # a subset of the finding's values
//             title_contains: TEXT
//         absent_findings: [CODE...]
//         suggestions:                 # each must be present
//           - command: TEXT            # required, exact
//             risk: medium             # read-only | low | medium | high
//             why_contains: TEXT
//         absent_suggestions: [COMMAND...]   # exact
//         verdict_contains: TEXT
//
// Steps are checked against the shipped step kinds (and the config's
// commands), exactly as in production. A step the test gives no result for
// is skipped ("no canned result in the test"); a canned result for a step
// that did not run (unknown id, or refused) fails the test. Without
// `clusters` in its config a test gets one cluster "test" matching every
// alert and configuring no server, so the servers the judges see are those
// of the canned facts. Times in facts are compared with the real clock
// (consumer_stale): leave them out unless the test is about them.

#include <iosfwd>
#include <string>
#include <vector>

namespace rr {

// Runs every test of `files`. Prints "PASS name" or "FAIL name (file:line)"
// with each failed expectation indented below it, then a summary, to `out`;
// problems loading a file ("file:line: message") to `err`. Returns 0 when
// every test passed, 1 when one failed, 2 when a file could not be loaded.
int run_rule_tests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

}  // namespace rr
