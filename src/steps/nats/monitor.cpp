#include "steps/nats/monitor.h"

#include "steps/nats/json_read.h"

namespace rr::nats {

std::vector<ServerRef> server_refs(const ClusterConfig& cluster) {
  std::vector<ServerRef> refs;
  for (std::size_t i = 0; i < cluster.monitor.size(); ++i) {
    ServerRef ref;
    ref.index = static_cast<int>(i);
    ref.monitor = cluster.monitor[i];
    if (i < cluster.servers.size()) ref.client = cluster.servers[i];
    refs.push_back(std::move(ref));
  }
  return refs;
}

nlohmann::json server_ref_facts(const ServerRef& ref) {
  return {{"index", ref.index}, {"monitor", ref.monitor}, {"client", ref.client}};
}

nlohmann::json peer_facts(const nlohmann::json& r) {
  return {{"name", one_line(get_string(r, "name"))},
          {"peer", one_line(get_string(r, "peer"), 64)},
          {"current", get_bool(r, "current")},
          {"offline", get_bool(r, "offline")},
          {"active_ns", get_uint(r, "active").value_or(0)},
          {"lag", get_uint(r, "lag").value_or(0)}};
}

MonitorReply parse_monitor_reply(const HttpResponse& response) {
  MonitorReply reply;
  if (response.status == 0) {
    reply.error = response.error.empty() ? "no response" : one_line(response.error);
    return reply;
  }
  reply.reachable = true;
  reply.code = response.status;
  if (response.truncated) {
    reply.error = "reply larger than " + std::to_string(kMonitorReplyLimit) + " bytes";
    return reply;
  }
  auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    reply.error = "invalid JSON from server";
    return reply;
  }
  reply.body = std::move(body);
  return reply;
}

std::string data_reply_error(const MonitorReply& reply) {
  if (!reply.error.empty()) return reply.error;
  if (reply.code != 200) return "HTTP " + std::to_string(reply.code);
  return "";
}

MonitorReply get_monitor(const std::string& monitor_url, std::string_view path, Deadline deadline) {
  std::string base = monitor_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpRequest request;
  request.url = base + std::string(path);
  request.max_response_bytes = kMonitorReplyLimit;
  return parse_monitor_reply(http_request(request, deadline));
}

}  // namespace rr::nats
