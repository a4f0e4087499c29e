#pragma once
// http.json: GET a JSON health endpoint and read one value in it, like the
// runbook's `curl -s localhost:3100/health | jq '.components[] |
// select(.name=="nats")'`.
//
// Parameters:
//   url     (url, required)   e.g. http://127.0.0.1:3100/health
//   path    (word, optional)  where the value is, json_path.h syntax, e.g.
//                             components.name=nats.status; default: the
//                             whole document
//   expect  (word, optional)  the healthy value, e.g. healthy or ok;
//                             compared ignoring ASCII case
//
// Reads at most 1 MiB, JSON nested at most 64 deep. A non-2xx answer with a
// JSON body is read like a 2xx one (health endpoints answer 503 when
// unhealthy). Facts: http_fetch.h's common facts and
//   {"path": "components.name=nats.status",
//    "found": true,             // only when the body is JSON
//    "missing": "components has no element with name=nats",  // when !found
//    "value": "unhealthy",      // when found: json_value_text()
//    "context": "{\"error\":\"timeout\",\"name\":\"nats\",...}",  // the object
//                               // holding the value, one line, when there is one
//    "expect": "healthy",       // when given
//    "healthy": false}          // when expect is given and the body is JSON:
//                               // found and equal to expect
// The report output is the value line then the (trimmed) JSON body.

#include "steps/step.h"

namespace rr::http {

class JsonStep : public StepKind {
 public:
  static constexpr std::string_view kName = "http.json";
  static constexpr std::size_t kMaxBytes = 1 << 20;
  static constexpr int kMaxDepth = 64;
  std::string_view name() const override { return kName; }
  std::map<std::string, StepCatalog::Param> params() const override;
  StepCatalog::Check check() const override;  // path as above
  StepResult run(const StepInput& input) const override;
};

}  // namespace rr::http
