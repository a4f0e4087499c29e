#include "steps/step.h"

#include <utility>

#include "common/text.h"

#include "steps/nats/nats_steps.h"
#include "steps/tcp/reachability.h"
#include "steps/http/http_steps.h"
#include "steps/ssh/command_step.h"

namespace rr {

std::string_view step_status_name(StepStatus s) {
  switch (s) {
    case StepStatus::Ok: return "ok";
    case StepStatus::Failed: return "failed";
    case StepStatus::Timeout: return "timeout";
    case StepStatus::Skipped: return "skipped";
  }
  return "unknown";
}

namespace {

void redact_json(nlohmann::json& j, const Redactor& redactor) {
  if (j.is_string()) {
    j = sanitize_utf8(redactor.apply(j.get_ref<const std::string&>()));
  } else if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (!value.is_string()) {
        redact_json(value, redactor);
        continue;
      }
      const std::string& text = value.get_ref<const std::string&>();
      std::string redacted = redactor.apply(text);
      // The key can be what marks the value as a secret ({"password": "x"}
      // from a server's reply): read as `key=value`, the built-in rules see it.
      if (redacted == text) {
        const std::string keyed = key + "=" + text;
        if (redactor.apply(keyed) != keyed) redacted = std::string(kRedacted);
      }
      value = sanitize_utf8(redacted);
    }
  } else if (j.is_array()) {
    for (auto& item : j) redact_json(item, redactor);
  }
}

}  // namespace

void redact_result(StepResult& result, const Redactor& redactor) {
  result.summary = sanitize_utf8(redactor.apply(result.summary));
  result.output = sanitize_utf8(redactor.apply(result.output));
  redact_json(result.facts, redactor);
}

void StepRegistry::add(std::unique_ptr<StepKind> kind) {
  if (!kind) return;
  // A later kind of the same name replaces the earlier one, so find() and
  // catalog() can never disagree.
  for (auto& existing : kinds_) {
    if (existing->name() == kind->name()) {
      existing = std::move(kind);
      return;
    }
  }
  kinds_.push_back(std::move(kind));
}

const StepKind* StepRegistry::find(std::string_view name) const {
  for (const auto& kind : kinds_) {
    if (kind->name() == name) return kind.get();
  }
  return nullptr;
}

void StepRegistry::wrap(const std::function<std::unique_ptr<StepKind>(std::unique_ptr<StepKind>)>& wrap) {
  for (auto& kind : kinds_) kind = wrap(std::move(kind));
}

StepCatalog StepRegistry::catalog() const {
  StepCatalog catalog;
  for (const auto& kind : kinds_) {
    catalog.kinds[std::string(kind->name())] = kind->params();
    if (StepCatalog::Check check = kind->check()) catalog.checks[std::string(kind->name())] = check;
  }
  return catalog;
}

StepRegistry default_step_registry(const Config& config) {
  StepRegistry registry;
  nats::add_nats_steps(registry);
  registry.add(std::make_unique<tcp::ReachabilityStep>());
  http::add_http_steps(registry);
  ssh::add_ssh_steps(registry, config);
  return registry;
}

StepRegistry default_step_registry() { return default_step_registry(Config{}); }

}  // namespace rr
