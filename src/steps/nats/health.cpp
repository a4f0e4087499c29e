#include "steps/nats/health.h"

#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

nlohmann::json endpoint_facts(const MonitorReply& reply) {
  std::string error = reply.error;
  if (error.empty()) error = one_line(get_string(reply.body, "error"));
  // invalid: a reply arrived that no NATS server sends (not a JSON object,
  // over the size cap).
  return {{"code", reply.code},
          {"status", one_line(get_string(reply.body, "status"), 64)},
          {"error", error},
          {"invalid", reply.reachable && !reply.error.empty()}};
}

std::string endpoint_text(const nlohmann::json& endpoint) {
  std::string text = std::to_string(get_int(endpoint, "code").value_or(0));
  std::string status = get_string(endpoint, "status");
  std::string error = get_string(endpoint, "error");
  if (!status.empty()) text += " " + status;
  if (!error.empty()) text += " (" + error + ")";
  return text;
}

}  // namespace

nlohmann::json health_server_facts(const ServerRef& ref, const MonitorReply& healthz, const MonitorReply& healthz_js) {
  nlohmann::json facts = server_ref_facts(ref);
  facts["reachable"] = healthz.reachable || healthz_js.reachable;
  facts["error"] = healthz.reachable ? std::string() : healthz.error;
  facts["healthz"] = endpoint_facts(healthz);
  facts["healthz_js"] = endpoint_facts(healthz_js);
  // 200 with a NATS health body; a 200 with garbage is not a healthy NATS server.
  facts["healthy"] = healthz.code == 200 && healthz.error.empty() && healthz_js.code == 200 && healthz_js.error.empty();
  return facts;
}

nlohmann::json health_facts(const ClusterConfig& cluster, const std::vector<nlohmann::json>& servers) {
  int answered = 0, healthy = 0;
  for (const auto& s : servers) {
    if (get_bool(s, "reachable")) ++answered;
    if (get_bool(s, "healthy")) ++healthy;
  }
  return {{"cluster", cluster.name}, {"total", servers.size()}, {"answered", answered},
          {"healthy", healthy},      {"reachable", answered > 0}, {"servers", servers}};
}

std::string health_summary(const nlohmann::json& facts) {
  std::string summary = std::to_string(get_int(facts, "healthy").value_or(0)) + "/" +
                        std::to_string(get_int(facts, "total").value_or(0)) + " servers healthy";
  for (const auto& s : field(facts, "servers")) {
    if (get_bool(s, "healthy")) continue;
    summary += "; " + get_string(s, "monitor");
    if (!get_bool(s, "reachable")) {
      summary += " unreachable";
    } else {
      const auto& h = field(s, "healthz");
      summary += " " + endpoint_text(get_int(h, "code").value_or(0) == 200 ? field(s, "healthz_js") : h);
    }
  }
  return one_line(summary, 400);
}

std::string health_output(const nlohmann::json& facts) {
  return per_server_output(facts, [](const nlohmann::json& s) {
    std::string out;
    out += "healthz " + endpoint_text(field(s, "healthz")) + ", js-enabled-only " +
           endpoint_text(field(s, "healthz_js")) + "\n";
    return out;
  });
}

StepResult HealthStep::run(const StepInput& input) const {
  static const MonitorStepParts parts{
      [](const ServerRef& ref, Deadline deadline) {
        MonitorReply healthz = get_monitor(ref.monitor, "/healthz", deadline);
        // A server that did not answer once is not asked again: the second
        // request would only spend the rest of the deadline.
        MonitorReply js =
            healthz.reachable ? get_monitor(ref.monitor, "/healthz?js-enabled-only=true", deadline) : healthz;
        return health_server_facts(ref, healthz, js);
      },
      [](const ClusterConfig& c, std::vector<nlohmann::json> s) { return health_facts(c, s); },
      health_summary,
      health_output};
  return run_monitor_step(kName, input, parts);
}

}  // namespace rr::nats
