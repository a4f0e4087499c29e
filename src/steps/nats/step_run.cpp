#include "steps/nats/step_run.h"

#include <chrono>
#include <exception>

#include "common/text.h"

namespace rr::nats {

std::string cluster_target(const ClusterConfig& cluster) {
  std::size_t n = std::max(cluster.monitor.size(), cluster.servers.size());
  return "cluster " + cluster.name + " (" + std::to_string(n) + (n == 1 ? " server)" : " servers)");
}

StepResult run_step(std::string_view kind, const StepInput& input,
                    const std::function<void(const ClusterConfig&, StepResult&)>& body) {
  auto started = std::chrono::steady_clock::now();
  StepResult result;
  result.id = input.id;
  result.kind = std::string(kind);
  if (input.cluster == nullptr) {
    result.status = StepStatus::Skipped;
    result.target = "no cluster";
    result.summary = "no cluster configured for this alert";
    result.facts = nlohmann::json::object();
    return result;
  }
  result.target = cluster_target(*input.cluster);
  result.status = StepStatus::Ok;
  result.facts = nlohmann::json::object();
  try {
    body(*input.cluster, result);
  } catch (const std::exception& e) {
    // A bug or resource exhaustion, never a server's reply: those are facts.
    result.status = StepStatus::Failed;
    result.summary = std::string("step could not run: ") + e.what();
  }
  result.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return result;
}

std::string trim_step_output(std::string_view text) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return trim_output(text, 60, 8000);
}

}  // namespace rr::nats
