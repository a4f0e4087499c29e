#include "app/test_rules.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "common/file.h"
#include "engine/triage.h"
#include "rules/yaml_reader.h"

namespace rr {
namespace {

constexpr std::size_t kMaxTestFileBytes = 4u << 20;

struct Canned {
  StepStatus status = StepStatus::Ok;
  std::string summary, output;
  nlohmann::json facts = nlohmann::json::object();
};
using CannedSteps = std::map<std::string, Canned>;

struct FindingExpect {
  std::string code;
  std::optional<Severity> severity;
  std::map<std::string, std::string> values;
  std::optional<std::string> title_contains;
};

struct SuggestionExpect {
  std::string command;
  std::optional<std::string> risk, why_contains;
};

struct Expect {
  std::optional<std::string> rule;
  std::vector<FindingExpect> findings;
  std::vector<std::string> absent_findings;
  std::vector<SuggestionExpect> suggestions;
  std::vector<std::string> absent_suggestions;
  std::optional<std::string> verdict_contains;
};

struct RuleTest {
  std::string name;
  std::string where;  // file:line
  Notification group;
  std::shared_ptr<const CannedSteps> steps;
  Expect expect;
};

struct TestFile {
  TriageContext ctx;   // `steps` is set per test, from `catalog`
  StepCatalog catalog;  // the shipped kinds, for the config in ctx
  std::vector<RuleTest> tests;
};

// A shipped step kind's name and parameters, so rules are checked and
// planned exactly as in production, answering with the test's result.
class CannedKind : public StepKind {
 public:
  CannedKind(std::string name, std::map<std::string, StepCatalog::Param> params,
             std::shared_ptr<const CannedSteps> canned)
      : name_(std::move(name)), params_(std::move(params)), canned_(std::move(canned)) {}
  std::string_view name() const override { return name_; }
  std::map<std::string, StepCatalog::Param> params() const override { return params_; }
  StepResult run(const StepInput& input) const override {
    StepResult r;
    auto it = canned_->find(input.id);
    if (it == canned_->end()) {
      r.status = StepStatus::Skipped;
      r.summary = "no canned result in the test";
      return r;
    }
    r.status = it->second.status;
    r.summary = it->second.summary;
    r.output = it->second.output;
    r.facts = it->second.facts;
    return r;
  }

 private:
  std::string name_;
  std::map<std::string, StepCatalog::Param> params_;
  std::shared_ptr<const CannedSteps> canned_;
};

std::shared_ptr<const StepRegistry> canned_registry(const StepCatalog& catalog,
                                                    const std::shared_ptr<const CannedSteps>& canned) {
  auto registry = std::make_shared<StepRegistry>();
  for (const auto& [name, params] : catalog.kinds) registry->add(std::make_unique<CannedKind>(name, params, canned));
  return registry;
}

// ---- Reading a test file. Errors go to the reader; a file with any is not run.

// A plain (unquoted) YAML scalar: true, false and JSON numbers as JSON reads
// them (non-negative integers unsigned, like the steps' own facts); anything
// else, and every quoted scalar, stays a string, so "3" is not 3.
nlohmann::json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (!s.empty() && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-')) {
    auto number = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
    if (number.is_number()) return number;
  }
  return s;
}

nlohmann::json to_json(yaml::Reader& r, const YAML::Node& node, const std::string& what) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      if (auto f = yaml::Fields::read(r, node, what, {}))
        for (const auto& [key, value] : f->entries()) object[key] = to_json(r, value, what);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(to_json(r, item, what));
      return array;
    }
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : nlohmann::json(node.Scalar());  // "?": unquoted
    default:
      return nullptr;
  }
}

std::optional<std::string> string_field(yaml::Reader& r, const yaml::Fields& f, std::string_view key,
                                        const std::string& what) {
  const YAML::Node* n = f.find(key);
  return n ? yaml::string_value(r, *n, what + "." + std::string(key)) : std::nullopt;
}

// `value` when it is one of `allowed`, else an error and nullopt.
std::optional<std::string> one_of(yaml::Reader& r, const yaml::Fields& f, std::string_view key, const std::string& what,
                                  const std::vector<std::string>& allowed) {
  auto v = string_field(r, f, key, what);
  if (!v || std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  r.error(*f.find(key), what + "." + std::string(key) + " must be one of " + list + ", not \"" + *v + "\"");
  return std::nullopt;
}

LabelSet string_map(yaml::Reader& r, const YAML::Node& node, const std::string& what) {
  LabelSet out;
  if (auto f = yaml::Fields::read(r, node, what, {}))
    for (const auto& [key, value] : f->entries())
      if (auto v = yaml::string_value(r, value, what + "." + key)) out[key] = *v;
  return out;
}

// The items of a list, or an error when `node` is not one.
std::vector<YAML::Node> items(yaml::Reader& r, const YAML::Node& node, const std::string& what) {
  std::vector<YAML::Node> out;
  if (!node.IsSequence()) {
    r.error(node, what + " must be a list");
    return out;
  }
  for (const auto& item : node) out.push_back(item);
  return out;
}

Notification read_alerts(yaml::Reader& r, const YAML::Node& node) {
  Notification n;
  n.version = "4";
  n.receiver = "test-rules";
  auto list = items(r, node, "alerts");
  if (list.empty() && node.IsSequence()) r.error(node, "alerts needs at least one alert");
  for (const auto& item : list) {
    auto f = yaml::Fields::read(r, item, "an alert", {"labels", "annotations", "status"});
    if (!f) continue;
    Alert a;
    if (const YAML::Node* labels = f->require("labels")) a.labels = string_map(r, *labels, "labels");
    if (const YAML::Node* annotations = f->find("annotations"))
      a.annotations = string_map(r, *annotations, "annotations");
    a.status = one_of(r, *f, "status", "alert", {"firing", "resolved"}).value_or("firing");
    a.starts_at = std::chrono::time_point_cast<Nanos>(Clock::now());
    a.fingerprint = fmt::format("{:016x}", n.alerts.size() + 1);
    n.alerts.push_back(std::move(a));
  }
  // What Alertmanager would send for this group: labels common to all alerts,
  // grouped by alertname.
  if (n.alerts.empty()) return n;
  n.common_labels = n.alerts.front().labels;
  for (const Alert& a : n.alerts)
    std::erase_if(n.common_labels, [&](const auto& kv) { return label_value(a.labels, kv.first) != kv.second; });
  const std::string& name = label_value(n.common_labels, "alertname");
  if (!name.empty()) n.group_labels["alertname"] = name;
  n.group_key = "{}:{alertname=\"" + name + "\"}";
  bool firing = std::any_of(n.alerts.begin(), n.alerts.end(), [](const Alert& a) { return a.firing(); });
  n.status = firing ? "firing" : "resolved";
  return n;
}

CannedSteps read_steps(yaml::Reader& r, const YAML::Node& node) {
  CannedSteps out;
  auto steps = yaml::Fields::read(r, node, "steps", {});
  if (!steps) return out;
  for (const auto& [id, value] : steps->entries()) {
    const std::string what = "steps." + id;
    auto f = yaml::Fields::read(r, value, what, {"status", "summary", "output", "facts"});
    if (!f) continue;
    Canned c;
    static const std::map<std::string, StepStatus> kStatus = {
        {"ok", StepStatus::Ok}, {"failed", StepStatus::Failed}, {"timeout", StepStatus::Timeout},
        {"skipped", StepStatus::Skipped}};
    if (auto s = one_of(r, *f, "status", what, {"ok", "failed", "timeout", "skipped"})) c.status = kStatus.at(*s);
    c.summary = string_field(r, *f, "summary", what).value_or("");
    c.output = string_field(r, *f, "output", what).value_or("");
    if (const YAML::Node* facts = f->find("facts")) {
      if (!facts->IsMap())
        r.error(*facts, what + ".facts must be a map");
      else
        c.facts = to_json(r, *facts, what + ".facts");
    }
    out[id] = std::move(c);
  }
  return out;
}

Expect read_expect(yaml::Reader& r, const YAML::Node& node) {
  Expect e;
  auto f = yaml::Fields::read(r, node, "expect",
                              {"rule", "findings", "absent_findings", "suggestions", "absent_suggestions",
                               "verdict_contains"});
  if (!f) return e;
  // An expectation-free test passes whatever the rules do: a test that cannot fail.
  if (f->entries().empty()) r.error(node, "expect needs at least one expectation");
  e.rule = string_field(r, *f, "rule", "expect");
  e.verdict_contains = string_field(r, *f, "verdict_contains", "expect");
  if (const YAML::Node* list = f->find("findings")) {
    for (const auto& item : items(r, *list, "expect.findings")) {
      auto g = yaml::Fields::read(r, item, "a finding", {"code", "severity", "values", "title_contains"});
      if (!g) continue;
      FindingExpect want;
      if (const YAML::Node* code = g->require("code")) want.code = yaml::string_value(r, *code, "code").value_or("");
      if (auto s = one_of(r, *g, "severity", "finding", {"critical", "warning", "info", "ok"})) {
        for (Severity sev : {Severity::Critical, Severity::Warning, Severity::Info, Severity::Ok})
          if (severity_name(sev) == *s) want.severity = sev;
      }
      if (const YAML::Node* values = g->find("values")) want.values = string_map(r, *values, "values");
      want.title_contains = string_field(r, *g, "title_contains", "finding");
      e.findings.push_back(std::move(want));
    }
  }
  if (const YAML::Node* list = f->find("suggestions")) {
    for (const auto& item : items(r, *list, "expect.suggestions")) {
      auto g = yaml::Fields::read(r, item, "a suggestion", {"command", "risk", "why_contains"});
      if (!g) continue;
      SuggestionExpect want;
      if (const YAML::Node* command = g->require("command"))
        want.command = yaml::string_value(r, *command, "command").value_or("");
      want.risk = one_of(r, *g, "risk", "suggestion", {"read-only", "low", "medium", "high"});
      want.why_contains = string_field(r, *g, "why_contains", "suggestion");
      e.suggestions.push_back(std::move(want));
    }
  }
  if (const YAML::Node* list = f->find("absent_findings"))
    e.absent_findings = yaml::string_list(r, *list, "expect.absent_findings").value_or(std::vector<std::string>{});
  if (const YAML::Node* list = f->find("absent_suggestions"))
    e.absent_suggestions =
        yaml::string_list(r, *list, "expect.absent_suggestions").value_or(std::vector<std::string>{});
  return e;
}

RuleTest read_test(yaml::Reader& r, const YAML::Node& node) {
  RuleTest t;
  t.where = r.file() + ":" + std::to_string(r.line(node));
  auto f = yaml::Fields::read(r, node, "a test", {"name", "alerts", "steps", "expect"});
  if (!f) return t;
  if (const YAML::Node* name = f->require("name")) {
    t.name = yaml::string_value(r, *name, "name").value_or("");
    if (t.name.empty()) r.error(*name, "a test's name must not be empty");
  }
  if (const YAML::Node* alerts = f->require("alerts")) t.group = read_alerts(r, *alerts);
  auto steps = std::make_shared<CannedSteps>();
  if (const YAML::Node* s = f->find("steps")) *steps = read_steps(r, *s);
  t.steps = std::move(steps);
  if (const YAML::Node* expect = f->require("expect")) t.expect = read_expect(r, *expect);
  return t;
}

// The text of the top-level `config:` value on its own lines, shifted left
// to its column, every other line blank: the config loader then names this
// file's lines in its errors.
std::string config_text(const std::string& text, const YAML::Node& doc) {
  int key_line = -1, end = INT_MAX;
  std::optional<YAML::Node> value;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "config") {
      key_line = it->first.Mark().line;
      value.emplace(it->second);
    }
  }
  if (!value || value->IsNull()) return "";
  const int first = value->Mark().line;
  if (value->Style() == YAML::EmitterStyle::Flow) {
    // {...} may share its lines with other keys: all of it on its first line.
    YAML::Emitter e;
    e << YAML::Flow << *value;
    return std::string(static_cast<std::size_t>(first), '\n') + e.c_str();
  }
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (int line = it->first.Mark().line; line > key_line) end = std::min(end, line);
  const std::size_t column = static_cast<std::size_t>(value->Mark().column);
  std::string out;
  std::string_view rest = text;
  for (int line = 0;; ++line) {
    std::size_t nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    if (line == first) {
      out += l.substr(std::min(column, l.size()));
    } else if (line > first && line < end) {
      std::size_t indent = 0;
      while (indent < column && indent < l.size() && l[indent] == ' ') ++indent;
      out += l.substr(indent);
    }
    if (nl == std::string_view::npos) break;
    out += '\n';
    rest.remove_prefix(nl + 1);
  }
  return out;
}

std::optional<TestFile> load_test_file(const std::string& path, const std::shared_ptr<const Judges>& judges,
                                       std::vector<Error>& errors) {
  auto text = read_text_file(path, kMaxTestFileBytes);
  if (!text) {
    errors.push_back(Error{path, text.error().message});
    return std::nullopt;
  }
  yaml::Reader r(path);
  TestFile out;
  try {
    auto doc = r.load(*text);
    if (!doc) {
      errors = r.errors();
      return std::nullopt;
    }
    auto f = yaml::Fields::read(r, *doc, "the test file", {"rule_files", "config", "tests"});
    if (!f) {
      errors = r.errors();
      return std::nullopt;
    }
    // The same loader as `check`, so a test config holds what a real one does.
    const YAML::Node* config_node = f->find("config");
    const bool config_map = !config_node || config_node->IsNull() || config_node->IsMap();
    if (!config_map) r.error(*config_node, "config must be a map of configuration keys");
    ConfigLoad c = load_config_text(config_map ? config_text(*text, *doc) : "", path);
    errors.insert(errors.end(), c.errors.begin(), c.errors.end());
    if (config_node && config_node->IsMap())
      for (auto it = config_node->begin(); it != config_node->end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == "rules")
          r.error(it->first, "config.rules is not read here: the test file's rule_files say which rules are tested");
    Config config = c.config ? std::move(*c.config) : Config{};
    if (config.clusters.empty()) {
      ClusterConfig cluster;
      cluster.name = "test";  // no match: every alert; no servers: the facts name them
      config.clusters.push_back(std::move(cluster));
    }
    out.catalog = default_step_registry(config).catalog();
    std::string dir = std::filesystem::path(path).parent_path().string();
    RuleLoad rules;
    if (const YAML::Node* n = f->require("rule_files")) {
      if (auto patterns = yaml::string_list(r, *n, "rule_files")) {
        rules = load_rules(*patterns, out.catalog, dir.empty() ? "." : dir);
        errors.insert(errors.end(), rules.errors.begin(), rules.errors.end());
      }
    }
    out.ctx.config = std::make_shared<const Config>(std::move(config));
    out.ctx.rules = std::make_shared<const RuleSet>(std::move(rules.rules));
    out.ctx.judges = judges;
    if (const YAML::Node* n = f->require("tests")) {
      auto list = items(r, *n, "tests");
      if (list.empty() && n->IsSequence()) r.error(*n, "tests needs at least one test");
      std::set<std::string> names;
      for (const auto& item : list) {
        out.tests.push_back(read_test(r, item));
        const RuleTest& t = out.tests.back();
        if (!t.name.empty() && !names.insert(t.name).second)
          r.error(item, "a test named \"" + t.name + "\" is already in this file");
      }
    }
  } catch (const YAML::Exception& e) {  // yaml-cpp throws for shapes we did not foresee
    r.error_at_line(e.mark.is_null() ? 1 : e.mark.line + 1, "cannot read test file: " + e.msg);
  }
  for (Error& e : r.errors()) errors.push_back(std::move(e));
  // This file's problems in line order, whichever loader found them.
  auto line_of = [&](const Error& e) {
    return e.where.rfind(path + ":", 0) == 0 ? std::atoi(e.where.c_str() + path.size() + 1) : 0;
  };
  std::stable_sort(errors.begin(), errors.end(), [&](const Error& a, const Error& b) { return line_of(a) < line_of(b); });
  if (!errors.empty()) return std::nullopt;
  return out;
}

// ---- Checking a report against the expectations.

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string describe(const Finding& f) {
  std::string values;
  for (const auto& [k, v] : f.values) values += (values.empty() ? "" : ", ") + k + "=" + v;
  return fmt::format("{} {}: {} {{{}}}", severity_name(f.severity), f.code, quoted(f.title), values);
}

std::string describe(const FindingExpect& want) {
  std::vector<std::string> parts;
  if (want.severity) parts.push_back("severity " + std::string(severity_name(*want.severity)));
  for (const auto& [k, v] : want.values) parts.push_back(k + "=" + v);
  if (want.title_contains) parts.push_back("title containing " + quoted(*want.title_contains));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "" : " (" + out + ")";
}

bool matches(const Finding& f, const FindingExpect& want) {
  if (f.code != want.code || (want.severity && f.severity != *want.severity)) return false;
  if (want.title_contains && f.title.find(*want.title_contains) == std::string::npos) return false;
  return std::all_of(want.values.begin(), want.values.end(), [&](const auto& kv) {
    auto it = f.values.find(kv.first);
    return it != f.values.end() && it->second == kv.second;
  });
}

std::vector<std::string> check(const RuleTest& t, const Report& report) {
  const Expect& e = t.expect;
  std::vector<std::string> failures;
  // A canned result that no step returned never reached the judges: the
  // test would be checking less than it says.
  for (const auto& [id, canned] : *t.steps) {
    auto step = std::find_if(report.steps.begin(), report.steps.end(), [&](const StepResult& s) { return s.id == id; });
    if (step == report.steps.end()) {
      std::string ran;
      for (const auto& s : report.steps) ran += (ran.empty() ? "" : ", ") + s.id;
      failures.push_back("steps." + id + ": no step of the matched rule has this id (steps: " +
                         (ran.empty() ? "none" : ran) + ")");
    } else if (step->status == StepStatus::Skipped && canned.status != StepStatus::Skipped) {
      failures.push_back("steps." + id + ": the canned result was not used: " + step->summary);
    }
  }
  if (e.rule && report.rule != *e.rule)
    failures.push_back("rule: expected " + (e.rule->empty() ? "no rule" : quoted(*e.rule)) + ", matched " +
                       (report.rule.empty() ? "no rule" : quoted(report.rule)));

  std::string codes;
  for (const auto& f : report.findings) codes += (codes.empty() ? "" : ", ") + f.code;
  for (const auto& want : e.findings) {
    if (std::any_of(report.findings.begin(), report.findings.end(), [&](const Finding& f) { return matches(f, want); }))
      continue;
    std::string same;
    for (const auto& f : report.findings)
      if (f.code == want.code) same += "\n    present: " + describe(f);
    failures.push_back(same.empty() ? "finding " + want.code + describe(want) + ": missing; findings present: " +
                                          (codes.empty() ? "none" : codes)
                                    : "finding " + want.code + describe(want) + ": none matches" + same);
  }
  for (const auto& code : e.absent_findings)
    for (const auto& f : report.findings)
      if (f.code == code) failures.push_back("finding " + code + ": present, expected absent: " + describe(f));

  std::string commands;
  for (const auto& s : report.suggestions) commands += "\n    " + quoted(s.command);
  for (const auto& want : e.suggestions) {
    auto s = std::find_if(report.suggestions.begin(), report.suggestions.end(),
                          [&](const Suggestion& x) { return x.command == want.command; });
    if (s == report.suggestions.end()) {
      failures.push_back("suggestion " + quoted(want.command) + ": missing; suggested:" +
                         (commands.empty() ? " nothing" : commands));
      continue;
    }
    if (want.risk && s->risk != *want.risk)
      failures.push_back("suggestion " + quoted(want.command) + ": risk " + s->risk + ", expected " + *want.risk);
    if (want.why_contains && s->why.find(*want.why_contains) == std::string::npos)
      failures.push_back("suggestion " + quoted(want.command) + ": why does not contain " +
                         quoted(*want.why_contains) + "; it reads " + quoted(s->why));
  }
  for (const auto& command : e.absent_suggestions)
    for (const auto& s : report.suggestions)
      if (s.command == command) failures.push_back("suggestion " + quoted(command) + ": suggested, expected absent");

  if (e.verdict_contains && report.verdict.find(*e.verdict_contains) == std::string::npos)
    failures.push_back("verdict: expected to contain " + quoted(*e.verdict_contains) + "; it is " +
                       quoted(report.verdict));
  return failures;
}

// The production triage, with this test's canned step results.
Report run_test(const TestFile& file, const RuleTest& t) {
  TriageContext ctx = file.ctx;
  ctx.steps = canned_registry(file.catalog, t.steps);
  Triage triage(ctx);
  std::vector<const Alert*> firing, resolved;
  for (const auto& a : t.group.alerts) (a.firing() ? firing : resolved).push_back(&a);
  return firing.empty() ? triage.resolution(t.group, resolved) : triage.run(t.group, triage.plan(firing), nullptr);
}

}  // namespace

int run_rule_tests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  auto judges = std::make_shared<const Judges>(default_judges());
  int passed = 0, failed = 0, broken = 0;
  for (const auto& path : files) {
    std::vector<Error> errors;
    auto file = load_test_file(path, judges, errors);
    if (!file) {
      for (const auto& e : errors) err << e.to_string() << "\n";
      ++broken;
      continue;
    }
    for (const RuleTest& t : file->tests) {
      auto failures = check(t, run_test(*file, t));
      if (failures.empty()) {
        out << "PASS " << t.name << "\n";
        ++passed;
        continue;
      }
      out << "FAIL " << t.name << " (" << t.where << ")\n";
      for (const auto& f : failures) out << "  " << f << "\n";
      ++failed;
    }
  }
  out << fmt::format("{} passed, {} failed", passed, failed);
  if (broken > 0) out << fmt::format(", {} file{} could not be loaded", broken, broken == 1 ? "" : "s");
  out << "\n";
  return broken > 0 ? 2 : failed > 0 ? 1 : 0;
}

}  // namespace rr
