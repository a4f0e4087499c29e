// NATS monitoring replies (src/steps/nats: /healthz, /varz, /routez, /jsz,
// /leafz) as the monitoring steps read them: parse_monitor_reply, each
// step's per-server facts, the cluster facts, summary and output, then
// redacted, judged and written out as the triage does.
//
// Input: one reply per server of a three-server cluster, separated by
// "\n-----\n"; a reply may start with "HTTP <code>\n" (else 200). Every
// endpoint of a server reads that server's reply, so one JSON object can
// hold the fields of several endpoints.

#include <charconv>
#include <string>

#include "fuzz_util.h"
#include "steps/nats/health.h"
#include "steps/nats/jetstream_report.h"
#include "steps/nats/leafnodes.h"
#include "steps/nats/monitor.h"
#include "steps/nats/server_list.h"

namespace {

rr::HttpResponse response_of(std::string_view part) {
  rr::HttpResponse r;
  r.status = 200;
  if (part.rfind("HTTP ", 0) == 0) {
    auto nl = part.find('\n');
    std::string_view code = part.substr(5, nl == std::string_view::npos ? std::string_view::npos : nl - 5);
    int status = 0;
    auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    r.status = ec == std::errc() && p == code.data() + code.size() ? status : 0;
    if (r.status == 0) r.error = "connection refused";
    part = nl == std::string_view::npos ? std::string_view() : part.substr(nl + 1);
  }
  r.body = std::string(part);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const rr::ClusterConfig& cluster = rr::fuzz::test_cluster();
  auto parts = rr::fuzz::split_parts(rr::fuzz::text_of(data, size), 3);
  auto refs = rr::nats::server_refs(cluster);
  RR_FUZZ_CHECK(refs.size() == 3);

  std::vector<nlohmann::json> health, list, js, leafs;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    // A server without a part of the input did not answer.
    rr::HttpResponse response = i < parts.size() ? response_of(parts[i]) : rr::HttpResponse{0, "", false, {}, "timed out"};
    rr::nats::MonitorReply reply = rr::nats::parse_monitor_reply(response);
    RR_FUZZ_CHECK(reply.body.is_null() || reply.body.is_object());
    (void)rr::nats::data_reply_error(reply);
    health.push_back(rr::nats::health_server_facts(refs[i], reply, reply));
    list.push_back(rr::nats::server_list_server_facts(refs[i], reply, reply));
    nlohmann::json j = rr::nats::jetstream_server_facts(refs[i], reply, reply);
    rr::nats::add_jetstream_stream_facts(j, reply);
    js.push_back(std::move(j));
    leafs.push_back(rr::nats::leafnodes_server_facts(refs[i], reply));
  }

  std::vector<rr::StepResult> results;
  {
    auto f = rr::nats::health_facts(cluster, health);
    results.push_back(rr::fuzz::nats_step("nats.health", f, rr::nats::health_summary(f), rr::nats::health_output(f)));
  }
  {
    auto f = rr::nats::server_list_facts(cluster, list);
    results.push_back(rr::fuzz::nats_step("nats.server_list", f, rr::nats::server_list_summary(f), rr::nats::server_list_output(f)));
  }
  {
    auto f = rr::nats::jetstream_report_facts(cluster, js);
    results.push_back(rr::fuzz::nats_step("nats.jetstream_report", f, rr::nats::jetstream_report_summary(f),
                           rr::nats::jetstream_report_output(f)));
  }
  {
    auto f = rr::nats::leafnodes_facts(cluster, leafs);
    results.push_back(rr::fuzz::nats_step("nats.leafnodes", f, rr::nats::leafnodes_summary(f), rr::nats::leafnodes_output(f)));
  }
  rr::fuzz::judge_like_triage(std::move(results), &cluster);
  return 0;
}
