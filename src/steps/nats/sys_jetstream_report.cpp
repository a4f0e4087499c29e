#include "steps/nats/sys_jetstream_report.h"

#include "steps/nats/jetstream_report.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"
#include "steps/nats/sys_step.h"

namespace rr::nats {

StepResult SysJetStreamReportStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto conn = open_sys_for_step(cluster, input, result, pool());
    if (!conn) return;
    auto gathers = sys_ping_all(*conn, {{"VARZ", ""}, {"JSZ", R"({"accounts":true,"streams":true})"}}, input.deadline);
    const SysGather& varz = gathers[0];
    const SysGather& jsz = gathers[1];
    if (!sys_gather_usable(cluster, *conn, jsz, result)) return;
    SysGather placed = varz;
    // Servers that answered JSZ only are still servers.
    for (const auto& r : jsz.replies) {
      if (reply_of(placed, r.server_id) == nullptr) {
        SysReply only = r;
        only.data = nlohmann::json::object();
        placed.replies.push_back(std::move(only));
      }
    }
    SysPlacement placement = place_sys_replies(cluster, conn->url(), conn->server_id(), placed);
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : placement.servers) {
      nlohmann::json facts = s.facts;
      const SysReply* j = s.reply ? reply_of(jsz, s.reply->server_id) : nullptr;
      if (j != nullptr) {
        // The JSZ data is what /jsz?accounts=true&streams=true serves: read it
        // as jetstream_report does.
        MonitorReply reply;
        reply.reachable = true;
        reply.code = 200;
        reply.body = j->data.is_object() ? j->data : nlohmann::json::object();
        nlohmann::json read = jetstream_server_facts(ServerRef{}, reply, MonitorReply{});
        for (const char* key : {"index", "monitor", "client", "reachable", "error"}) read.erase(key);
        facts.update(read);
        add_jetstream_stream_facts(facts, reply);
        if (!j->error.empty()) facts["error"] = j->error;
      } else if (s.reply != nullptr) {
        facts["error"] = "no reply to " + jsz.subject;
      }
      servers.push_back(std::move(facts));
    }
    nlohmann::json combined = jetstream_report_facts(cluster, servers);
    result.facts = sys_envelope(cluster, *conn, jsz, placement, std::move(servers));
    result.facts["meta_leader"] = combined["meta_leader"];
    if (varz.problem != SysProblem::None) result.facts["system"]["varz_error"] = varz.error;
    nlohmann::json shown = labelled_for_output(result.facts);
    result.summary = jetstream_report_summary(shown);
    result.output = trim_step_output(jetstream_report_output(shown));
  });
}

}  // namespace rr::nats
