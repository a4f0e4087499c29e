#pragma once
// A step is one read-only look at the system. It returns structured facts
// and a one-line summary; it never judges (see judge/) and never writes.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "common/redact.h"
#include "common/time.h"
#include "config/config.h"
#include "rules/rule.h"

namespace rr {

enum class StepStatus { Ok, Failed, Timeout, Skipped };
std::string_view step_status_name(StepStatus s);

struct StepResult {
  std::string id;      // the rule's step id
  std::string kind;    // e.g. "nats.health"
  std::string target;  // what it looked at, e.g. "cluster cim (3 servers)"
  StepStatus status = StepStatus::Skipped;
  Millis duration{0};
  std::string summary;   // one line for humans
  std::string output;    // trimmed raw-ish detail, safe to show
  nlohmann::json facts;  // structured, for the judges; see each kind's header
};

struct StepInput {
  std::string id;
  std::map<std::string, std::string> params;  // already validated
  const ClusterConfig* cluster = nullptr;     // may be null: no cluster matched
  Deadline deadline;                          // this step's own deadline
  bool fresh = false;  // never answered from a read shared with another triage (engine/shared_reads.h)

  // A parameter's value; "" when the rule did not give it.
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Replaces credentials (see common/redact.h) in the summary, the output and
// every string of the facts, and makes them valid UTF-8 (sanitize_utf8). The
// triage calls it on every result before judging, reporting or logging, so
// no step kind can forget it.
void redact_result(StepResult& result, const Redactor& redactor);

class StepKind {
 public:
  virtual ~StepKind() = default;
  virtual std::string_view name() const = 0;
  virtual std::map<std::string, StepCatalog::Param> params() const = 0;
  // The kind's check of plain parameter values at rule load, if it has one
  // (see StepCatalog::Check).
  virtual StepCatalog::Check check() const { return nullptr; }
  // Must return by input.deadline. Unreachable servers are facts, not
  // failures: status Failed means the step itself could not do its job.
  virtual StepResult run(const StepInput& input) const = 0;
};

class StepRegistry {
 public:
  void add(std::unique_ptr<StepKind> kind);
  const StepKind* find(std::string_view name) const;  // owned by the registry
  StepCatalog catalog() const;
  // Replaces every kind with wrap(kind), e.g. a decorator around it.
  void wrap(const std::function<std::unique_ptr<StepKind>(std::unique_ptr<StepKind>)>& wrap);

 private:
  std::vector<std::unique_ptr<StepKind>> kinds_;
};

// Every step kind the product ships, with one ssh.NAME kind per command
// of `config` (its hosts, SSH settings and session bound); without a
// config, the built-in commands and no hosts.
StepRegistry default_step_registry(const Config& config);
StepRegistry default_step_registry();

}  // namespace rr
