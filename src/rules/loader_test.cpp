#include <catch2/catch.hpp>

#include "rules/rule.h"
#include "support/process.h"

namespace rr {
namespace {

StepCatalog catalog() {
  StepCatalog c;
  c.kinds["nats.health"] = {};
  c.kinds["nats.stream_info"] = {{"stream", {ValueType::Name, true}}};
  c.kinds["nats.consumer_info"] = {{"stream", {ValueType::Name, true}}, {"consumer", {ValueType::Name, true}}};
  c.kinds["test.window"] = {{"since", {ValueType::Duration, false}}, {"limit", {ValueType::Integer, false}}};
  return c;
}

const char* kGood = R"Y(rules:
  - name: event-stream-disconnected
    description: "Single node failure (runbook 000, section 1)"
    match:
      alertname: EventStreamDisconnected
      matchers: ['severity=~"critical|warning"']
    steps:
      - {id: health, kind: nats.health}
      - id: stream
        kind: nats.stream_info
        with: {stream: "{{ labels.stream | default CIM-EVENTS }}"}
        timeout: 3s
      - id: window
        kind: test.window
        with: {limit: 10}
    suggest:
      - command: "ssh root@{{ finding.host | host }} systemctl status nats"
        why: "See why the node stopped"
        risk: read-only
        when: nats.server_down
      - command: "nats stream info {{ labels.stream | name | default CIM-EVENTS }} --context {{ cluster.name }}"
        why: "Look at the stream"
        risk: low
  - name: catch-titan
    match: {alertname: nats_lag_messages}
)Y";

Alert alert(LabelSet labels) {
  Alert a;
  a.status = "firing";
  a.labels = std::move(labels);
  return a;
}

// Every error's text, for matching in assertions.
std::string all_errors(const RuleLoad& load) {
  std::string out;
  for (const auto& e : load.errors) out += e.to_string() + "\n";
  return out;
}

// Loads `yaml` expecting errors; returns them as "where: message" lines.
std::vector<std::string> errors_of(const std::string& yaml) {
  RuleLoad load = load_rules_text(yaml, "r.yaml", catalog());
  std::vector<std::string> out;
  for (const auto& e : load.errors) out.push_back(e.to_string());
  return out;
}

// True when exactly one error was reported, at `line`, containing `text`.
void expect_one_error(const std::string& yaml, int line, const std::string& text) {
  auto errors = errors_of(yaml);
  INFO(yaml);
  REQUIRE(errors.size() == 1);
  INFO(errors[0]);
  CHECK(errors[0].rfind("r.yaml:" + std::to_string(line) + ": ", 0) == 0);
  CHECK(errors[0].find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("a good rule file loads completely") {
  RuleLoad load = load_rules_text(kGood, "good.yaml", catalog());
  INFO(all_errors(load));
  REQUIRE(load.errors.empty());
  REQUIRE(load.rules.rules().size() == 2);
  const Rule& r = load.rules.rules()[0];
  CHECK(r.name == "event-stream-disconnected");
  CHECK(r.description == "Single node failure (runbook 000, section 1)");
  CHECK(r.where.to_string() == "good.yaml:2");
  REQUIRE(r.match.size() == 2);
  CHECK(r.match[0].to_string() == R"(alertname="EventStreamDisconnected")");
  CHECK(r.match[1].to_string() == R"(severity=~"critical|warning")");
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[0].id == "health");
  CHECK(r.steps[0].kind == "nats.health");
  CHECK(r.steps[0].params.empty());
  CHECK_FALSE(r.steps[0].timeout);
  CHECK(r.steps[1].where.line == 9);
  REQUIRE(r.steps[1].timeout);
  CHECK(*r.steps[1].timeout == std::chrono::seconds(3));
  REQUIRE(r.steps[1].params.count("stream"));
  CHECK(r.steps[1].params.at("stream").render({}, ValueType::Name).value() == "CIM-EVENTS");
  CHECK(r.steps[2].params.at("limit").render({}, ValueType::Integer).value() == "10");
  REQUIRE(r.suggest.size() == 2);
  CHECK(r.suggest[0].when == std::optional<std::string>("nats.server_down"));
  CHECK(r.suggest[0].risk == "read-only");
  CHECK(r.suggest[0].why == "See why the node stopped");
  CHECK(r.suggest[0].where.line == 17);
  CHECK(r.suggest[0].command.render({{"finding.host", "n2"}}, ValueType::Word).value() ==
        "ssh root@n2 systemctl status nats");
  CHECK_FALSE(r.suggest[1].when);
  CHECK(load.files == std::vector<std::string>{"good.yaml"});
}

TEST_CASE("the first matching rule wins, in file order") {
  RuleLoad load = load_rules_text(kGood + std::string(R"(  - name: second-for-same-alert
    match: {alertname: EventStreamDisconnected}
)"),
                                  "good.yaml", catalog());
  REQUIRE(load.errors.empty());
  const RuleSet& rules = load.rules;
  const Rule* r = rules.match(alert({{"alertname", "EventStreamDisconnected"}, {"severity", "critical"}}));
  REQUIRE(r);
  CHECK(r->name == "event-stream-disconnected");
  r = rules.match(alert({{"alertname", "EventStreamDisconnected"}, {"severity", "info"}}));
  REQUIRE(r);
  CHECK(r->name == "second-for-same-alert");
  r = rules.match(alert({{"alertname", "nats_lag_messages"}}));
  REQUIRE(r);
  CHECK(r->name == "catch-titan");
  CHECK(rules.match(alert({{"alertname", "Other"}})) == nullptr);
  CHECK(rules.match(alert({})) == nullptr);
}

TEST_CASE("each kind of error is reported at its line") {
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    colour: red\n", 4, "unknown key \"colour\"");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - {id: h, kind: nats.nope}\n", 5,
                   "unknown step kind \"nats.nope\"");
  expect_one_error(
      "rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - id: s\n        kind: nats.stream_info\n"
      "        with:\n          stream: X\n          colour: red\n",
      9, "has no parameter \"colour\"");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - id: s\n        kind: nats.stream_info\n",
                   5, "needs parameter \"stream\"");
  expect_one_error(
      "rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - id: s\n        kind: nats.stream_info\n"
      "        with: {stream: \"{{ labels.stream \"}\n",
      7, "unterminated");
  expect_one_error("rules:\n  - name: a\n    match:\n      alertname: A\n      matchers: ['x=~\"(\"']\n", 5,
                   "invalid regex");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n  - name: a\n    match: {alertname: B}\n", 4,
                   "duplicate rule name \"a\" (first at r.yaml:2)");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - {id: h, kind: nats.health}\n"
                   "      - {id: h, kind: nats.health}\n",
                   6, "duplicate step id");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - {id: Bad!, kind: nats.health}\n",
                   5, "step id");
  expect_one_error("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - {id: h, kind: nats.health, timeout: soon}\n",
                   5, "timeout must be a positive duration");
  expect_one_error("rules:\n  - match: {alertname: A}\n", 2, "needs \"name\"");
  expect_one_error("rules:\n  - name: a\n", 2, "needs \"match\"");
  expect_one_error("rules:\n  - name: a\n    match: {}\n", 3, "at least one matcher");
  expect_one_error("rules:\n  - name: a\n    match: {bad-label: x}\n", 3, "invalid label name");
  expect_one_error("rules: {}\n", 1, "rules must be a list");
  expect_one_error("", 1, "empty rule file");
  expect_one_error("rules: []\nrulez: []\n", 2, "unknown key \"rulez\"");
}

TEST_CASE("templates are checked against their place and type at load time") {
  const std::string head = "rules:\n  - name: a\n    match: {alertname: A}\n";
  expect_one_error(head + "    steps:\n      - {id: s, kind: nats.stream_info, with: {stream: \"{{ finding.x }}\"}}\n", 5,
                   "unknown placeholder finding.x");
  expect_one_error(head + "    steps:\n      - {id: s, kind: nats.stream_info, with: {stream: \"{{ secrets.x }}\"}}\n",
                   5, "unknown placeholder secrets.x");
  expect_one_error(head + "    steps:\n      - {id: s, kind: nats.stream_info, with: {stream: \"a;b\"}}\n", 5,
                   "expected name");
  expect_one_error(
      head + "    steps:\n      - {id: s, kind: nats.stream_info, with: {stream: \"{{ labels.s | default a.b }}\"}}\n", 5,
      "default for labels.s");
  expect_one_error(head + "    steps:\n      - {id: s, kind: test.window, with: {since: \"{{ labels.s | shell }}\"}}\n", 5,
                   "unknown filter");
  expect_one_error(head + "    suggest:\n      - {command: \"ssh {{ finding.host }}\", why: w, risk: low}\n", 5,
                   "needs `when:`");
  expect_one_error(head + "    suggest:\n      - {command: \"x\", why: w, risk: dangerous}\n", 5, "risk must be one of");
  expect_one_error(head + "    suggest:\n      - {command: \"x --f '{{ labels.a | subject }}'\", why: w, risk: low}\n", 5,
                   "do not quote a placeholder");
  expect_one_error(head + "    suggest:\n      - {command: \"x\", risk: low}\n", 5, "needs \"why\"");
  expect_one_error(head + "    suggest:\n      - {command: \"x {{ labels.a | default $(id) }}\", why: w, risk: low}\n", 5,
                   "default for labels.a");
}

TEST_CASE("a broken rule does not hide the next one's errors, nor good rules") {
  RuleLoad load = load_rules_text(R"(rules:
  - name: first
    match: {alertname: A}
    steps:
      - {id: s, kind: nats.unknown}
  - name: good
    match: {alertname: G}
  - name: third
    match: {alertname: B}
    suggest:
      - {command: "{{ labels.x", why: w, risk: low}
)",
                                  "r.yaml", catalog());
  REQUIRE(load.errors.size() == 2);
  CHECK(load.errors[0].where == "r.yaml:5");
  CHECK(load.errors[1].where == "r.yaml:11");
  REQUIRE(load.rules.rules().size() == 1);
  CHECK(load.rules.rules()[0].name == "good");
}

TEST_CASE("YAML syntax errors carry their line") {
  auto errors = errors_of("rules:\n  - name: a\n    match: {alertname: A\n  - name: b\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("YAML syntax error") != std::string::npos);
  CHECK(errors[0].rfind("r.yaml:", 0) == 0);
  CHECK(errors[0].rfind("r.yaml:1:", 0) != 0);  // the line of the problem, not the start of the file

  auto tabs = errors_of("rules:\n  - name: a\n\t- b\n");
  REQUIRE(tabs.size() == 1);
  CHECK(tabs[0].rfind("r.yaml:3: ", 0) == 0);
}

TEST_CASE("load_rules expands globs against base_dir, in sorted order, across files") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "rules");
  test::write_file(dir / "rules/20-b.yaml", "rules:\n  - name: b\n    match: {alertname: X}\n");
  test::write_file(dir / "rules/10-a.yaml", "rules:\n  - name: a\n    match: {alertname: X}\n");
  test::write_file(dir / "rules/30-c.yaml", "rules:\n  - name: c\n    match: {alertname: X}\n  - name: a\n    match: {alertname: Y}\n");
  test::write_file(dir / "rules/notes.txt", "not yaml: [");

  RuleLoad load = load_rules({"rules/*.yaml"}, catalog(), dir.path().string());
  REQUIRE(load.files.size() == 3);
  CHECK(load.files[0] == (dir / "rules/10-a.yaml").string());
  CHECK(load.files[2] == (dir / "rules/30-c.yaml").string());
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].where == (dir / "rules/30-c.yaml").string() + ":4");
  CHECK(load.errors[0].message.find("first at " + (dir / "rules/10-a.yaml").string() + ":2") != std::string::npos);
  REQUIRE(load.rules.rules().size() == 3);
  CHECK(load.rules.match(alert({{"alertname", "X"}}))->name == "a");

  // Absolute patterns ignore base_dir; the same file twice is loaded once.
  std::string abs = (dir / "rules/10-a.yaml").string();
  RuleLoad twice = load_rules({abs, "rules/1*.yaml"}, catalog(), dir.path().string());
  CHECK(twice.errors.empty());
  CHECK(twice.files.size() == 1);

  RuleLoad none = load_rules({"rules/*.yml", "missing.yaml"}, catalog(), dir.path().string());
  REQUIRE(none.errors.size() == 2);
  CHECK(none.errors[0].message.find("matches no file") != std::string::npos);
  CHECK(none.rules.rules().empty());
}

TEST_CASE("unreadable rule files are errors, not crashes") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "d.yaml");
  RuleLoad load = load_rules({"d.yaml"}, catalog(), dir.path().string());
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].message.find("not a regular file") != std::string::npos);
}

TEST_CASE("hostile rule files give errors, never crashes") {
  for (const std::string& text :
       {std::string("rules:\n  - name: [a, b]\n    match: {alertname: A}\n"), std::string("rules:\n  - 42\n"),
        std::string("rules:\n  - name: a\n    match: [x]\n"), std::string("rules:\n  - name: a\n    match: {? [k]: v}\n"),
        std::string("- just a list\n"), std::string("rules: &a [*a]\n"), std::string(5000, '[') + std::string(5000, ']'),
        std::string("rules:\n  - name: a\n    match: {alertname: A}\n    steps: {id: x}\n"),
        std::string("rules:\n  - name: a\n    match: {alertname: A}\n    steps:\n      - {id: s, kind: nats.stream_info, "
                    "with: {stream: [1]}}\n"),
        std::string("rules:\n  - name: a\n    match: {alertname: A}\n    name: b\n")}) {
    INFO(text.substr(0, 80));
    RuleLoad load = load_rules_text(text, "h.yaml", catalog());
    CHECK_FALSE(load.errors.empty());
    for (const auto& e : load.errors) CHECK(e.where.rfind("h.yaml:", 0) == 0);
  }
}

TEST_CASE("a kind's own check refuses plain parameter values at load, and leaves templated ones alone") {
  StepCatalog c = catalog();
  // test.window: `limit` at most 100 (a rule for the test only).
  c.checks["test.window"] = [](const std::map<std::string, std::string>& plain) -> std::optional<Error> {
    auto it = plain.find("limit");
    if (it != plain.end() && std::stoll(it->second) > 100) return Error{"limit", "is more than 100"};
    return std::nullopt;
  };
  auto load = [&](const std::string& limit) {
    return load_rules_text("rules:\n"
                           "  - name: r\n"
                           "    match: {alertname: A}\n"
                           "    steps:\n"
                           "      - id: window\n"
                           "        kind: test.window\n"
                           "        with: {since: 5m, limit: \"" + limit + "\"}\n",
                           "r.yaml", c);
  };
  RuleLoad bad = load("500");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].to_string() == "r.yaml:7: with.limit: is more than 100");
  CHECK(bad.rules.rules().empty());
  CHECK(load("100").errors.empty());
  // A value from a label is checked by the step when it is rendered.
  CHECK(load("{{ labels.limit | default 500 }}").errors.empty());
}

}  // namespace rr
