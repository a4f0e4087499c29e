#include "steps/nats/server_list.h"

#include <map>

#include "common/time.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {

nlohmann::json server_list_server_facts(const ServerRef& ref, const MonitorReply& varz, const MonitorReply& routez) {
  nlohmann::json facts = server_ref_facts(ref);
  facts["reachable"] = varz.reachable;
  facts["error"] = data_reply_error(varz);
  const auto& v = varz.body;
  copy_string(facts, v, "server_name", "server_name");
  copy_string(facts, v, "server_id", "server_id");
  copy_string(facts, v, "version", "version");
  copy_string(facts, v, "uptime", "uptime");
  copy_uint(facts, v, "connections", "connections");
  copy_uint(facts, v, "slow_consumers", "slow_consumers");
  copy_uint(facts, v, "mem", "mem");
  if (auto cpu = get_number(v, "cpu")) facts["cpu"] = *cpu;
  copy_string(facts, field(v, "cluster"), "name", "cluster_name");
  copy_uint(facts, v, "routes", "routes");

  const auto& js = field(v, "jetstream");
  if (varz.body.is_object()) facts["jetstream"] = field(js, "config").is_object();
  const auto& meta = field(js, "meta");
  if (meta.is_object()) {
    facts["meta_leader"] = one_line(get_string(meta, "leader"));
    copy_uint(facts, meta, "cluster_size", "meta_cluster_size");
    // Only the meta leader lists the group's peers.
    if (const auto& replicas = field(meta, "replicas"); replicas.is_array()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& r : replicas) list.push_back(peer_facts(r));
      facts["meta_replicas"] = list;
    }
  }

  facts["routez_error"] = data_reply_error(routez);
  if (routez.body.is_object()) {
    copy_uint(facts, routez.body, "num_routes", "routes");
    nlohmann::json ids = nlohmann::json::array();
    const auto& routes = field(routez.body, "routes");
    if (routes.is_array()) {
      for (const auto& r : routes) {
        std::string id = one_line(get_string(r, "remote_id"), 64);
        if (!id.empty()) ids.push_back(id);
      }
    }
    facts["route_ids"] = ids;
  }
  return facts;
}

nlohmann::json server_list_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers) {
  std::map<std::string, std::string> name_of_id;
  int answered = 0;
  for (const auto& s : servers) {
    if (get_bool(s, "reachable")) ++answered;
    std::string id = get_string(s, "server_id"), name = get_string(s, "server_name");
    if (!id.empty() && !name.empty()) name_of_id[id] = name;
  }
  for (auto& s : servers) {
    const auto& ids = field(s, "route_ids");
    if (!ids.is_array()) continue;
    nlohmann::json peers = nlohmann::json::array();
    for (const auto& id : ids) {
      std::string text = id.is_string() ? id.get<std::string>() : std::string();
      auto it = name_of_id.find(text);
      peers.push_back(it == name_of_id.end() ? text : it->second);
    }
    s["route_peers"] = peers;
    s.erase("route_ids");
  }
  int expected = cluster.monitor.empty() ? 0 : static_cast<int>(cluster.monitor.size()) - 1;
  return {{"cluster", cluster.name},  {"total", servers.size()},     {"answered", answered},
          {"reachable", answered > 0}, {"expected_routes", expected}, {"servers", servers}};
}

std::string server_list_summary(const nlohmann::json& facts) {
  std::string summary = std::to_string(get_int(facts, "answered").value_or(0)) + "/" +
                        std::to_string(get_int(facts, "total").value_or(0)) + " servers answered";
  auto expected = get_int(facts, "expected_routes").value_or(0);
  std::string routes, down, leaders;
  for (const auto& s : field(facts, "servers")) {
    if (!get_bool(s, "reachable")) {
      down += (down.empty() ? "" : ", ") + get_string(s, "monitor");
      continue;
    }
    std::string name = get_string(s, "server_name");
    if (name.empty()) name = get_string(s, "monitor");
    if (auto r = get_int(s, "routes"); r && *r < expected) {
      routes += (routes.empty() ? "" : " ") + name + "=" + std::to_string(*r);
    }
    std::string leader = get_string(s, "meta_leader");
    if (!leader.empty() && leaders.find(leader) == std::string::npos) leaders += (leaders.empty() ? "" : ",") + leader;
  }
  if (!down.empty()) summary += "; " + down + " unreachable";
  if (!routes.empty()) summary += "; routes " + routes + " (expected " + std::to_string(expected) + ")";
  if (!leaders.empty()) summary += "; meta leader " + leaders;
  return one_line(summary, 400);
}

std::string server_list_output(const nlohmann::json& facts) {
  return per_server_output(facts, [](const nlohmann::json& s) {
    std::string out;
    std::string peers;
    for (const auto& p : field(s, "route_peers")) {
      if (p.is_string()) peers += (peers.empty() ? "" : ",") + p.get<std::string>();
    }
    out += get_string(s, "server_name") + " v" + get_string(s, "version") + " up " + get_string(s, "uptime") +
           ", cluster " + get_string(s, "cluster_name") +
           ", routes " + std::to_string(get_int(s, "routes").value_or(0)) + (peers.empty() ? "" : " (" + peers + ")") +
           ", conns " + std::to_string(get_int(s, "connections").value_or(0)) +
           ", slow " + std::to_string(get_int(s, "slow_consumers").value_or(0)) +
           ", mem " + format_bytes(get_uint(s, "mem").value_or(0)) +
           ", meta leader " + get_string(s, "meta_leader") + "\n";
    if (std::string e = get_string(s, "error"); !e.empty()) out += "  error: " + e + "\n";
    return out;
  });
}

StepResult ServerListStep::run(const StepInput& input) const {
  static const MonitorStepParts parts{
      [](const ServerRef& ref, Deadline deadline) {
        MonitorReply varz = get_monitor(ref.monitor, "/varz", deadline);
        MonitorReply routez = varz.reachable ? get_monitor(ref.monitor, "/routez", deadline) : varz;
        return server_list_server_facts(ref, varz, routez);
      },
      server_list_facts,
      server_list_summary,
      server_list_output};
  return run_monitor_step(kName, input, parts);
}

}  // namespace rr::nats
