// HttpJudge on facts from the real steps against real servers on
// 127.0.0.1, and on hand-made facts for the edges.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/http_judge.h"
#include "steps/http/json_step.h"
#include "steps/http/metrics_step.h"
#include "steps/http/test_server.h"
#include "support/process.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using http::test::TestServer;

StepResult run(const StepKind& kind, const std::string& id, std::map<std::string, std::string> params,
               std::chrono::milliseconds timeout = 2000ms) {
  return kind.run(StepInput{.id = id, .params = std::move(params), .deadline = Deadline::after(timeout)});
}

std::vector<Finding> judge(const std::vector<StepResult>& steps) {
  std::vector<Finding> out;
  HttpJudge().judge(steps, JudgeContext{}, out);
  return out;
}

}  // namespace

TEST_CASE("http judge: Titan's NATS component unhealthy is critical, quoting the value") {
  TestServer server;
  server.serve("/health", http::test::kTitanDegraded);
  auto step = run(http::JsonStep(), "titan_health",
                  {{"url", server.url("/health")}, {"path", "components.name=nats.status"}, {"expect", "healthy"}});
  auto findings = judge({step});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);
  const Finding& f = findings[0];
  CHECK(f.code == "http.unhealthy");
  CHECK(f.severity == Severity::Critical);
  CHECK(f.title == server.url("/health") + ": components.name=nats.status is \"unhealthy\", expected \"healthy\"");
  CHECK(f.detail.find(R"("error":"timeout")") != std::string::npos);
  CHECK(f.values.at("url") == server.url("/health"));
  CHECK(f.values.at("path") == "components.name=nats.status");
  CHECK(f.values.at("value") == "unhealthy");
  CHECK(f.values.at("expected") == "healthy");
  REQUIRE(f.evidence.size() == 1);
  CHECK(f.evidence[0].rfind("titan_health: GET ", 0) == 0);

  // The same check on the healthy brain component finds nothing.
  auto brain = run(http::JsonStep(), "brain",
                   {{"url", server.url("/health")}, {"path", "components.name=brain.status"}, {"expect", "healthy"}});
  CHECK(judge({brain}).empty());
  // Without `expect` there is nothing to judge.
  auto plain = run(http::JsonStep(), "plain", {{"url", server.url("/health")}, {"path", "components.name=nats.status"}});
  CHECK(judge({plain}).empty());
}

TEST_CASE("http judge: an absent component is unhealthy, saying what is missing") {
  TestServer server;
  server.serve("/health", http::test::kTitanDegraded);
  auto step = run(http::JsonStep(), "h",
                  {{"url", server.url("/health")}, {"path", "components.name=kafka.status"}, {"expect", "healthy"}});
  auto findings = judge({step});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "http.unhealthy");
  CHECK(findings[0].values.at("value") == "");
  CHECK(findings[0].detail.find("components has no element with name=kafka") != std::string::npos);
}

TEST_CASE("http judge: no answer, and answers with nothing usable") {
  TestServer server;
  server.hang("/health");
  server.serve("/broken", "{not json", 200);
  server.serve("/metrics-gone", "gone", 404, "text/plain");
  auto hung = run(http::JsonStep(), "hung", {{"url", server.url("/health")}, {"expect", "ok"}}, 200ms);
  auto broken = run(http::JsonStep(), "broken", {{"url", server.url("/broken")}, {"expect", "ok"}});
  auto gone = run(http::MetricsStep(), "gone", {{"url", server.url("/metrics-gone")}, {"series", "m"}});
  std::string closed = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/metrics";
  auto refused = run(http::MetricsStep(), "refused", {{"url", closed}, {"series", "m"}});
  auto findings = judge({hung, broken, gone, refused});
  INFO(test::describe(findings));
  auto unreachable = test::with_code(findings, "http.unreachable");
  REQUIRE(unreachable.size() == 2);
  CHECK(unreachable[0]->severity == Severity::Warning);
  CHECK(unreachable[0]->values.at("url") == server.url("/health"));
  CHECK_FALSE(unreachable[0]->values.at("error").empty());
  CHECK(unreachable[1]->values.at("url") == closed);
  CHECK(unreachable[1]->values.at("error").find("refused") != std::string::npos);
  auto invalid = test::with_code(findings, "http.invalid_reply");
  REQUIRE(invalid.size() == 2);
  CHECK(invalid[0]->values.at("error").rfind("invalid JSON", 0) == 0);
  CHECK(invalid[1]->values.at("status") == "404");
  CHECK(invalid[1]->values.at("error") == "HTTP 404");
  CHECK(test::with_code(findings, "http.unhealthy").empty());  // no answer is not a verdict
  CHECK(test::with_code(findings, "metrics.missing").empty());
}

TEST_CASE("http judge: a named series absent from metrics is info") {
  TestServer server;
  server.serve("/metrics",
               "cim_events_total{stream=\"CIM-EVENTS\"} 12345\n"
               "nats_lag_messages{consumer=\"execution-consumer\"} 42\n",
               200, "text/plain");
  auto step = run(http::MetricsStep(), "metrics",
                  {{"url", server.url("/metrics")},
                   {"series", "cim_events_total,cim_event_processing_lag,nats_lag_messages"},
                   {"match", "stream=CIM-EVENTS"}});
  StepResult again = step;
  again.id = "metrics_again";
  auto findings = judge({step, again});  // two steps, the same facts: one finding each
  INFO(test::describe(findings));
  auto missing = test::with_code(findings, "metrics.missing");
  REQUIRE(missing.size() == 2);
  CHECK(findings.size() == 2);
  CHECK(missing[0]->severity == Severity::Info);
  CHECK(missing[0]->values.at("series") == "cim_event_processing_lag");
  CHECK(missing[0]->values.at("url") == server.url("/metrics"));
  CHECK(missing[0]->evidence.size() == 2);
  CHECK(missing[1]->values.at("series") == "nats_lag_messages");
  CHECK(missing[1]->title == server.url("/metrics") + " exports no nats_lag_messages{stream=\"CIM-EVENTS\"}");
  CHECK(missing[1]->detail.find("has 1 sample at ") != std::string::npos);
}

TEST_CASE("http judge: a sample above the step's max is a warning; at or below it, nothing") {
  TestServer server;
  server.serve("/metrics",
               "# TYPE cim_event_processing_lag gauge\n"
               "cim_event_processing_lag{consumer=\"CIM-PROCESSOR\"} 412.5\n"
               "cim_event_processing_lag{consumer=\"CIM-AUDIT\"} 300\n"
               "cim_events_total 9000\n",
               200, "text/plain");
  auto step = run(http::MetricsStep(), "event-metrics",
                  {{"url", server.url("/metrics")},
                   {"series", "cim_events_total,cim_event_processing_lag"},
                   {"max", "cim_event_processing_lag=300"}});
  REQUIRE(step.status == StepStatus::Ok);
  auto findings = judge({step});
  INFO(test::describe(findings));
  REQUIRE(findings.size() == 1);  // CIM-AUDIT at exactly 300 is within it
  const Finding& f = findings[0];
  CHECK(f.code == "metrics.over_max");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.title == "cim_event_processing_lag{consumer=\"CIM-PROCESSOR\"} is 412.5, above 300");
  CHECK(f.values.at("value") == "412.5");
  CHECK(f.values.at("max") == "300");
  CHECK(f.values.at("series") == "cim_event_processing_lag");
  REQUIRE(f.evidence.size() == 1);
  CHECK_THAT(f.evidence[0], Catch::EndsWith("cim_event_processing_lag{consumer=\"CIM-PROCESSOR\"} 412.5"));

  // A higher bound: nothing over it.
  auto relaxed = run(http::MetricsStep(), "event-metrics",
                     {{"url", server.url("/metrics")},
                      {"series", "cim_event_processing_lag"},
                      {"max", "cim_event_processing_lag=1e3"}});
  CHECK(judge({relaxed}).empty());

  // A bound that is not SERIES=NUMBER, or names a series not read, fails the step before any fetch.
  for (const char* bad : {"cim_event_processing_lag", "cim_event_processing_lag=", "cim_event_processing_lag=high",
                          "cim_events_total=inf", "nats_lag_messages=10"}) {
    INFO(bad);
    auto r = run(http::MetricsStep(), "m",
                 {{"url", server.url("/metrics")}, {"series", "cim_event_processing_lag,cim_events_total"}, {"max", bad}});
    CHECK(r.status == StepStatus::Failed);
    CHECK_THAT(r.summary, Catch::StartsWith("parameter max: "));
  }
}

TEST_CASE("http judge: incomplete metrics never claim a series is missing") {
  StepResult step;
  step.id = "m";
  step.kind = "http.metrics";
  step.status = StepStatus::Ok;
  step.facts = nlohmann::json::parse(R"({"url":"http://x:1/metrics","status":200,"reachable":true,"truncated":true,
    "error":"response larger than 4194304 bytes","complete":false,"match":{},
    "series":[{"name":"a","found":false,"samples":[],"unmatched":0}],"missing":["a"],"lines":10,"bad_lines":0})");
  auto findings = judge({step});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "http.invalid_reply");
  // Steps that did not run, other kinds and facts of the wrong shape are ignored.
  step.status = StepStatus::Failed;
  CHECK(judge({step}).empty());
  StepResult odd;
  odd.kind = "http.json";
  odd.status = StepStatus::Ok;
  odd.facts = nlohmann::json::parse(R"({"url": 5, "reachable": "yes", "healthy": "no"})");
  auto odd_findings = judge({odd});
  REQUIRE(odd_findings.size() == 1);  // reachable is not true: no answer
  CHECK(odd_findings[0].code == "http.unreachable");
}

TEST_CASE("http judge: part of the default judges") {
  TestServer server;
  server.serve("/health", http::test::kTitanDegraded);
  auto step = run(http::JsonStep(), "h", {{"url", server.url("/health")}, {"path", "status"}, {"expect", "ok"}});
  auto findings = default_judges().run({step}, JudgeContext{});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "http.unhealthy");
  CHECK(findings[0].values.at("value") == "degraded");
}

}  // namespace rr
