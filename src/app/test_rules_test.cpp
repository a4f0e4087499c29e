// `test-rules`: a passing test passes, every kind of failed expectation is
// reported with what was there (exit 1), and a malformed file names its
// file and line (exit 2).

#include <catch2/catch.hpp>

#include <sstream>

#include "app/test_rules.h"
#include "support/process.h"

namespace rr {
namespace {

using test::TempDir;
using test::write_file;

constexpr const char* kRule = R"(rules:
  - name: stream-full
    match: {alertname: StreamFull}
    steps:
      - id: stream
        kind: nats.stream_info
        with: {stream: "{{ labels.stream }}"}
    suggest:
      - command: "nats stream purge {{ finding.stream | name }} --keep=10"
        why: "Frees the stream; moves the consumers' ack floors"
        risk: high
        when: nats.stream_full_rejecting
)";

// A stream at max_msgs with discard new, as nats.stream_info reports it.
constexpr const char* kFullStream = R"(
    steps:
      stream:
        summary: "ORDERS: 100 messages"
        facts:
          reachable: true
          stream: ORDERS
          found: true
          config: {name: ORDERS, discard: new, max_msgs: 100, max_bytes: -1, num_replicas: 1}
          state: {messages: 100, bytes: 5000, last_seq: 100}
)";

struct Outcome {
  int code;
  std::string out, err;
};

Outcome run_tests(const std::vector<std::string>& files) {
  std::ostringstream out, err;
  int code = run_rule_tests(files, out, err);
  return {code, out.str(), err.str()};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("test-rules: expectations that hold pass, through the real judges and suggestions") {
  TempDir dir;
  write_file(dir / "rules.yaml", kRule);
  write_file(dir / "t.test.yaml", std::string(R"(rule_files: [rules.yaml]
tests:
  - name: a full stream
    alerts:
      - labels: {alertname: StreamFull, stream: ORDERS}
)") + kFullStream + R"(
    expect:
      rule: stream-full
      findings:
        - {code: nats.stream_full_rejecting, severity: critical, values: {stream: ORDERS}, title_contains: rejects}
      absent_findings: [nats.consumer_backlog]
      suggestions:
        - {command: "nats stream purge ORDERS --keep=10", risk: high, why_contains: ack floors}
      absent_suggestions: ["nats stream purge ORDERS --keep=11"]
      verdict_contains: "Stream ORDERS is full"
  - name: quoted numbers are strings, which the judges do not count
    alerts:
      - labels: {alertname: StreamFull, stream: ORDERS}
    steps:
      stream:
        facts: {reachable: true, stream: ORDERS, found: true, config: {discard: new, max_msgs: "100"}, state: {messages: "100"}}
    expect:
      absent_findings: [nats.stream_full_rejecting]
  - name: a step without a canned result is skipped
    alerts:
      - labels: {alertname: StreamFull, stream: ORDERS}
    expect:
      verdict_contains: "no canned result in the test"
  - name: canned text is redacted like a real step's
    alerts:
      - labels: {alertname: StreamFull, stream: ORDERS}
    steps:
      stream:
        facts: {reachable: true, stream: ORDERS, found: false, error: "nats://app:hunter2@10.0.0.1:4222 said no", js_error_code: 10100}
    expect:
      findings:
        - {code: nats.jetstream_error, title_contains: "app:[REDACTED]@10.0.0.1"}
  - name: an alert no rule handles
    alerts:
      - labels: {alertname: Other}
    expect:
      rule: ""
      findings: [{code: responder.no_rule}]
)");
  auto r = run_tests({(dir / "t.test.yaml").string()});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(has(r.out, "PASS a full stream\n"));
  CHECK(has(r.out, "5 passed, 0 failed\n"));
  CHECK(r.err.empty());
}

TEST_CASE("test-rules: each failed expectation says what was expected and what was there") {
  TempDir dir;
  write_file(dir / "rules.yaml", kRule);
  const std::string file = (dir / "t.test.yaml").string();
  write_file(file, std::string(R"(rule_files: [rules.yaml]
tests:
  - name: passes
    alerts: [{labels: {alertname: StreamFull, stream: ORDERS}}]
)") + kFullStream + R"(
    expect: {findings: [{code: nats.stream_full_rejecting}]}
  - name: wrong about everything
    alerts: [{labels: {alertname: StreamFull, stream: ORDERS}}]
)" + kFullStream + R"(
      strem: {facts: {}}
    expect:
      rule: other-rule
      findings:
        - {code: nats.consumer_backlog}
        - {code: nats.stream_full_rejecting, severity: warning}
      absent_findings: [nats.stream_full_rejecting]
      suggestions:
        - {command: "nats stream purge ORDERS --keep=99"}
        - {command: "nats stream purge ORDERS --keep=10", risk: low, why_contains: "replay"}
      absent_suggestions: ["nats stream purge ORDERS --keep=10"]
      verdict_contains: "all is well"
)");
  auto r = run_tests({file});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(has(r.out, "PASS passes\n"));
  CHECK(has(r.out, "FAIL wrong about everything (" + file + ":17)\n"));
  CHECK(has(r.out, "  steps.strem: no step of the matched rule has this id (steps: stream)\n"));
  CHECK(has(r.out, "  rule: expected \"other-rule\", matched \"stream-full\"\n"));
  CHECK(has(r.out, "  finding nats.consumer_backlog: missing; findings present: nats.stream_full_rejecting, "));
  CHECK(has(r.out, "  finding nats.stream_full_rejecting (severity warning): none matches\n"
                   "    present: critical nats.stream_full_rejecting: \"Stream ORDERS is full"));
  CHECK(has(r.out, "  finding nats.stream_full_rejecting: present, expected absent: critical"));
  CHECK(has(r.out, "  suggestion \"nats stream purge ORDERS --keep=99\": missing; suggested:\n"
                   "    \"nats stream purge ORDERS --keep=10\"\n"));
  CHECK(has(r.out, "  suggestion \"nats stream purge ORDERS --keep=10\": risk high, expected low\n"));
  CHECK(has(r.out, "  suggestion \"nats stream purge ORDERS --keep=10\": why does not contain \"replay\""));
  CHECK(has(r.out, "  suggestion \"nats stream purge ORDERS --keep=10\": suggested, expected absent\n"));
  CHECK(has(r.out, "  verdict: expected to contain \"all is well\"; it is \"Stream ORDERS is full"));
  CHECK(has(r.out, "1 passed, 1 failed\n"));
}

TEST_CASE("test-rules: a canned result for a refused step is reported, not silently ignored") {
  TempDir dir;
  write_file(dir / "rules.yaml", kRule);
  write_file(dir / "t.test.yaml", std::string(R"(rule_files: [rules.yaml]
tests:
  - name: hostile label
    alerts: [{labels: {alertname: StreamFull, stream: "a;b"}}]
)") + kFullStream + R"(
    expect: {rule: stream-full}
)");
  auto r = run_tests({(dir / "t.test.yaml").string()});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(has(r.out, "  steps.stream: the canned result was not used: skipped: parameter stream refused"));
}

TEST_CASE("test-rules: a file that cannot be loaded gives exit 2 with file:line, and the others still run") {
  TempDir dir;
  write_file(dir / "rules.yaml", kRule);
  const std::string good = (dir / "good.test.yaml").string();
  write_file(good, R"(rule_files: [rules.yaml]
tests:
  - name: no rule
    alerts: [{labels: {alertname: Other}}]
    expect: {rule: ""}
)");
  const std::string bad = (dir / "bad.test.yaml").string();
  write_file(bad, R"(rule_files: [rules.yaml, missing-*.yaml]
config:
  thresholds:
    consumer_pending: -1
tests:
  - name: typo
    alerts: [{labels: {alertname: StreamFull}, state: firing}]
    steps:
      stream: {status: fine}
    expct: {rule: stream-full}
)");
  auto r = run_tests({bad, good});
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(has(r.err, bad + ":4: "));  // the config loader's error, at this file's line
  CHECK(has(r.err, "missing-*.yaml\" matches no file"));
  CHECK(has(r.err, bad + ":7: unknown key \"state\" in an alert"));
  CHECK(has(r.err, bad + ":9: steps.stream.status must be one of ok, failed, timeout, skipped"));
  CHECK(has(r.err, bad + ":10: unknown key \"expct\" in a test"));
  CHECK(has(r.out, "PASS no rule\n"));
  CHECK(has(r.out, "1 passed, 0 failed, 1 file could not be loaded\n"));

  write_file(bad, "rule_files: [rules.yaml]\ntests:\n  - name: t\n    alerts: [{labels: {alertname: A}}]\n    expect: {}\n");
  r = run_tests({bad});
  CHECK(r.code == 2);
  CHECK(has(r.err, bad + ":5: expect needs at least one expectation"));

  r = run_tests({(dir / "absent.test.yaml").string()});
  CHECK(r.code == 2);
  CHECK(has(r.err, "absent.test.yaml"));
}

}  // namespace rr
