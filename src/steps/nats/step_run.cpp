#include "steps/nats/step_run.h"

#include "steps/nats/json_read.h"

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

StepResult run_monitor_step(std::string_view kind, const StepInput& input, const MonitorStepParts& parts) {
  return run_step(kind, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto refs = server_refs(cluster);
    if (refs.empty()) {
      result.status = StepStatus::Failed;
      result.summary = "no monitor URLs configured for cluster " + cluster.name;
      return;
    }
    auto servers = for_each_server(refs, [&](const ServerRef& ref) { return parts.read(ref, input.deadline); });
    result.facts = parts.combine(cluster, std::move(servers));
    result.summary = parts.summary(result.facts);
    result.output = trim_step_output(parts.output(result.facts));
  });
}

std::string per_server_output(const nlohmann::json& facts,
                              const std::function<std::string(const nlohmann::json&)>& reachable) {
  std::string out;
  for (const auto& s : field(facts, "servers")) {
    out += get_string(s, "monitor") + ": ";
    out += get_bool(s, "reachable") ? reachable(s) : "unreachable (" + get_string(s, "error") + ")\n";
  }
  return out;
}

}  // namespace rr::nats
