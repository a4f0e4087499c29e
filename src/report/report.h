#pragma once
// The report model: one per alert group and triage. Built by the engine
// from findings and step results; renderers (notify/) only read it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/time.h"
#include "judge/finding.h"
#include "steps/step.h"

namespace rr {

struct Suggestion {
  std::string command;  // never run by the responder
  std::string why;
  std::string risk;  // "read-only", "low", "medium", "high"
};

struct Link {
  std::string title;
  std::string url;
};

struct ReportAlert {
  std::string name;
  std::string status;  // firing / resolved
  std::string fingerprint;
  LabelSet labels;
  std::string summary;  // annotations.summary or description
  TimePoint starts_at;
  std::string rule;  // empty when no rule matched
};

struct Report {
  // Started: a progress notice sent when a triage begins ("diagnosing"),
  // for targets that edit one message per incident; the others skip it.
  enum class Kind { Triage, Resolution, Unmatched, Started };
  static constexpr int kSchemaVersion = 1;

  Kind kind = Kind::Triage;
  std::string id;      // unique per report
  std::string status;  // firing / resolved
  std::string title;   // "[FIRING:2] EventStreamDisconnected cim"
  std::string group_key;
  std::string receiver;
  LabelSet group_labels;
  LabelSet common_labels;
  std::vector<ReportAlert> alerts;
  std::string rule;     // first matched rule, empty if none
  std::string cluster;  // cluster the steps ran against
  std::string verdict;  // one line
  std::vector<Finding> findings;  // most severe first
  std::vector<StepResult> steps;
  std::vector<Suggestion> suggestions;
  std::vector<Link> links;  // the full report page first, when `url` is set
  std::string url;          // the full report page; "" when no external_url is configured
  std::int64_t truncated_alerts = 0;
  TimePoint created;
  Millis triage_duration{0};

  Severity worst() const;  // Ok when no findings
};

// "triage", "resolution", "unmatched", "started": the `kind` of the JSON schema.
std::string_view report_kind_name(Report::Kind kind);

}  // namespace rr
