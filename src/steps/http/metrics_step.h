#pragma once
// http.metrics: GET a Prometheus metrics endpoint and pick out named
// series with their labels, like the runbook's
// `curl -s localhost:9091/metrics | grep cim_events_total`.
//
// Parameters:
//   url     (url, required)   e.g. http://127.0.0.1:9091/metrics
//   series  (name, required)  comma-separated metric or family names, at
//                             most 20, e.g. cim_events_total,nats_lag_messages
//                             (type `name`, not `word`: a word cannot hold ',')
//   match   (word, optional)  one label matcher LABEL=VALUE, e.g.
//                             stream=CIM-EVENTS: only samples with that label
//                             value count
//   max     (word, optional)  SERIES=NUMBER, SERIES one of `series`: the
//                             most its samples may read, e.g.
//                             cim_event_processing_lag=300 (the judge's
//                             metrics.over_max)
//
// Reads at most 4 MiB and 200000 lines (prom_text.h parses them). Facts:
// http_fetch.h's common facts ("error" is also set for a non-2xx answer,
// "HTTP 404", for a body with no valid sample line, "not Prometheus text:
// line 1: ...", and for more lines than the cap) and
//   {"match": {"stream": "CIM-EVENTS"},   // {} when not given
//    "max": {"series": "cim_event_processing_lag", "value": 300},  // when given
//    "series": [{"name": "cim_events_total", "type": "counter",  // "" untyped
//                "found": true,           // some sample matched
//                "samples": [{"name": "cim_events_total",
//                             "labels": {"stream": "CIM-EVENTS"},
//                             "value": "12345",        // as written: "NaN", "+Inf"
//                             "number": 12345,         // only when finite
//                             "timestamp_ms": 1700000000000}],  // when given
//                "unmatched": 0,          // samples `match` left out
//                "capped": false}],       // more than 200 samples matched
//    "missing": ["cim_event_processing_lag"],  // names with no matching sample
//    "complete": true,    // the whole body was read and scanned: only then
//                         // does "missing" mean absent
//    "lines": 120, "bad_lines": 0,
//    "first_bad": "line 7: invalid value at byte 12"}   // when bad_lines > 0
// Only when the server answered does the step fill more than the common
// facts. The report output is the matching lines as the server sent them.

#include "steps/step.h"

namespace rr::http {

class MetricsStep : public StepKind {
 public:
  static constexpr std::string_view kName = "http.metrics";
  static constexpr std::size_t kMaxBytes = 4 << 20;
  static constexpr std::size_t kMaxSeries = 20;
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override;
  StepCatalog::Check check() const override;  // series, match and max as above
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::http
