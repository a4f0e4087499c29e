#include "steps/nats/sys_step.h"

#include <future>

#include "steps/nats/json_read.h"
#include "steps/nats/monitor.h"

namespace rr::nats {
namespace {

nlohmann::json problem_facts(const ClusterConfig& cluster, const SysConnection& conn, SysProblem problem,
                             const std::string& error) {
  nlohmann::json system = conn.connection_facts();
  system["problem"] = std::string(sys_problem_name(problem));
  system["error"] = error;
  return {{"cluster", cluster.name}, {"reachable", false}, {"system", std::move(system)}};
}

}  // namespace

std::optional<SysConnection> open_sys_for_step(const ClusterConfig& cluster, const StepInput& input,
                                               StepResult& result, ConnectionPool* pool) {
  if (!has_system_identity(cluster)) {
    result.status = StepStatus::Skipped;
    result.summary = "no system-account user configured for cluster " + cluster.name +
                     ": add system_user/system_password_file (or system_creds_file)";
    return std::nullopt;
  }
  if (cluster.servers.empty()) {
    result.status = StepStatus::Failed;
    result.summary = "no server URLs configured for cluster " + cluster.name;
    return std::nullopt;
  }
  SysConnection conn = SysConnection::open(cluster, input.deadline, pool);
  std::string error;
  SysProblem problem = conn.connect_problem(error);
  if (problem == SysProblem::None) return conn;
  if (problem == SysProblem::AuthFailed) {
    result.status = StepStatus::Failed;
    result.summary = one_line("system account login failed: " + error, 400);
    result.facts = problem_facts(cluster, conn, problem, error);
    result.output = result.summary;
    return std::nullopt;
  }
  // Nobody answered: every configured server is a fact for the judges.
  nlohmann::json servers = nlohmann::json::array();
  for (const auto& ref : server_refs(cluster)) {
    nlohmann::json s = server_ref_facts(ref);
    s["configured"] = true;
    s["reachable"] = false;
    s["error"] = "";
    for (const auto& a : conn.failed_attempts()) {
      if (a.server == ref.client) s["error"] = a.error;
    }
    servers.push_back(std::move(s));
  }
  SysGather none;
  none.problem = problem;
  none.error = error;
  result.facts = sys_envelope(cluster, conn, none, SysPlacement{}, std::move(servers));
  result.summary = one_line("no server answered: " + error, 400);
  result.output = result.summary;
  return std::nullopt;
}

bool sys_gather_usable(const ClusterConfig& cluster, const SysConnection& conn, const SysGather& gather,
                       StepResult& result) {
  if (!gather.replies.empty()) return true;
  result.status = gather.problem == SysProblem::NoReply ? StepStatus::Timeout : StepStatus::Failed;
  result.summary = one_line(gather.subject + ": " + gather.error, 400);
  result.facts = problem_facts(cluster, conn, gather.problem, gather.error);
  result.facts["system"]["subject"] = gather.subject;
  result.output = result.summary;
  return false;
}

std::vector<SysGather> sys_ping_all(const SysConnection& conn,
                                    const std::vector<std::pair<std::string, std::string>>& what_and_body,
                                    Deadline deadline) {
  std::vector<std::future<SysGather>> futures;
  // Not a structured binding: clang before 16 cannot capture one.
  for (const auto& request : what_and_body) {
    futures.push_back(std::async(std::launch::async, [&conn, &request, deadline] {
      return conn.ping(request.first, request.second, deadline);
    }));
  }
  std::vector<SysGather> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

nlohmann::json labelled_for_output(nlohmann::json facts) {
  if (!facts.contains("servers") || !facts["servers"].is_array()) return facts;
  for (auto& s : facts["servers"]) {
    if (!get_string(s, "monitor").empty()) continue;
    std::string label = get_string(s, "client");
    if (label.empty()) label = get_string(s, "server_name") + (get_bool(s, "configured") ? "" : " (discovered)");
    s["monitor"] = label;
  }
  return facts;
}

}  // namespace rr::nats
