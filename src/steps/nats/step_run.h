#pragma once
// What every NATS step kind does around its own work: name the target, time
// the run, skip when no cluster is configured, and turn an unexpected
// exception into a Failed result instead of letting it escape run().

#include <functional>
#include <string>
#include <string_view>

#include "steps/step.h"

namespace rr::nats {

// "cluster cim (3 servers)".
std::string cluster_target(const ClusterConfig& cluster);

// Runs body(cluster, result) with result's id, kind, target and status Ok
// already set; sets duration afterwards. No cluster: Skipped with summary
// "no cluster configured for this alert".
StepResult run_step(std::string_view kind, const StepInput& input,
                    const std::function<void(const ClusterConfig&, StepResult&)>& body);

// Cuts a step's human output to what a report can show.
std::string trim_step_output(std::string_view text);

}  // namespace rr::nats
