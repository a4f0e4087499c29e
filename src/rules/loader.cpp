// Rule files: YAML -> Rule, checked against the step catalog at load time.

#include <glob.h>

#include <algorithm>
#include <array>
#include <set>

#include "common/text.h"
#include "rules/rule.h"
#include "common/file.h"
#include "rules/yaml_reader.h"

namespace rr {

namespace {

constexpr std::size_t kMaxRuleFileBytes = 4u << 20;
constexpr std::array<std::string_view, 4> kRisks{"read-only", "low", "medium", "high"};

bool all_of_chars(std::string_view s, std::string_view extra, bool upper) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper && c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

// A quote right before "{{" or right after "}}": the rule quoting a value
// that render(Quoting::Shell) already quotes ('{{ x }}' would unquote it).
bool quotes_a_placeholder(std::string_view text) {
  for (std::size_t p = text.find("{{"); p != std::string_view::npos; p = text.find("{{", p + 2))
    if (p > 0 && (text[p - 1] == '\'' || text[p - 1] == '"')) return true;
  for (std::size_t p = text.find("}}"); p != std::string_view::npos; p = text.find("}}", p + 2))
    if (p + 2 < text.size() && (text[p + 2] == '\'' || text[p + 2] == '"')) return true;
  return false;
}

// Owns a glob_t; globfree runs once, in the destructor.
class Glob {
 public:
  explicit Glob(const std::string& pattern) : rc_(::glob(pattern.c_str(), 0, nullptr, &g_)) {}
  ~Glob() { ::globfree(&g_); }
  Glob(const Glob&) = delete;
  Glob& operator=(const Glob&) = delete;

  int rc() const { return rc_; }
  std::vector<std::string> paths() const {
    return rc_ == 0 ? std::vector<std::string>(g_.gl_pathv, g_.gl_pathv + g_.gl_pathc) : std::vector<std::string>{};
  }

 private:
  glob_t g_{};
  int rc_;
};

// Which placeholder roots a template may read.
enum class Place { StepParam, Suggestion, FindingSuggestion };

std::optional<std::string> check_paths(const Template& t, Place place) {
  for (const std::string& p : t.paths()) {
    bool ok = (starts_with(p, "labels.") && p.size() > 7) || (starts_with(p, "annotations.") && p.size() > 12) ||
              p == "alert.name" || p == "cluster.name";
    if (ok) continue;
    if ((starts_with(p, "finding.") && p.size() > 8) || (starts_with(p, "host.") && p.size() > 5)) {
      if (place == Place::FindingSuggestion) continue;
      if (place == Place::Suggestion)
        return "placeholder " + p + " needs `when:` (finding.* and host.* come from a finding)";
    }
    std::string allowed = "labels.NAME, annotations.NAME, alert.name, cluster.name";
    if (place != Place::StepParam) allowed += ", finding.NAME and host.NAME with `when:`";
    return "unknown placeholder " + p + " (allowed: " + allowed + ")";
  }
  return std::nullopt;
}

// Reads one file's rules; duplicate names are checked across all files.
class RuleFileReader {
 public:
  RuleFileReader(yaml::Reader& r, const StepCatalog& catalog, std::map<std::string, SourceLocation>& names)
      : r_(r), catalog_(catalog), names_(names) {}

  void read(const std::string& text, std::vector<Rule>& out) {
    auto doc = r_.load(text);
    if (!doc) return;
    if (doc->IsNull()) {
      r_.error_at_line(1, "empty rule file (expected a `rules:` list)");
      return;
    }
    auto top = yaml::Fields::read(r_, *doc, "the rule file", {"rules"});
    if (!top) return;
    const YAML::Node* list = top->require("rules");
    if (!list) return;
    if (!list->IsSequence()) {
      r_.error(*list, "rules must be a list");
      return;
    }
    for (const auto& item : *list) {
      std::size_t before = r_.error_count();
      Rule rule = read_rule(item);
      if (r_.error_count() == before) out.push_back(std::move(rule));
    }
  }

 private:
  SourceLocation where(const YAML::Node& n) const { return SourceLocation{r_.file(), r_.line(n)}; }

  Rule read_rule(const YAML::Node& node) {
    Rule rule;
    rule.where = where(node);
    auto f = yaml::Fields::read(r_, node, "a rule", {"name", "description", "match", "steps", "suggest", "verify", "actions"});
    if (!f) return rule;
    if (const YAML::Node* n = f->require("name")) {
      if (auto name = yaml::string_value(r_, *n, "name")) {
        rule.name = *name;
        if (!all_of_chars(rule.name, "_.-", true) || rule.name.size() > 128) {
          r_.error(*n, "rule name \"" + rule.name + "\" must be 1 to 128 of [A-Za-z0-9_.-]");
        } else if (auto [it, fresh] = names_.emplace(rule.name, where(*n)); !fresh) {
          r_.error(*n, "duplicate rule name \"" + rule.name + "\" (first at " + it->second.to_string() + ")");
        }
      }
    }
    if (const YAML::Node* n = f->find("description")) {
      if (auto d = yaml::string_value(r_, *n, "description")) rule.description = *d;
    }
    if (const YAML::Node* n = f->require("match")) {
      if (auto m = yaml::match_map(r_, *n)) {
        rule.match = std::move(*m);
        if (rule.match.empty()) r_.error(*n, "match needs at least one matcher (a rule must not catch every alert)");
      }
    }
    if (const YAML::Node* n = f->find("steps")) read_steps(*n, "steps", rule.name, rule.steps);
    if (const YAML::Node* n = f->find("verify")) read_steps(*n, "verify", rule.name, rule.verify);
    if (const YAML::Node* n = f->find("suggest")) read_suggestions(*n, rule);
    if (const YAML::Node* n = f->find("actions")) read_actions(*n, rule);
    return rule;
  }

  // `steps` and `verify` alike; `what` names the list in errors.
  void read_steps(const YAML::Node& list, const std::string& what, const std::string& rule_name,
                  std::vector<StepSpec>& out) {
    if (!list.IsSequence()) {
      r_.error(list, what + " must be a list");
      return;
    }
    std::set<std::string> ids;
    for (const auto& node : list) {
      StepSpec step;
      step.where = where(node);
      auto f = yaml::Fields::read(r_, node, "a step", {"id", "kind", "with", "timeout"});
      if (!f) continue;
      if (const YAML::Node* n = f->require("id")) {
        if (auto id = yaml::string_value(r_, *n, "id")) {
          step.id = *id;
          if (!all_of_chars(step.id, "_-", false) || step.id.size() > 64)
            r_.error(*n, "step id \"" + step.id + "\" must be 1 to 64 of [a-z0-9_-]");
          else if (!ids.insert(step.id).second)
            r_.error(*n, "duplicate step id \"" + step.id + "\" in " + what + " of rule " + rule_name);
        }
      }
      const std::map<std::string, StepCatalog::Param>* params = nullptr;
      if (const YAML::Node* n = f->require("kind")) {
        if (auto kind = yaml::string_value(r_, *n, "kind")) {
          step.kind = *kind;
          auto it = catalog_.kinds.find(step.kind);
          if (it == catalog_.kinds.end())
            r_.error(*n, "unknown step kind \"" + step.kind + "\" (known: " + known_kinds() + ")");
          else
            params = &it->second;
        }
      }
      std::set<std::string> given;  // present, even if refused: one error per problem
      std::map<std::string, std::string> plain;  // given without placeholders, and of their type
      const YAML::Node* with = f->find("with");
      if (with) given = read_params(*with, params, step, plain);
      if (auto check = catalog_.checks.find(step.kind); with && check != catalog_.checks.end()) {
        if (auto e = check->second(plain)) r_.error(*with, "with." + e->where + ": " + e->message);
      }
      if (params) {
        for (const auto& [name, p] : *params) {
          if (p.required && !given.count(name))
            r_.error(node, "step " + step.id + " (" + step.kind + ") needs parameter \"" + name + "\"");
        }
      }
      if (const YAML::Node* n = f->find("timeout")) step.timeout = yaml::duration_value(r_, *n, "timeout");
      out.push_back(std::move(step));
    }
  }

  // Returns the names given, valid or not.
  std::set<std::string> read_params(const YAML::Node& node, const std::map<std::string, StepCatalog::Param>* params,
                                    StepSpec& step, std::map<std::string, std::string>& plain) {
    std::set<std::string> given;
    auto f = yaml::Fields::read(r_, node, "with", {});
    if (!f) return given;
    for (const auto& [name, value] : f->entries()) {
      given.insert(name);
      const StepCatalog::Param* param = nullptr;
      if (params) {
        auto it = params->find(name);
        if (it == params->end()) {
          std::string known;
          for (const auto& kv : *params) known += (known.empty() ? "" : ", ") + kv.first;
          r_.error(value, "step kind " + step.kind + " has no parameter \"" + name + "\" (known: " +
                              (known.empty() ? "none" : known) + ")");
          continue;
        }
        param = &it->second;
      }
      auto text = yaml::string_value(r_, value, "with." + name);
      if (!text) continue;
      auto t = read_template(value, *text, Place::StepParam, "with." + name);
      if (!t) continue;
      if (param) {
        std::optional<std::string> why = t->has_placeholders() ? t->check_defaults(param->type)
                                                               : check_value(param->type, *text);
        if (why) {
          r_.error(value, "with." + name + ": " + (t->has_placeholders() ? *why : "value " + *why) + " (expected " +
                              std::string(value_type_name(param->type)) + ")");
          continue;
        }
      }
      if (param && !t->has_placeholders()) plain.emplace(name, *text);
      step.params.emplace(name, std::move(*t));
    }
    return given;
  }

  std::optional<Template> read_template(const YAML::Node& at, const std::string& text, Place place,
                                        const std::string& what) {
    auto t = Template::parse(text);
    if (!t) {
      r_.error(at, what + ": " + t.error().message);
      return std::nullopt;
    }
    if (auto why = check_paths(*t, place)) {
      r_.error(at, what + ": " + *why);
      return std::nullopt;
    }
    return std::move(*t);
  }

  void read_suggestions(const YAML::Node& list, Rule& rule) {
    if (!list.IsSequence()) {
      r_.error(list, "suggest must be a list");
      return;
    }
    for (const auto& node : list) {
      auto f = yaml::Fields::read(r_, node, "a suggestion", {"command", "why", "risk", "when"});
      if (!f) continue;
      std::optional<std::string> when;
      if (const YAML::Node* n = f->find("when")) {
        when = yaml::string_value(r_, *n, "when");
        if (when && !all_of_chars(*when, "_.-", false))
          r_.error(*n, "when must be a finding code such as nats.server_down");
      }
      std::optional<Template> command;
      if (const YAML::Node* n = f->require("command")) {
        if (auto text = yaml::string_value(r_, *n, "command")) {
          if (trim(*text).empty())
            r_.error(*n, "command is empty");
          else
            command = read_template(*n, *text, when ? Place::FindingSuggestion : Place::Suggestion, "command");
          // Defaults land in a command line: they get the same Word check as values.
          if (command) {
            if (auto why = command->check_defaults(ValueType::Word)) r_.error(*n, "command: " + *why);
            if (quotes_a_placeholder(*text))
              r_.error(*n, "command: do not quote a placeholder: the responder quotes values for the shell itself");
          }
        }
      }
      std::optional<std::string> why;
      if (const YAML::Node* n = f->require("why")) {
        why = yaml::string_value(r_, *n, "why");
        if (why && trim(*why).empty()) r_.error(*n, "why is empty");
      }
      std::optional<std::string> risk;
      if (const YAML::Node* n = f->require("risk")) {
        risk = yaml::string_value(r_, *n, "risk");
        if (risk && std::find(kRisks.begin(), kRisks.end(), *risk) == kRisks.end())
          r_.error(*n, "risk must be one of read-only, low, medium, high, not \"" + *risk + "\"");
      }
      if (command && why && risk)
        rule.suggest.push_back(SuggestSpec{std::move(*command), *why, *risk, when, where(node)});
    }
  }

  void read_actions(const YAML::Node& list, Rule& rule) {
    if (!list.IsSequence()) {
      r_.error(list, "actions must be a list");
      return;
    }
    std::set<std::string> names;
    for (const auto& node : list) {
      auto f = yaml::Fields::read(r_, node, "an action", {"name", "when", "run", "guards", "why"});
      if (!f) continue;
      ActionSpec a;
      a.where = where(node);
      std::size_t errors = r_.error_count();
      if (const YAML::Node* n = f->require("name")) {
        if (auto v = yaml::string_value(r_, *n, "name")) {
          a.name = *v;
          if (!all_of_chars(a.name, "_.-", true) || a.name.size() > 64)
            r_.error(*n, "action name must be 1 to 64 of [A-Za-z0-9_.-]");
          else if (!names.insert(a.name).second)
            r_.error(*n, "duplicate action \"" + a.name + "\" in rule " + rule.name);
        }
      }
      if (const YAML::Node* n = f->require("when")) {
        if (auto v = yaml::string_value(r_, *n, "when")) {
          a.when = *v;
          if (!all_of_chars(a.when, "_.-", false)) r_.error(*n, "when must be a finding code such as nats.server_down");
        }
      }
      if (const YAML::Node* n = f->require("run")) {
        if (auto v = yaml::string_value(r_, *n, "run")) {
          a.run = *v;
          if (!all_of_chars(a.run, "_", false) || a.run.size() > 64) r_.error(*n, "run must name an action command: 1 to 64 of [a-z0-9_]");
        }
      }
      if (const YAML::Node* n = f->find("guards")) {
        if (auto v = yaml::string_list(r_, *n, "guards")) {
          for (const auto& g : *v) {
            if (std::find_if(std::begin(kGuardNames), std::end(kGuardNames),
                             [&](const char* k) { return g == k; }) == std::end(kGuardNames))
              r_.error(*n, "unknown guard \"" + g + "\" (known: single, quorum)");
          }
          a.guards = *v;
        }
      }
      if (const YAML::Node* n = f->require("why")) {
        if (auto v = yaml::string_value(r_, *n, "why")) a.why = *v;
      }
      if (r_.error_count() == errors) rule.actions.push_back(std::move(a));
    }
  }

  std::string known_kinds() const {
    std::string out;
    for (const auto& kv : catalog_.kinds) out += (out.empty() ? "" : ", ") + kv.first;
    return out.empty() ? "none" : out;
  }

  yaml::Reader& r_;
  const StepCatalog& catalog_;
  std::map<std::string, SourceLocation>& names_;
};

void load_file_text(const std::string& text, const std::string& file, const StepCatalog& catalog,
                    std::map<std::string, SourceLocation>& names, std::vector<Rule>& rules,
                    std::vector<Error>& errors) {
  yaml::Reader reader(file);
  try {
    RuleFileReader(reader, catalog, names).read(text, rules);
  } catch (const YAML::Exception& e) {  // yaml-cpp throws for shapes we did not foresee
    reader.error_at_line(e.mark.is_null() ? 1 : e.mark.line + 1, "cannot read rule: " + e.msg);
  }
  auto found = reader.errors();
  errors.insert(errors.end(), found.begin(), found.end());
}

}  // namespace

const Rule* RuleSet::find(const std::string& name) const {
  for (const Rule& r : rules_)
    if (r.name == name) return &r;
  return nullptr;
}

const Rule* RuleSet::match(const Alert& alert) const {
  for (const Rule& r : rules_)
    if (r.matches(alert)) return &r;
  return nullptr;
}

RuleLoad load_rules_text(const std::string& yaml, const std::string& file, const StepCatalog& catalog) {
  RuleLoad out;
  std::map<std::string, SourceLocation> names;
  std::vector<Rule> rules;
  load_file_text(yaml, file, catalog, names, rules, out.errors);
  out.rules = RuleSet(std::move(rules));
  out.files.push_back(file);
  return out;
}

RuleLoad load_rules(const std::vector<std::string>& patterns, const StepCatalog& catalog,
                    const std::string& base_dir) {
  RuleLoad out;
  for (const std::string& pattern : patterns) {
    std::string resolved = resolve_path(base_dir, pattern);
    Glob g(resolved);
    if (g.rc() == GLOB_NOMATCH) {
      out.errors.push_back(Error{resolved, "rule pattern \"" + pattern + "\" matches no file"});
      continue;
    }
    if (g.rc() != 0) {
      out.errors.push_back(Error{resolved, "cannot expand rule pattern \"" + pattern + "\""});
      continue;
    }
    for (std::string& path : g.paths()) {
      if (std::find(out.files.begin(), out.files.end(), path) == out.files.end()) out.files.push_back(std::move(path));
    }
  }
  std::map<std::string, SourceLocation> names;
  std::vector<Rule> rules;
  for (const std::string& file : out.files) {
    auto text = read_text_file(file, kMaxRuleFileBytes);
    if (!text) {
      out.errors.push_back(Error{file, text.error().message});
      continue;
    }
    load_file_text(*text, file, catalog, names, rules, out.errors);
  }
  out.rules = RuleSet(std::move(rules));
  return out;
}

}  // namespace rr
