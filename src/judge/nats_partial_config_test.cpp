// The judges when the configuration lists only some servers of the cluster
// (the built-in default names one): the servers the leaders report are
// judged too, and the route count a server needs comes from the meta
// cluster size it reports.

#include <catch2/catch.hpp>

#include <algorithm>

#include "judge/judge.h"
#include "steps/nats/testdata/samples.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::with_code;
using test::describe;

namespace s = nats::samples;

// A cluster "cim" configured with one server per reply set, each answering
// with those replies.
ClusterConfig partial_cluster(std::size_t servers) {
  ClusterConfig c;
  c.name = "cim";
  for (std::size_t i = 0; i < servers; ++i) {
    c.monitor.push_back("http://127.0.0.1:" + std::to_string(18222 + i));
    c.servers.push_back("nats://127.0.0.1:" + std::to_string(14222 + i));
  }
  return c;
}

// The health, servers and jetstream results the steps write for `c`.
std::vector<StepResult> steps_for(const ClusterConfig& c, const std::vector<s::Replies>& replies) {
  auto refs = nats::server_refs(c);
  std::vector<nlohmann::json> health, list, js;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const s::Replies& r = replies.at(i);
    using nats::parse_monitor_reply;
    health.push_back(nats::health_server_facts(refs[i], parse_monitor_reply(r.healthz), parse_monitor_reply(r.healthz_js)));
    list.push_back(nats::server_list_server_facts(refs[i], parse_monitor_reply(r.varz), parse_monitor_reply(r.routez)));
    js.push_back(nats::jetstream_server_facts(refs[i], parse_monitor_reply(r.jsz), parse_monitor_reply(r.varz)));
  }
  return {s::result("health", "nats.health", nats::health_facts(c, health)),
          s::result("servers", "nats.server_list", nats::server_list_facts(c, list)),
          s::result("jetstream", "nats.jetstream_report", nats::jetstream_report_facts(c, js))};
}

std::vector<Finding> judge(const ClusterConfig& c, const std::vector<StepResult>& steps) {
  return default_judges().run(steps, JudgeContext{&c});
}

bool cites(const Finding& f, const std::string& text) {
  return std::any_of(f.evidence.begin(), f.evidence.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

bool says(const Finding& f, const std::string& text) { return f.detail.find(text) != std::string::npos; }

// Sets one server's routes as /varz and /routez report them.
void set_routes(s::Replies& r, int routes) {
  auto varz = nlohmann::json::parse(r.varz.body);
  varz["routes"] = routes;
  r.varz = s::ok(varz);
  auto routez = nlohmann::json::parse(r.routez.body);
  routez["num_routes"] = routes;
  auto& list = routez["routes"];
  while (static_cast<int>(list.size()) > routes) list.erase(list.size() - 1);
  r.routez = s::ok(routez);
}

// Sets the meta cluster size a server reports in /varz and /jsz.
void set_cluster_size(s::Replies& r, int size) {
  auto varz = nlohmann::json::parse(r.varz.body);
  varz["jetstream"]["meta"]["cluster_size"] = size;
  r.varz = s::ok(varz);
  auto jsz = nlohmann::json::parse(r.jsz.body);
  jsz["meta_cluster"]["cluster_size"] = size;
  r.jsz = s::ok(jsz);
}

}  // namespace

TEST_CASE("one of three configured, the meta leader: the peer it reports offline is a server down") {
  ClusterConfig c = partial_cluster(1);
  auto steps = steps_for(c, {s::degraded(1)});  // n2, the meta leader, with n3 stopped
  steps.push_back(s::stream_info_result("degraded_js_api_stream_info.json"));
  auto fs = judge(c, steps);
  INFO(describe(fs));

  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 1);  // the meta and the stream leader name the same server
  const Finding& d = *down[0];
  CHECK(&d == &fs.front());  // the verdict
  CHECK(d.severity == Severity::Critical);
  CHECK(d.title == "NATS server n3 is down");
  CHECK(d.values.at("server") == "n3");
  CHECK(d.values.at("name") == "n3");
  CHECK(d.values.at("host") == "n3");
  CHECK(d.values.count("monitor") == 0);
  CHECK(d.values.count("client") == 0);
  CHECK(says(d, "the meta leader n2 lists it offline"));
  CHECK(says(d, "the host given for it is the server's name"));
  CHECK(says(d, "1 of the 1 configured servers answer; the JetStream meta group has 3 servers."));
  CHECK(cites(d, "servers: meta leader n2 reports peer n3 offline, last heard 10s ago, lag 13"));
  CHECK(cites(d, "jetstream: meta leader n2 reports peer n3 offline"));
  CHECK(cites(d, "stream: stream leader n1 reports replica n3 of CIM-EVENTS offline"));

  auto routes = with_code(fs, "nats.routes_missing");
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]->values.at("server") == "n2");
  CHECK(routes[0]->values.at("routes") == "1");
  CHECK(routes[0]->values.at("expected") == "2");  // from the cluster size: one server is configured
  CHECK(routes[0]->values.at("missing") == "n3");
  CHECK(says(*routes[0], "n2 reports a JetStream meta group of 3 servers"));
  CHECK(says(*routes[0], "Explained by the server(s) down"));

  CHECK(with_code(fs, "nats.replica_offline").size() == 1);  // still reported, below the verdict
  CHECK(with_code(fs, "nats.peer_lagging").empty());          // n1 is current
  CHECK(with_code(fs, "nats.cluster_down").empty());
}

TEST_CASE("one of three configured, a follower: the stream leader's offline replica is a server down") {
  ClusterConfig c = partial_cluster(1);
  auto steps = steps_for(c, {s::degraded(0)});  // n1, a follower: it lists no meta peers

  SECTION("with the stream's replicas") {
    steps.push_back(s::stream_info_result("degraded_js_api_stream_info.json"));
    auto fs = judge(c, steps);
    INFO(describe(fs));
    auto down = with_code(fs, "nats.server_down");
    REQUIRE(down.size() == 1);
    CHECK(&fs.front() == down[0]);
    CHECK(down[0]->title == "NATS server n3 is down");
    CHECK(down[0]->values.at("host") == "n3");
    CHECK(says(*down[0], "the leader n1 of stream CIM-EVENTS lists it offline"));
    auto routes = with_code(fs, "nats.routes_missing");
    REQUIRE(routes.size() == 1);
    CHECK(routes[0]->values.at("expected") == "2");
    // n1's route to n2 is known only by id: n3, known down, is the one missing.
    CHECK(routes[0]->values.at("missing") == "n3");
  }
  SECTION("without them the missing route is all there is to see") {
    auto fs = judge(c, steps);
    INFO(describe(fs));
    CHECK(with_code(fs, "nats.server_down").empty());
    auto routes = with_code(fs, "nats.routes_missing");
    REQUIRE(routes.size() == 1);
    CHECK(&fs.front() == routes[0]);
    CHECK(routes[0]->values.at("missing").empty());
    CHECK(says(*routes[0], "Which other server it lacks a route to is not known"));
  }
}

TEST_CASE("healthy cluster with one server configured: no warning") {
  for (int i : {0, 2}) {  // a follower, and the meta leader with its peer list
    ClusterConfig c = partial_cluster(1);
    auto steps = steps_for(c, {s::healthy(i)});
    steps.push_back(s::stream_info_result("js_api_stream_info.json"));
    auto fs = judge(c, steps);
    INFO("server n" << i + 1 << "\n" << describe(fs));
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].code == "nats.meta_leader");
    CHECK(fs[0].severity == Severity::Info);
  }
}

TEST_CASE("routes_missing expects the larger of configured servers and meta cluster size") {
  SECTION("one configured, cluster size 3, one route") {
    ClusterConfig c = partial_cluster(1);
    auto r = s::healthy(0);
    set_routes(r, 1);
    auto fs = judge(c, steps_for(c, {r}));
    INFO(describe(fs));
    auto routes = with_code(fs, "nats.routes_missing");
    REQUIRE(routes.size() == 1);
    CHECK(routes[0]->title == "NATS server n1 has 1 of 2 routes");
    CHECK(routes[0]->values.at("expected") == "2");
    CHECK(cites(*routes[0], "servers: n1 routes=1, expected 2"));
  }
  SECTION("one configured, cluster size 5, two routes") {
    ClusterConfig c = partial_cluster(1);
    auto r = s::healthy(0);
    set_cluster_size(r, 5);
    auto fs = judge(c, steps_for(c, {r}));
    INFO(describe(fs));
    auto routes = with_code(fs, "nats.routes_missing");
    REQUIRE(routes.size() == 1);
    CHECK(routes[0]->values.at("routes") == "2");
    CHECK(routes[0]->values.at("expected") == "4");
  }
  SECTION("more servers configured than the cluster size: the configuration wins") {
    ClusterConfig c = partial_cluster(3);
    std::vector<s::Replies> r = {s::healthy(0), s::healthy(1), s::healthy(2)};
    for (auto& one : r) set_cluster_size(one, 2);
    auto fs = judge(c, steps_for(c, r));
    CHECK(with_code(fs, "nats.routes_missing").empty());  // 2 routes, 3 configured
    c.monitor.push_back("http://127.0.0.1:18299");  // a fourth configured server, down
    r.push_back(s::down());
    fs = judge(c, steps_for(c, r));
    INFO(describe(fs));
    auto routes = with_code(fs, "nats.routes_missing");
    REQUIRE(routes.size() == 3);
    for (const Finding* f : routes) CHECK(f->values.at("expected") == "3");
  }
  SECTION("cluster size 1 or absent asks for nothing") {
    ClusterConfig c = partial_cluster(1);
    auto r = s::healthy(0);
    set_cluster_size(r, 1);
    set_routes(r, 0);
    CHECK(with_code(judge(c, steps_for(c, {r})), "nats.routes_missing").empty());
  }
}

TEST_CASE("a meta peer behind the leader is a warning") {
  ClusterConfig c = s::cluster();
  std::vector<s::Replies> r = {s::healthy(0), s::healthy(1), s::healthy(2)};
  for (auto* reply : {&r[2].varz, &r[2].jsz}) {  // n3 leads and lists n1 first
    auto j = nlohmann::json::parse(reply->body);
    auto& meta = j.contains("meta_cluster") ? j["meta_cluster"] : j["jetstream"]["meta"];
    meta["replicas"][0]["current"] = false;
    meta["replicas"][0]["lag"] = 500;
    *reply = s::ok(j);
  }
  auto fs = judge(c, s::monitor_steps(r));
  INFO(describe(fs));
  auto lagging = with_code(fs, "nats.peer_lagging");
  REQUIRE(lagging.size() == 1);
  CHECK(lagging[0]->severity == Severity::Warning);
  CHECK(lagging[0]->title == "JetStream meta peer n1 is behind");
  CHECK(lagging[0]->values.at("server") == "n1");
  CHECK(lagging[0]->values.at("host") == "127.0.0.1");  // configured: its address
  CHECK(lagging[0]->values.at("lag") == "500");
  CHECK(lagging[0]->values.at("leader") == "n3");
  CHECK(cites(*lagging[0], "servers: meta leader n3 sees peer n1 not current, lag 500"));
  CHECK(with_code(fs, "nats.server_down").empty());
}

TEST_CASE("a current meta peer that is not configured is not taken for a configured server down") {
  ClusterConfig c = partial_cluster(2);
  auto fs = judge(c, steps_for(c, {s::healthy(2), s::down()}));  // n3 leads; n1, n2 are current
  INFO(describe(fs));
  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 1);
  CHECK(down[0]->values.at("name").empty());
  CHECK(down[0]->values.at("server") == "127.0.0.1:18223");
  CHECK_FALSE(says(*down[0], "Its name is one of"));
}

TEST_CASE("two configured servers down and unnamed: offline peers are not reported twice") {
  ClusterConfig c = partial_cluster(3);
  // n2 leads and lists n3 offline; both other configured servers are down.
  auto fs = judge(c, steps_for(c, {s::degraded(1), s::down(), s::down()}));
  INFO(describe(fs));
  auto down = with_code(fs, "nats.server_down");
  REQUIRE(down.size() == 2);
  for (const Finding* d : down) {
    CHECK(d->values.at("name").empty());
    CHECK(says(*d, "Its name is one of: n3."));
  }
}

}  // namespace rr
