#include "steps/nats/js_step.h"

#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {

std::optional<JsConnection> open_js_for_step(const ClusterConfig& cluster, const StepInput& input,
                                             StepResult& result, ConnectionPool* pool) {
  result.facts["cluster"] = cluster.name;
  result.facts["error"] = "";
  result.facts["js_error_code"] = 0;
  if (cluster.servers.empty()) {
    result.status = StepStatus::Failed;
    result.summary = "no NATS server URLs configured for cluster " + cluster.name;
    result.facts["reachable"] = false;
    return std::nullopt;
  }
  JsConnection conn = JsConnection::open(cluster, input.deadline, pool);
  result.facts.update(conn.connection_facts());
  if (!conn.connected()) {
    result.summary = "no server answered";
    result.output = trim_step_output(connection_output(result.facts));
    return std::nullopt;
  }
  return conn;
}

void record_js_error(const NatsError& error, StepResult& result) { result.facts.update(error.to_facts()); }

std::string connection_output(const nlohmann::json& facts) {
  std::string out;
  for (const auto& e : field(facts, "connect_errors")) {
    out += get_string(e, "server") + ": " + get_string(e, "error") + "\n";
  }
  if (std::string url = get_string(facts, "connected_url"); !url.empty()) out += "connected to " + url + "\n";
  return out;
}

std::string replication_text(const nlohmann::json& replication) {
  if (!replication.is_object() || replication.empty()) return "not clustered";
  std::string leader = get_string(replication, "leader");
  std::string text = leader.empty() ? "no leader" : leader + " leader";
  for (const auto& r : field(replication, "replicas")) {
    text += ", " + get_string(r, "name");
    if (get_bool(r, "offline")) {
      text += " offline";
    } else {
      text += get_bool(r, "current") ? " current" : " not current";
    }
    if (auto lag = get_uint(r, "lag"); lag && *lag > 0) text += " (lag " + std::to_string(*lag) + ")";
  }
  return text;
}

}  // namespace rr::nats
