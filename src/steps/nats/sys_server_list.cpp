#include "steps/nats/sys_server_list.h"

#include "steps/nats/json_read.h"
#include "steps/nats/server_list.h"
#include "steps/nats/step_run.h"
#include "steps/nats/sys_step.h"

namespace rr::nats {

nlohmann::json sys_server_facts(const SysServer& server, const SysReply* statsz) {
  nlohmann::json facts = server.facts;
  if (server.reply == nullptr) return facts;
  // The VARZ data is what /varz serves: read it as server_list does.
  MonitorReply varz;
  varz.reachable = true;
  varz.code = 200;
  varz.body = server.reply->data.is_object() ? server.reply->data : nlohmann::json::object();
  nlohmann::json read = server_list_server_facts(ServerRef{}, varz, MonitorReply{});
  for (const char* key : {"index", "monitor", "client", "reachable", "error", "routez_error"}) read.erase(key);
  facts.update(read);
  copy_uint(facts, varz.body, "leafnodes", "leafnodes");
  if (statsz != nullptr) {
    const auto& st = statsz->data;
    copy_uint(facts, st, "active_servers", "active_servers");
    nlohmann::json peers = nlohmann::json::array();
    const auto& routes = field(st, "routes");
    if (routes.is_array()) {
      for (const auto& r : routes) peers.push_back(one_line(get_string(r, "name")));
      facts["route_peers"] = peers;
      if (!facts.contains("routes")) facts["routes"] = peers.size();
    }
  }
  return facts;
}

StepResult SysServerListStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto conn = open_sys_for_step(cluster, input, result, pool());
    if (!conn) return;
    auto gathers = sys_ping_all(*conn, {{"VARZ", ""}, {"STATSZ", ""}}, input.deadline);
    const SysGather& varz = gathers[0];
    const SysGather& statsz = gathers[1];
    if (!sys_gather_usable(cluster, *conn, varz, result)) return;
    SysPlacement placement = place_sys_replies(cluster, conn->url(), conn->server_id(), varz);
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : placement.servers) {
      servers.push_back(sys_server_facts(s, s.reply ? reply_of(statsz, s.reply->server_id) : nullptr));
    }
    int expected = sys_expected_routes(cluster, servers);
    result.facts = sys_envelope(cluster, *conn, varz, placement, std::move(servers));
    result.facts["expected_routes"] = expected;
    if (statsz.problem != SysProblem::None) result.facts["system"]["statsz_error"] = statsz.error;
    nlohmann::json shown = labelled_for_output(result.facts);
    result.summary = server_list_summary(shown);
    result.output = trim_step_output(server_list_output(shown));
  });
}

}  // namespace rr::nats
