#include "steps/nats/jetstream_report.h"

#include "common/time.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {

nlohmann::json jetstream_server_facts(const ServerRef& ref, const MonitorReply& jsz, const MonitorReply& varz) {
  nlohmann::json facts = server_ref_facts(ref);
  copy_string(facts, varz.body, "server_name", "server_name");
  facts["reachable"] = jsz.reachable;
  facts["error"] = data_reply_error(jsz);
  const auto& j = jsz.body;
  if (!j.is_object()) return facts;
  facts["server_id"] = one_line(get_string(j, "server_id"), 64);
  facts["jetstream"] = !get_bool(j, "disabled");
  for (const char* key : {"streams", "consumers", "messages", "bytes", "memory", "storage", "reserved_storage"}) {
    copy_uint(facts, j, key, key);
  }
  copy_uint(facts, field(j, "config"), "max_storage", "max_storage");
  copy_uint(facts, field(j, "config"), "max_memory", "max_memory");
  copy_uint(facts, field(j, "api"), "total", "api_total");
  copy_uint(facts, field(j, "api"), "errors", "api_errors");

  const auto& meta = field(j, "meta_cluster");
  if (meta.is_object()) {
    facts["meta_leader"] = one_line(get_string(meta, "leader"));
    copy_uint(facts, meta, "cluster_size", "meta_cluster_size");
    // Only the leader lists the meta group's replicas.
    const auto& replicas = field(meta, "replicas");
    bool leader = replicas.is_array();
    facts["is_meta_leader"] = leader;
    if (leader) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& r : replicas) list.push_back(peer_facts(r));
      facts["meta_replicas"] = list;
    }
  }
  return facts;
}

void add_jetstream_stream_facts(nlohmann::json& server_facts, const MonitorReply& detail) {
  server_facts["stream_detail_error"] = data_reply_error(detail);
  if (!detail.body.is_object()) return;
  nlohmann::json streams = nlohmann::json::array();
  for (const auto& account : field(detail.body, "account_details")) {
    for (const auto& st : field(account, "stream_detail")) {
      if (streams.size() >= kMaxReportStreams) break;
      nlohmann::json s = {{"name", one_line(get_string(st, "name"))},
                          {"account", one_line(get_string(account, "name"))},
                          {"leader", one_line(get_string(field(st, "cluster"), "leader"))}};
      copy_uint(s, field(st, "state"), "messages", "messages");
      copy_uint(s, field(st, "state"), "last_seq", "last_seq");
      streams.push_back(std::move(s));
    }
  }
  server_facts["stream_detail"] = std::move(streams);
}

nlohmann::json jetstream_report_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers) {
  int answered = 0;
  std::string leader;
  for (const auto& s : servers) {
    if (get_bool(s, "reachable")) ++answered;
    if (get_bool(s, "is_meta_leader")) leader = get_string(s, "meta_leader");
  }
  for (const auto& s : servers) {
    if (leader.empty()) leader = get_string(s, "meta_leader");  // no leader answered: a follower's view
  }
  return {{"cluster", cluster.name},  {"total", servers.size()}, {"answered", answered},
          {"reachable", answered > 0}, {"meta_leader", leader},   {"servers", servers}};
}

std::string jetstream_report_summary(const nlohmann::json& facts) {
  std::string summary = std::to_string(get_int(facts, "answered").value_or(0)) + "/" +
                        std::to_string(get_int(facts, "total").value_or(0)) + " servers answered";
  std::string leader = get_string(facts, "meta_leader");
  std::string down, offline;
  for (const auto& s : field(facts, "servers")) {
    if (!get_bool(s, "reachable")) down += (down.empty() ? "" : ", ") + get_string(s, "monitor");
    for (const auto& r : field(s, "meta_replicas")) {
      if (get_bool(r, "offline")) offline += (offline.empty() ? "" : ", ") + get_string(r, "name");
    }
  }
  if (!down.empty()) summary += "; " + down + " unreachable";
  summary += leader.empty() ? "; no meta leader seen" : "; meta leader " + leader;
  if (!offline.empty()) summary += ", sees " + offline + " offline";
  return one_line(summary, 400);
}

std::string jetstream_report_output(const nlohmann::json& facts) {
  return per_server_output(facts, [](const nlohmann::json& s) {
    std::string out;
    std::string name = get_string(s, "server_name");
    out += (name.empty() ? get_string(s, "server_id") : name) + (get_bool(s, "is_meta_leader") ? " (meta leader)" : "") +
           ": streams " + std::to_string(get_uint(s, "streams").value_or(0)) +
           ", consumers " + std::to_string(get_uint(s, "consumers").value_or(0)) +
           ", messages " + std::to_string(get_uint(s, "messages").value_or(0)) +
           ", storage " + format_bytes(get_uint(s, "storage").value_or(0)) + " + reserved " +
           format_bytes(get_uint(s, "reserved_storage").value_or(0)) + " of " +
           format_bytes(get_uint(s, "max_storage").value_or(0)) +
           ", api " + std::to_string(get_uint(s, "api_total").value_or(0)) + " (" +
           std::to_string(get_uint(s, "api_errors").value_or(0)) + " errors)" +
           ", meta leader " + get_string(s, "meta_leader") + "\n";
    for (const auto& r : field(s, "meta_replicas")) {
      out += "  peer " + get_string(r, "name") +
             (get_bool(r, "offline") ? " offline" : get_bool(r, "current") ? " current" : " not current") + ", seen " +
             format_duration(Nanos(get_int(r, "active_ns").value_or(0))) + " ago, lag " +
             std::to_string(get_uint(r, "lag").value_or(0)) + "\n";
    }
    for (const auto& st : field(s, "stream_detail")) {
      out += "  stream " + get_string(st, "name") + ": " + std::to_string(get_uint(st, "messages").value_or(0)) +
             " messages, last seq " + std::to_string(get_uint(st, "last_seq").value_or(0)) + ", leader " +
             (get_string(st, "leader").empty() ? "none" : get_string(st, "leader")) + "\n";
    }
    if (std::string e = get_string(s, "error"); !e.empty()) out += "  error: " + e + "\n";
    return out;
  });
}

StepResult JetStreamReportStep::run(const StepInput& input) const {
  static const MonitorStepParts parts{
      [](const ServerRef& ref, Deadline deadline) {
        MonitorReply jsz = get_monitor(ref.monitor, "/jsz", deadline);
        // /jsz does not say which server it is; /varz does.
        MonitorReply varz = jsz.reachable ? get_monitor(ref.monitor, "/varz", deadline) : MonitorReply{};
        nlohmann::json facts = jetstream_server_facts(ref, jsz, varz);
        // A separate read, so that a large or failed detail reply costs only
        // the per-stream sequences, not the server's report.
        if (jsz.reachable) {
          add_jetstream_stream_facts(facts, get_monitor(ref.monitor, "/jsz?accounts=true&streams=true", deadline));
        }
        return facts;
      },
      jetstream_report_facts,
      jetstream_report_summary,
      jetstream_report_output};
  return run_monitor_step(kName, input, parts);
}

}  // namespace rr::nats
