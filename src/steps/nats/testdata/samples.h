#pragma once
// Test helpers (header-only, included by *_test.cpp only): step results
// built from the captured replies in this folder through the steps' own
// parsing functions, for a cluster "cim" of three servers n1..n3 on
// monitors 127.0.0.1:8222..8224 and clients 127.0.0.1:4222..4224.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "net/http.h"
#include "steps/nats/health.h"
#include "steps/nats/jetstream_report.h"
#include "steps/nats/monitor.h"
#include "steps/nats/server_list.h"
#include "steps/step.h"

namespace rr::nats::samples {

inline std::string read(const std::string& name) {
  std::ifstream in(std::string(RR_SOURCE_DIR) + "/src/steps/nats/testdata/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing sample " + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline nlohmann::json json(const std::string& name) { return nlohmann::json::parse(read(name)); }

inline HttpResponse ok(const nlohmann::json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

inline HttpResponse refused() {
  HttpResponse r;
  r.error = "connection refused";
  return r;
}

inline ClusterConfig cluster() {
  ClusterConfig c;
  c.name = "cim";
  for (int i = 0; i < 3; ++i) {
    c.monitor.push_back("http://127.0.0.1:" + std::to_string(8222 + i));
    c.servers.push_back("nats://127.0.0.1:" + std::to_string(4222 + i));
  }
  return c;
}

inline const std::vector<std::string>& ids() {
  static const std::vector<std::string> v = {"NA56U2Y6SVKDUD7FGCZO6DCI5DVVQWUKWRKRM5OFC7BDCR6X7UR4IHHG",
                                             "NA2BJOYBU4C747NV3RWFGMFBLTOZLAJBCHVUCWWDLRCJUF4GSPNPL4Z7",
                                             "NCWC25Q2P4J7AEYJVNH2CQGPUX2RPPO7YVVDUC5BO4KKDTFEJMN74DAS"};
  return v;
}

// One server's replies; an unreachable server has all of them refused.
struct Replies {
  HttpResponse healthz, healthz_js, varz, routez, jsz;
};

inline Replies down() { return {refused(), refused(), refused(), refused(), refused()}; }

// Healthy cluster: n1's captured replies renamed for n2 and n3; n3 leads.
inline Replies healthy(int i) {
  std::string name = "n" + std::to_string(i + 1);
  auto varz = json("healthy_n1_varz.json");
  varz["server_name"] = name;
  varz["server_id"] = ids()[i];
  auto routez = json("healthy_n1_routez.json");
  int r = 0;
  for (int other = 0; other < 3; ++other) {
    if (other != i) routez["routes"][r++]["remote_id"] = ids()[other];
  }
  nlohmann::json jsz = i == 2 ? json("healthy_n3leader_jsz_acc_APP_streams_consumers_config.json")
                              : json("healthy_n1_jsz.json");
  jsz["server_id"] = ids()[i];
  if (i == 2) varz["jetstream"]["meta"]["replicas"] = jsz["meta_cluster"]["replicas"];
  auto health = json("healthy_n1_healthz.json");
  return {ok(health), ok(health), ok(varz), ok(routez), ok(jsz)};
}

// n3 stopped: the captured replies of n1 and n2 (n2 is the meta leader).
inline Replies degraded(int i) {
  if (i == 2) return down();
  std::string n = "n" + std::to_string(i + 1);
  return {ok(json("degraded_" + n + "_healthz.json")), ok(json("degraded_" + n + "_healthz.json")),
          ok(json("degraded_" + n + "_varz.json")), ok(json("degraded_" + n + "_routez.json")),
          ok(json("degraded_" + n + "_jsz_acc_APP.json"))};
}

inline StepResult result(const std::string& id, const std::string& kind, nlohmann::json facts) {
  StepResult r;
  r.id = id;
  r.kind = kind;
  r.status = StepStatus::Ok;
  r.facts = std::move(facts);
  return r;
}

// health, servers and jetstream step results for three servers' replies.
inline std::vector<StepResult> monitor_steps(const std::vector<Replies>& replies) {
  ClusterConfig c = cluster();
  auto refs = server_refs(c);
  std::vector<nlohmann::json> health, list, js;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const Replies& r = replies[i];
    health.push_back(health_server_facts(refs[i], parse_monitor_reply(r.healthz), parse_monitor_reply(r.healthz_js)));
    list.push_back(server_list_server_facts(refs[i], parse_monitor_reply(r.varz), parse_monitor_reply(r.routez)));
    js.push_back(jetstream_server_facts(refs[i], parse_monitor_reply(r.jsz), parse_monitor_reply(r.varz)));
  }
  return {result("health", "nats.health", health_facts(c, health)),
          result("servers", "nats.server_list", server_list_facts(c, list)),
          result("jetstream", "nats.jetstream_report", jetstream_report_facts(c, js))};
}

// A nats.stream_info result from a captured $JS.API.STREAM.INFO reply, in
// the shape the step writes (see stream_info.h).
inline StepResult stream_info_result(const std::string& sample) {
  auto reply = json(sample);
  nlohmann::json replicas = nlohmann::json::array();
  for (const auto& p : reply["cluster"]["replicas"]) replicas.push_back(peer_facts(p));
  nlohmann::json facts = {
      {"cluster", "cim"},
      {"reachable", true},
      {"connected_url", "nats://127.0.0.1:4222"},
      {"connect_errors", nlohmann::json::array()},
      {"error", ""},
      {"js_error_code", 0},
      {"stream", reply["config"]["name"]},
      {"found", true},
      {"config", {{"name", reply["config"]["name"]}, {"num_replicas", reply["config"]["num_replicas"]}}},
      {"state", {{"messages", reply["state"]["messages"]}}},
      {"replication", {{"cluster", "c1"}, {"leader", reply["cluster"].value("leader", "")}, {"replicas", replicas}}}};
  return result("stream", "nats.stream_info", facts);
}

}  // namespace rr::nats::samples
