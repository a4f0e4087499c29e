#pragma once
// What every NATS step kind does around its own work: name the target, time
// the run, skip when no cluster is configured, and turn an unexpected
// exception into a Failed result instead of letting it escape run().

#include <functional>
#include <string>
#include <string_view>

#include "steps/nats/monitor.h"
#include "steps/step.h"

namespace rr::nats {

// "cluster cim (3 servers)".
std::string cluster_target(const ClusterConfig& cluster);

// Runs body(cluster, result) with result's id, kind, target and status Ok
// already set; sets duration afterwards. No cluster: Skipped with summary
// "no cluster configured for this alert".
StepResult run_step(std::string_view kind, const StepInput& input,
                    const std::function<void(const ClusterConfig&, StepResult&)>& body);

// The parts of a step that reads every server's monitoring port.
struct MonitorStepParts {
  // One server's facts; called for every server at once, must not throw.
  std::function<nlohmann::json(const ServerRef&, Deadline)> read;
  // The step's facts from the per-server facts, in configuration order.
  std::function<nlohmann::json(const ClusterConfig&, std::vector<nlohmann::json>)> combine;
  std::function<std::string(const nlohmann::json&)> summary;  // one line
  std::function<std::string(const nlohmann::json&)> output;   // a few lines per server
};

// run_step() for a monitoring-port step: Failed when the cluster has no
// monitor URLs, else read every server in parallel and fill facts, summary
// and (trimmed) output.
StepResult run_monitor_step(std::string_view kind, const StepInput& input, const MonitorStepParts& parts);

// Human output of a monitoring step: "<monitor>: " then `reachable(server)`
// for a server that answered, or "unreachable (<error>)" for one that did
// not; one block per server of facts["servers"].
std::string per_server_output(const nlohmann::json& facts,
                              const std::function<std::string(const nlohmann::json&)>& reachable);

// Cuts a step's human output to what a report can show.
std::string trim_step_output(std::string_view text);

}  // namespace rr::nats
