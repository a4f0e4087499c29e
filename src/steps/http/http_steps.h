#pragma once
// The HTTP step kinds: http.json (json_step.h) and http.metrics
// (metrics_step.h). They read a URL given in the rule and need no cluster.

#include "steps/step.h"

namespace rr::http {

void add_http_steps(StepRegistry& registry);

}  // namespace rr::http
