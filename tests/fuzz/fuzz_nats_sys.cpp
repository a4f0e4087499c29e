// $SYS.REQ.SERVER.PING.* replies (src/steps/nats/sys_request.h
// parse_sys_reply) as nats.sys_server_list and nats.sys_jetstream_report
// use them: placed on the configured servers (sys_servers.h), VARZ, STATSZ
// and JSZ data read into per-server facts, summary and output, then
// redacted, judged and written out as the triage does.
//
// Input: up to 8 reply payloads separated by "\n-----\n"; each is offered
// as a VARZ, a STATSZ and a JSZ reply.

#include <string>

#include "fuzz_util.h"
#include "steps/nats/jetstream_report.h"
#include "steps/nats/server_list.h"
#include "steps/nats/sys_request.h"
#include "steps/nats/sys_server_list.h"
#include "steps/nats/sys_servers.h"
#include "steps/nats/sys_step.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const rr::ClusterConfig& cluster = rr::fuzz::test_cluster();
  rr::nats::SysGather varz;
  varz.subject = "$SYS.REQ.SERVER.PING.VARZ";
  for (std::string_view part : rr::fuzz::split_parts(rr::fuzz::text_of(data, size), 8)) {
    rr::nats::SysReply reply;
    if (rr::nats::parse_sys_reply(part, reply)) {
      RR_FUZZ_CHECK(reply.data.is_null() || reply.data.is_object());
      RR_FUZZ_CHECK(rr::fuzz::valid_utf8(reply.server_name) && rr::fuzz::valid_utf8(reply.server_id));
      RR_FUZZ_CHECK(reply.server_id.size() <= 64);
      varz.replies.push_back(std::move(reply));
    } else {
      ++varz.invalid;
    }
  }
  rr::nats::SysGather statsz = varz;
  statsz.subject = "$SYS.REQ.SERVER.PING";
  rr::nats::SysGather jsz = varz;
  jsz.subject = "$SYS.REQ.SERVER.PING.JSZ";
  std::string connected_id = varz.replies.empty() ? "" : varz.replies[0].server_id;

  std::vector<rr::StepResult> results;
  // nats.sys_server_list (sys_server_list.cpp), without the connection's envelope.
  {
    auto placement = rr::nats::place_sys_replies(cluster, cluster.servers[0], connected_id, varz);
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : placement.servers) {
      servers.push_back(
          rr::nats::sys_server_facts(s, s.reply ? rr::nats::reply_of(statsz, s.reply->server_id) : nullptr));
    }
    int expected = rr::nats::sys_expected_routes(cluster, servers);
    RR_FUZZ_CHECK(expected >= 0);
    nlohmann::json facts = {{"cluster", cluster.name}, {"servers", std::move(servers)},
                            {"expected_routes", expected}, {"reachable", true}};
    nlohmann::json shown = rr::nats::labelled_for_output(facts);
    results.push_back(rr::fuzz::nats_step("nats.sys_server_list", facts, rr::nats::server_list_summary(shown),
                           rr::nats::server_list_output(shown)));
  }
  // nats.sys_jetstream_report (sys_jetstream_report.cpp).
  {
    rr::nats::SysGather placed = varz;
    auto placement = rr::nats::place_sys_replies(cluster, cluster.servers[0], connected_id, placed);
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : placement.servers) {
      nlohmann::json facts = s.facts;
      const rr::nats::SysReply* j = s.reply ? rr::nats::reply_of(jsz, s.reply->server_id) : nullptr;
      if (j != nullptr) {
        rr::nats::MonitorReply reply;
        reply.reachable = true;
        reply.code = 200;
        reply.body = j->data.is_object() ? j->data : nlohmann::json::object();
        nlohmann::json read = rr::nats::jetstream_server_facts(rr::nats::ServerRef{}, reply, rr::nats::MonitorReply{});
        for (const char* key : {"index", "monitor", "client", "reachable", "error"}) read.erase(key);
        facts.update(read);
        rr::nats::add_jetstream_stream_facts(facts, reply);
        if (!j->error.empty()) facts["error"] = j->error;
      }
      servers.push_back(std::move(facts));
    }
    nlohmann::json combined = rr::nats::jetstream_report_facts(cluster, servers);
    nlohmann::json facts = {{"cluster", cluster.name}, {"servers", std::move(servers)}, {"reachable", true},
                            {"meta_leader", combined["meta_leader"]}};
    nlohmann::json shown = rr::nats::labelled_for_output(facts);
    results.push_back(rr::fuzz::nats_step("nats.sys_jetstream_report", facts, rr::nats::jetstream_report_summary(shown),
                           rr::nats::jetstream_report_output(shown)));
  }
  rr::fuzz::judge_like_triage(std::move(results), &cluster);
  return 0;
}
