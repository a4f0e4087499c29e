#include "steps/http/http_steps.h"

#include "steps/http/json_step.h"
#include "steps/http/metrics_step.h"

namespace rr::http {

void add_http_steps(StepRegistry& registry) {
  registry.add(std::make_unique<JsonStep>());
  registry.add(std::make_unique<MetricsStep>());
}

}  // namespace rr::http
