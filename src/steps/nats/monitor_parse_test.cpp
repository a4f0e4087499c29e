// The monitoring steps' parsing, on captured replies and on hostile ones.

#include <catch2/catch.hpp>

#include "steps/nats/json_read.h"
#include "steps/nats/testdata/samples.h"

namespace rr::nats {
namespace {

namespace s = samples;

HttpResponse body(const std::string& text, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = text;
  return r;
}

}  // namespace

TEST_CASE("monitor replies: unreachable, invalid, truncated, fine") {
  auto refused = parse_monitor_reply(s::refused());
  CHECK_FALSE(refused.reachable);
  CHECK(refused.code == 0);
  CHECK(refused.error == "connection refused");

  for (const char* text : {"", "not json", "[1,2]", "\"x\"", "{\"a\":", "{\"a\":1}{"}) {
    auto r = parse_monitor_reply(body(text));
    INFO(text);
    CHECK(r.reachable);
    CHECK(r.code == 200);
    CHECK(r.error == "invalid JSON from server");
    CHECK(r.body.is_null());
  }
  HttpResponse cut = body("{\"server_name\":\"n1\"");
  cut.truncated = true;
  CHECK(parse_monitor_reply(cut).error.find("larger than") != std::string::npos);

  auto fine = parse_monitor_reply(body(R"({"status":"ok"})"));
  CHECK(fine.error.empty());
  CHECK(fine.body["status"] == "ok");
  CHECK(data_reply_error(parse_monitor_reply(body("{}", 400))) == "HTTP 400");
  CHECK(data_reply_error(fine).empty());
}

TEST_CASE("reading hostile JSON never throws and never takes the wrong type") {
  auto j = nlohmann::json::parse(R"({"s": 5, "big": 18446744073709551615, "neg": -3, "f": 1.5, "b": "true",
                                     "str": "a\nb\u0001c", "obj": {"x": 1}})");
  CHECK(get_string(j, "s").empty());
  CHECK_FALSE(get_int(j, "big"));
  CHECK(get_uint(j, "big") == 18446744073709551615ULL);
  CHECK_FALSE(get_uint(j, "neg"));
  CHECK(get_int(j, "neg") == -3);
  CHECK_FALSE(get_int(j, "f"));
  CHECK(get_number(j, "f") == 1.5);
  CHECK(get_bool(j, "b", false) == false);
  CHECK(one_line(get_string(j, "str")).find('\n') == std::string::npos);
  CHECK(field(nlohmann::json::array(), "x").is_null());
  CHECK(field(field(j, "missing"), "x").is_null());
  CHECK(one_line(std::string(1000, 'a')).size() <= 256);
}

TEST_CASE("nats.health facts: 200 everywhere, a 503 with the server's words, a dead server") {
  ClusterConfig c = s::cluster();
  auto refs = server_refs(c);
  std::vector<nlohmann::json> servers = {
      health_server_facts(refs[0], parse_monitor_reply(body(R"({"status":"ok"})")),
                          parse_monitor_reply(body(R"({"status":"ok"})"))),
      health_server_facts(refs[1],
                          parse_monitor_reply(body(
                              R"({"status":"unavailable","error":"JetStream has not established contact with a meta leader"})",
                              503)),
                          parse_monitor_reply(body(R"({"status":"ok"})"))),
      health_server_facts(refs[2], parse_monitor_reply(s::refused()), parse_monitor_reply(s::refused()))};
  auto facts = health_facts(c, servers);
  CHECK(facts["healthy"] == 1);
  CHECK(facts["answered"] == 2);
  CHECK(facts["reachable"] == true);
  CHECK(facts["servers"][1]["healthz"]["code"] == 503);
  CHECK(facts["servers"][1]["healthz"]["error"] == "JetStream has not established contact with a meta leader");
  CHECK(facts["servers"][1]["healthz_js"]["code"] == 200);
  CHECK(facts["servers"][2]["reachable"] == false);
  CHECK(facts["servers"][2]["client"] == "nats://127.0.0.1:4224");
  CHECK(health_summary(facts) ==
        "1/3 servers healthy; http://127.0.0.1:8223 503 unavailable (JetStream has not established contact with a meta "
        "leader); http://127.0.0.1:8224 unreachable");
  CHECK(health_output(facts).find("http://127.0.0.1:8224: unreachable (connection refused)") != std::string::npos);
}

TEST_CASE("nats.server_list facts from the captured one-node-down replies") {
  auto steps = s::monitor_steps({s::degraded(0), s::degraded(1), s::down()});
  const auto& facts = steps[1].facts;
  CHECK(facts["expected_routes"] == 2);
  CHECK(facts["answered"] == 2);
  const auto& n1 = facts["servers"][0];
  CHECK(n1["server_name"] == "n1");
  CHECK(n1["version"] == "2.9.10");
  CHECK(n1["uptime"] == "1m49s");
  CHECK(n1["routes"] == 1);
  CHECK(n1["route_peers"] == nlohmann::json::array({"n2"}));
  CHECK(n1["cluster_name"] == "c1");
  CHECK(n1["meta_leader"] == "n2");
  CHECK(n1["meta_cluster_size"] == 3);
  CHECK(n1["mem"] == 24125440);
  CHECK(n1["jetstream"] == true);
  CHECK_FALSE(n1.contains("meta_replicas"));  // a follower does not list them
  const auto& n2 = facts["servers"][1];
  REQUIRE(n2["meta_replicas"].size() == 2);
  CHECK(n2["meta_replicas"][1]["name"] == "n3");
  CHECK(n2["meta_replicas"][1]["offline"] == true);
  CHECK(n2["meta_replicas"][1]["lag"] == 13);
  CHECK(n2["meta_replicas"][0]["offline"] == false);  // absent in the reply: false
  CHECK(facts["servers"][2]["reachable"] == false);
  CHECK(steps[1].facts["servers"][2]["error"] == "connection refused");
  CHECK(server_list_summary(facts) ==
        "2/3 servers answered; http://127.0.0.1:8224 unreachable; routes n1=1 n2=1 (expected 2); meta leader n2");
}

TEST_CASE("nats.jetstream_report facts: only the leader's view lists the meta peers") {
  auto steps = s::monitor_steps({s::degraded(0), s::degraded(1), s::down()});
  const auto& facts = steps[2].facts;
  CHECK(facts["meta_leader"] == "n2");
  const auto& n1 = facts["servers"][0];
  CHECK(n1["server_name"] == "n1");
  CHECK(n1["is_meta_leader"] == false);
  CHECK(n1["streams"] == 6);
  CHECK(n1["storage"] == 1194812);
  CHECK(n1["reserved_storage"] == 10525760);
  CHECK(n1["max_storage"] == 268435456);
  CHECK(n1["api_total"] == 6);
  const auto& n2 = facts["servers"][1];
  CHECK(n2["is_meta_leader"] == true);
  CHECK(n2["meta_replicas"][1]["name"] == "n3");
  CHECK(n2["meta_replicas"][1]["active_ns"] == 10722004062ULL);
  CHECK(jetstream_report_summary(facts) ==
        "2/3 servers answered; http://127.0.0.1:8224 unreachable; meta leader n2, sees n3 offline");
}

TEST_CASE("monitoring facts survive replies of the wrong shape") {
  ClusterConfig c = s::cluster();
  auto refs = server_refs(c);
  const char* hostile[] = {
      R"({"server_name": 5, "routes": "x", "jetstream": [], "cluster": "c1", "mem": -1, "cpu": "hot"})",
      R"({"jetstream": {"meta": {"leader": ["n1"], "replicas": {"name": "n2"}}}, "routes": [1]})",
      R"({"meta_cluster": {"replicas": [5, null, {"name": 7, "offline": "yes", "lag": -1}]}, "config": 3})",
      R"({"num_routes": 1e300, "routes": [{"remote_id": {"x": 1}}, 5]})"};
  for (const char* text : hostile) {
    INFO(text);
    auto reply = parse_monitor_reply(body(text));
    nlohmann::json list, js;
    REQUIRE_NOTHROW(list = server_list_facts(c, {server_list_server_facts(refs[0], reply, reply)}));
    REQUIRE_NOTHROW(js = jetstream_report_facts(c, {jetstream_server_facts(refs[0], reply, reply)}));
    CHECK_NOTHROW(server_list_summary(list));
    CHECK_NOTHROW(server_list_output(list));
    CHECK_NOTHROW(jetstream_report_summary(js));
    CHECK_NOTHROW(jetstream_report_output(js));
    CHECK_NOTHROW(list.dump());
    CHECK_NOTHROW(js.dump());
    CHECK_FALSE(list["servers"][0].contains("mem"));
  }
}

}  // namespace rr::nats
