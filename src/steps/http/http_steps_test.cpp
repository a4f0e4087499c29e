// http.json and http.metrics against real HTTP servers on 127.0.0.1.

#include <catch2/catch.hpp>

#include <chrono>

#include "steps/http/json_step.h"
#include "steps/http/metrics_step.h"
#include "steps/http/test_server.h"
#include "steps/nats/json_read.h"
#include "support/process.h"

namespace rr::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::TestServer;

StepResult run(const StepKind& kind, std::map<std::string, std::string> params,
               std::chrono::milliseconds timeout = 2000ms) {
  StepInput input{.id = "probe", .params = std::move(params), .deadline = Deadline::after(timeout)};
  StepResult r = kind.run(input);
  INFO(r.summary << "\n" << r.facts.dump(2));
  CHECK(r.kind == kind.name());
  CHECK(r.id == "probe");
  return r;
}

const char* kMetrics =
    "# HELP cim_events_total Events received per stream.\n"
    "# TYPE cim_events_total counter\n"
    "cim_events_total{stream=\"CIM-EVENTS\"} 12345\n"
    "cim_events_total{stream=\"AUDIT\"} 17\n"
    "# TYPE nats_lag_messages gauge\n"
    "nats_lag_messages{consumer=\"execution-consumer\"} 42\n"
    "process_start_time_seconds 1.7e+09\n";

}  // namespace

TEST_CASE("http.json: the Titan health body, its NATS component unhealthy") {
  TestServer server;
  server.serve("/health", test::kTitanDegraded);
  JsonStep step;
  StepResult r = run(step, {{"url", server.url("/health")}, {"path", "components.name=nats.status"}, {"expect", "healthy"}});
  CHECK(r.status == StepStatus::Ok);
  CHECK(r.target == "GET " + server.url("/health"));
  const auto& f = r.facts;
  CHECK(f["url"] == server.url("/health"));
  CHECK(f["status"] == 200);
  CHECK(f["reachable"] == true);
  CHECK(f["error"] == "");
  CHECK(f["found"] == true);
  CHECK(f["value"] == "unhealthy");
  CHECK(f["context"] == R"({"error":"timeout","name":"nats","status":"unhealthy"})");
  CHECK(f["expect"] == "healthy");
  CHECK(f["healthy"] == false);
  CHECK(r.summary == "HTTP 200, components.name=nats.status = \"unhealthy\" (expected \"healthy\")");
  CHECK(r.output.find("\"degraded\"") != std::string::npos);  // the whole body, pretty
}

TEST_CASE("http.json: healthy values, case ignored; no expect, no verdict") {
  TestServer server;
  server.serve("/health", R"({"components":[{"name":"nats","status":"Healthy"}]})");
  server.serve("/ok", R"("ok")");
  JsonStep step;
  auto healthy = run(step, {{"url", server.url("/health")}, {"path", "components.name=nats.status"}, {"expect", "healthy"}});
  CHECK(healthy.facts["healthy"] == true);
  CHECK(healthy.facts["value"] == "Healthy");
  auto plain = run(step, {{"url", server.url("/health")}, {"path", "components.0.name"}});
  CHECK(plain.facts["value"] == "nats");
  CHECK_FALSE(plain.facts.contains("healthy"));
  CHECK_FALSE(plain.facts.contains("expect"));
  auto root = run(step, {{"url", server.url("/ok")}, {"expect", "OK"}});
  CHECK(root.facts["value"] == "ok");
  CHECK(root.facts["healthy"] == true);
}

TEST_CASE("http.json: a path that leads nowhere is unhealthy when a value is expected") {
  TestServer server;
  server.serve("/health", test::kTitanDegraded);
  JsonStep step;
  auto r = run(step, {{"url", server.url("/health")}, {"path", "components.name=kafka.status"}, {"expect", "healthy"}});
  CHECK(r.status == StepStatus::Ok);
  CHECK(r.facts["found"] == false);
  CHECK(r.facts["missing"] == "components has no element with name=kafka");
  CHECK(r.facts["healthy"] == false);
  CHECK_FALSE(r.facts.contains("value"));
}

TEST_CASE("http.json: a 503 with a JSON body is read like a 200") {
  TestServer server;
  server.serve("/health", test::kTitanDegraded, 503);
  JsonStep step;
  auto r = run(step, {{"url", server.url("/health")}, {"path", "status"}, {"expect", "ok"}});
  CHECK(r.facts["status"] == 503);
  CHECK(r.facts["error"] == "");
  CHECK(r.facts["value"] == "degraded");
  CHECK(r.facts["healthy"] == false);
}

TEST_CASE("http.json: hostile bodies are facts, never exceptions") {
  TestServer server;
  server.serve("/broken", R"({"status": "ok", )");
  server.serve("/html", "<html>502 Bad Gateway</html>", 502, "text/html");
  server.serve("/deep", std::string(100000, '[') + std::string(100000, ']'));
  server.serve("/binary", std::string("{\"status\": \"\xff\xfe\x00\"}", 17));
  JsonStep step;
  auto broken = run(step, {{"url", server.url("/broken")}, {"path", "status"}, {"expect", "ok"}});
  CHECK(broken.status == StepStatus::Ok);
  CHECK(nats::get_string(broken.facts, "error").rfind("invalid JSON: ", 0) == 0);
  CHECK_FALSE(broken.facts.contains("healthy"));
  CHECK_FALSE(broken.facts.contains("found"));

  auto html = run(step, {{"url", server.url("/html")}, {"path", "status"}});
  CHECK(html.facts["status"] == 502);
  CHECK(html.facts["error"] == "HTTP 502, not JSON");

  auto deep = run(step, {{"url", server.url("/deep")}});
  CHECK(deep.facts["error"] == "JSON nested deeper than 64 levels");

  auto binary = run(step, {{"url", server.url("/binary")}, {"path", "status"}});
  CHECK(nats::get_string(binary.facts, "error").rfind("invalid JSON: ", 0) == 0);
  CHECK(binary.facts.dump().size() > 0);  // facts stay valid UTF-8
}

TEST_CASE("http.json: a 10 MB body is cut at 1 MiB") {
  TestServer server;
  server.serve("/huge", "[\"" + std::string(10 << 20, 'x') + "\"]");
  JsonStep step;
  auto r = run(step, {{"url", server.url("/huge")}});
  CHECK(r.status == StepStatus::Ok);
  CHECK(r.facts["truncated"] == true);
  CHECK(r.facts["error"] == "response larger than 1048576 bytes");
  CHECK(r.output.size() < 10000);
}

TEST_CASE("http.json: a server that never answers costs the deadline, no more") {
  TestServer server;
  server.hang("/health");
  JsonStep step;
  auto started = Clock::now();
  auto r = run(step, {{"url", server.url("/health")}, {"path", "status"}, {"expect", "ok"}}, 300ms);
  auto took = Clock::now() - started;
  CHECK(took >= 250ms);
  CHECK(took < 10s);  // the server answers only when the test ends
  CHECK(r.status == StepStatus::Ok);
  CHECK(r.facts["reachable"] == false);
  CHECK(r.facts["status"] == 0);
  CHECK_FALSE(nats::get_string(r.facts, "error").empty());
  CHECK_FALSE(r.facts.contains("healthy"));
  CHECK(r.summary.rfind("no answer: ", 0) == 0);
}

TEST_CASE("http.json: a closed port is a fact") {
  JsonStep step;
  std::string url = "http://127.0.0.1:" + std::to_string(rr::test::free_port()) + "/health";
  auto r = run(step, {{"url", url}});
  CHECK(r.status == StepStatus::Ok);
  CHECK(r.facts["reachable"] == false);
  CHECK(nats::get_string(r.facts, "error").find("refused") != std::string::npos);
}

TEST_CASE("http.json: credentials and queries never reach facts or summaries") {
  TestServer server;
  std::string auth;
  server.server().Get("/health", [&](const httplib::Request& req, httplib::Response& res) {
    auth = req.get_header_value("Authorization");
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  JsonStep step;
  std::string url = "http://probe:s3cret@127.0.0.1:" + std::to_string(server.port()) + "/health?token=hunter2";
  auto r = run(step, {{"url", url}, {"path", "status"}});
  CHECK(r.facts["value"] == "ok");
  CHECK(auth.rfind("Basic ", 0) == 0);  // the credentials were used...
  std::string shown = r.facts.dump() + r.summary + r.output + r.target;
  CHECK(shown.find("s3cret") == std::string::npos);  // ...but are shown nowhere
  CHECK(shown.find("hunter2") == std::string::npos);
  CHECK(r.facts["url"] == server.url("/health"));
}

TEST_CASE("http.json: bad parameters fail the step without a request") {
  JsonStep step;
  auto bad_url = run(step, {{"url", "ftp://user:pw@host/"}});
  CHECK(bad_url.status == StepStatus::Failed);
  CHECK(bad_url.summary.find("pw") == std::string::npos);
  CHECK(run(step, {}).status == StepStatus::Failed);
  auto bad_path = run(step, {{"url", "http://127.0.0.1:1/"}, {"path", "a.=b"}});
  CHECK(bad_path.status == StepStatus::Failed);
  CHECK(bad_path.summary.find("parameter path") == 0);
}

TEST_CASE("http.metrics: named series picked out with their labels") {
  TestServer server;
  server.serve("/metrics", kMetrics, 200, "text/plain; version=0.0.4");
  MetricsStep step;
  auto r = run(step, {{"url", server.url("/metrics")},
                      {"series", "cim_events_total,nats_lag_messages, cim_event_processing_lag"}});
  REQUIRE(r.status == StepStatus::Ok);
  const auto& f = r.facts;
  CHECK(f["error"] == "");
  CHECK(f["complete"] == true);
  CHECK(f["lines"] == 7);
  CHECK(f["bad_lines"] == 0);
  REQUIRE(f["series"].size() == 3);
  const auto& cim = f["series"][0];
  CHECK(cim["name"] == "cim_events_total");
  CHECK(cim["type"] == "counter");
  CHECK(cim["found"] == true);
  REQUIRE(cim["samples"].size() == 2);
  CHECK(cim["samples"][0]["labels"] == nlohmann::json{{"stream", "CIM-EVENTS"}});
  CHECK(cim["samples"][0]["value"] == "12345");
  CHECK(cim["samples"][0]["number"] == 12345);
  const auto& lag = f["series"][1];
  REQUIRE(lag["samples"].size() == 1);
  CHECK(lag["samples"][0]["labels"]["consumer"] == "execution-consumer");
  CHECK(lag["samples"][0]["number"] == 42);
  CHECK(f["series"][2]["found"] == false);
  CHECK(f["missing"] == nlohmann::json{"cim_event_processing_lag"});
  CHECK(r.output.find("cim_events_total{stream=\"CIM-EVENTS\"} 12345\n") != std::string::npos);
  CHECK(r.output.find("nats_lag_messages{consumer=\"execution-consumer\"} 42\n") != std::string::npos);
  CHECK(r.output.find("process_start_time_seconds") == std::string::npos);
  CHECK(r.summary == "cim_events_total 2 samples, nats_lag_messages 42; absent: cim_event_processing_lag");
}

TEST_CASE("http.metrics: a label matcher narrows every series") {
  TestServer server;
  server.serve("/metrics", kMetrics, 200, "text/plain");
  MetricsStep step;
  auto r = run(step, {{"url", server.url("/metrics")},
                      {"series", "cim_events_total,nats_lag_messages"},
                      {"match", "stream=CIM-EVENTS"}});
  const auto& f = r.facts;
  CHECK(f["match"] == nlohmann::json{{"stream", "CIM-EVENTS"}});
  REQUIRE(f["series"][0]["samples"].size() == 1);
  CHECK(f["series"][0]["samples"][0]["value"] == "12345");
  CHECK(f["series"][0]["unmatched"] == 1);
  CHECK(f["series"][1]["found"] == false);
  CHECK(f["series"][1]["unmatched"] == 1);
  CHECK(f["missing"] == nlohmann::json{"nats_lag_messages"});
}

TEST_CASE("http.metrics: answers that are not metrics") {
  TestServer server;
  server.serve("/html", "<html>\n<body>login</body>\n</html>\n", 200, "text/html");
  server.serve("/gone", "not found\n", 404, "text/plain");
  server.serve("/nan", "m NaN\nm{a=\"x\"} +Inf\n", 200, "text/plain");
  MetricsStep step;
  auto html = run(step, {{"url", server.url("/html")}, {"series", "m"}});
  CHECK(html.facts["error"] == "not Prometheus text: line 1: expected a metric name at byte 1");
  CHECK(html.facts["complete"] == false);
  auto gone = run(step, {{"url", server.url("/gone")}, {"series", "m"}});
  CHECK(gone.facts["error"] == "HTTP 404");
  auto nan = run(step, {{"url", server.url("/nan")}, {"series", "m"}});
  REQUIRE(nan.facts["series"][0]["samples"].size() == 2);
  CHECK(nan.facts["series"][0]["samples"][0]["value"] == "NaN");
  CHECK_FALSE(nan.facts["series"][0]["samples"][0].contains("number"));
  CHECK(nan.facts["series"][0]["samples"][1]["value"] == "+Inf");
}

TEST_CASE("http.metrics: a 10 MB body is read up to the cap, without a cut line") {
  std::string body;
  while (body.size() < (10u << 20)) body += "filler_metric{instance=\"a-long-label-value-to-fill-space\"} 123456789\n";
  body += "cim_events_total 5\n";
  TestServer server;
  server.serve("/metrics", body, 200, "text/plain");
  MetricsStep step;
  auto r = run(step, {{"url", server.url("/metrics")}, {"series", "cim_events_total,filler_metric"}});
  CHECK(r.facts["truncated"] == true);
  CHECK(r.facts["error"] == "response larger than 4194304 bytes");
  CHECK(r.facts["complete"] == false);
  CHECK(r.facts["bad_lines"] == 0);  // the cut last line was dropped
  CHECK(r.facts["series"][1]["capped"] == true);
}

TEST_CASE("http.metrics: a hanging server and bad parameters") {
  TestServer server;
  server.hang("/metrics");
  MetricsStep step;
  auto started = Clock::now();
  auto r = run(step, {{"url", server.url("/metrics")}, {"series", "m"}}, 300ms);
  CHECK(Clock::now() - started < 1500ms);
  CHECK(r.facts["reachable"] == false);
  CHECK(r.facts["complete"] == false);

  CHECK(run(step, {{"url", server.url("/metrics")}, {"series", "a,b-c"}}).status == StepStatus::Failed);
  CHECK(run(step, {{"url", server.url("/metrics")}, {"series", ","}}).status == StepStatus::Failed);
  CHECK(run(step, {{"url", server.url("/metrics")}, {"series", "m"}, {"match", "stream"}}).status == StepStatus::Failed);
  CHECK(run(step, {{"url", server.url("/metrics")}, {"series", "m"}, {"match", "=x"}}).status == StepStatus::Failed);
}

TEST_CASE("http steps are in the default registry with typed parameters") {
  StepCatalog catalog = default_step_registry().catalog();
  REQUIRE(catalog.kinds.count("http.json"));
  REQUIRE(catalog.kinds.count("http.metrics"));
  CHECK(catalog.kinds["http.json"]["url"].type == ValueType::Url);
  CHECK(catalog.kinds["http.json"]["url"].required);
  CHECK(catalog.kinds["http.json"]["path"].type == ValueType::Word);
  CHECK_FALSE(catalog.kinds["http.json"]["expect"].required);
  CHECK(catalog.kinds["http.metrics"]["series"].type == ValueType::Name);
  CHECK_FALSE(check_value(ValueType::Name, "cim_events_total,cim_event_processing_lag"));
  CHECK_FALSE(check_value(ValueType::Word, "stream=CIM-EVENTS"));
}

TEST_CASE("http.metrics and http.json: plain parameter values that could never work are refused at rule load") {
  StepRegistry registry;
  registry.add(std::make_unique<MetricsStep>());
  registry.add(std::make_unique<JsonStep>());
  const StepCatalog catalog = registry.catalog();
  auto errors = [&](const std::string& kind, const std::string& with) {
    RuleLoad load = load_rules_text("rules:\n"
                                    "  - name: r\n"
                                    "    match: {alertname: A}\n"
                                    "    steps:\n"
                                    "      - id: s\n"
                                    "        kind: " + kind + "\n"
                                    "        with: {url: \"http://127.0.0.1:9091/metrics\", " + with + "}\n",
                                    "r.yaml", catalog);
    std::string out;
    for (const auto& e : load.errors) out += e.to_string() + "\n";
    return out;
  };
  CHECK(errors("http.metrics", "series: cim_events_total, max: \"nats_lag_messages=10\"") ==
        "r.yaml:7: with.max: names a metric that `series` does not\n");
  CHECK(errors("http.metrics", "series: cim_events_total, max: \"cim_events_total=many\"") ==
        "r.yaml:7: with.max: is not SERIES=NUMBER\n");
  CHECK(errors("http.metrics", "series: cim_events_total, match: \"stream=\"") ==
        "r.yaml:7: with.match: is not LABEL=VALUE\n");
  CHECK(errors("http.json", "path: \"components.=nats\"") ==
        "r.yaml:7: with.path: has a selector that is not NAME=VALUE\n");
  // Good ones, and a `max` whose series come from a label (checked when rendered).
  CHECK(errors("http.metrics", "series: \"a,b\", match: stream=X, max: \"b=300\"").empty());
  CHECK(errors("http.metrics", "series: \"{{ labels.series | default a }}\", max: \"b=300\"").empty());
  CHECK(errors("http.json", "path: components.name=nats.status, expect: healthy").empty());
}

}  // namespace rr::http
