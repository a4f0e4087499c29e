// One rule file's text (src/rules: load_rules_text, what load_rules does
// per file) checked against the shipped step kinds' catalog, then the
// loaded rules used as the triage uses them: matched against an alert,
// step parameters and suggestions rendered (engine/triage.cpp plan()).

#include <set>
#include <string>

#include "fuzz_util.h"
#include "rules/rule.h"

namespace {

const rr::StepCatalog& catalog() {
  static const rr::StepCatalog c = rr::default_step_registry().catalog();
  return c;
}

const rr::Alert& alert() {
  static const rr::Alert a = [] {
    rr::Alert x;
    x.status = "firing";
    x.labels = {{"alertname", "EventStreamDisconnected"}, {"severity", "critical"}, {"stream", "CIM-EVENTS"},
                {"consumer", "CIM-PROCESSOR"}, {"instance", "n1.example:7777"}, {"server_name", "n1"},
                {"job", "nats"}, {"cluster", "cim"}};
    x.annotations = {{"summary", "stream $(id) is gone; rm -rf /"}};
    x.fingerprint = "0123456789abcdef";
    return x;
  }();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(rr::fuzz::text_of(data, size));
  rr::RuleLoad load = rr::load_rules_text(text, "fuzz.yaml", catalog());
  for (const rr::Error& e : load.errors) RR_FUZZ_CHECK(!e.message.empty());

  rr::TemplateScope scope;
  for (const auto& [k, v] : alert().labels) scope["labels." + k] = v;
  for (const auto& [k, v] : alert().annotations) scope["annotations." + k] = v;
  scope["alert.name"] = alert().name();
  scope["cluster.name"] = "cim";
  rr::TemplateScope finding_scope = scope;
  finding_scope["finding.server"] = "n2";
  finding_scope["finding.stream"] = "CIM-EVENTS";
  finding_scope["host.name"] = "n2.example";

  std::set<std::string> names;
  for (const rr::Rule& rule : load.rules.rules()) {
    RR_FUZZ_CHECK(names.insert(rule.name).second);  // unique names
    RR_FUZZ_CHECK(!rule.match.empty());
    (void)rule.matches(alert());
    for (const auto* list : {&rule.steps, &rule.verify}) {
      for (const rr::StepSpec& spec : *list) {
        auto kind = catalog().kinds.find(spec.kind);
        RR_FUZZ_CHECK(kind != catalog().kinds.end());
        for (const auto& [name, tmpl] : spec.params) {
          auto param = kind->second.find(name);
          RR_FUZZ_CHECK(param != kind->second.end());
          auto value = tmpl.render(scope, param->second.type);
          if (value) (void)rr::check_value(param->second.type, *value);
        }
      }
    }
    for (const rr::SuggestSpec& s : rule.suggest) {
      // Rule files are not checked for UTF-8: the report and the notifiers
      // replace invalid bytes, so a command is not checked for it either.
      auto cmd = s.command.render(finding_scope, rr::ValueType::Word, rr::Template::Quoting::Shell);
      if (!cmd) RR_FUZZ_CHECK(!cmd.error().message.empty());
    }
  }
  (void)load.rules.match(alert());
  return 0;
}
