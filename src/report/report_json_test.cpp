// The report's JSON: the webhook schema, and the way back for the outbox.

#include "report/report_json.h"

#include <catch2/catch.hpp>

#include "notify/test_reports.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;

TEST_CASE("report_to_json follows schema version 1") {
  Report r = test_reports::small();
  json j = report_to_json(r);
  CHECK(test::webhook_json_violations(j.dump()).empty());
  CHECK(j["version"] == 1);
  CHECK(j["id"] == "r-1");
  CHECK(j["kind"] == "triage");
  CHECK(j["status"] == "firing");
  CHECK(j["title"] == "[FIRING:1] NatsServerDown nats-west");
  CHECK(j["group_key"] == r.group_key);
  CHECK(j["receiver"] == "nats-diag");
  CHECK(j["rule"] == "nats-server-down");
  CHECK(j["cluster"] == "nats-west");
  CHECK(j["verdict"] == r.verdict);
  CHECK(j["summary"] == r.verdict);
  CHECK(j["severity"] == "critical");
  CHECK(j["truncated_alerts"] == 0);
  CHECK(j["created"] == "2026-11-23T00:33:20.000Z");
  REQUIRE(j["alerts"].size() == 1);
  CHECK(j["alerts"][0]["fingerprint"] == "c1aa405082786383");
  CHECK(j["alerts"][0]["labels"]["server"] == "nats-9");
  CHECK(j["alerts"][0]["starts_at"] == "2026-11-23T00:32:53.000Z");
  CHECK(j["alerts"][0]["rule"] == "nats-server-down");
  REQUIRE(j["findings"].size() == 2);
  CHECK(j["findings"][0]["severity"] == "critical");
  CHECK(j["findings"][0]["code"] == "nats.server_down");
  CHECK(j["findings"][0]["evidence"].size() == 2);
  REQUIRE(j["steps"].size() == 2);
  CHECK(j["steps"][0]["status"] == "ok");
  CHECK(j["steps"][0]["duration_ms"] == 120);
  CHECK(j["steps"][1]["status"] == "timeout");
  CHECK(j["steps"][0]["output"] == r.steps[0].output);
  CHECK(j["suggestions"][0]["risk"] == "medium");
  CHECK(j["links"][0]["title"] == "Runbook");
}

TEST_CASE("report_to_json kinds and the severity of a report without findings") {
  Report r = test_reports::small();
  r.kind = Report::Kind::Resolution;
  r.findings.clear();
  json j = report_to_json(r);
  CHECK(j["kind"] == "resolution");
  CHECK(j["severity"] == "ok");
  CHECK(j["findings"].is_array());
  r.kind = Report::Kind::Unmatched;
  CHECK(report_to_json(r)["kind"] == "unmatched");
}

TEST_CASE("report_to_json_text survives invalid UTF-8 and hostile text") {
  Report r = test_reports::small();
  r.steps[0].output = std::string("bad \xff\xfe bytes") + test_reports::kHostile;
  std::string text;
  REQUIRE_NOTHROW(text = report_to_json_text(r));
  json back = json::parse(text);
  CHECK(back["steps"][0]["output"].get<std::string>().find("bytes") != std::string::npos);
  CHECK(report_to_json_text(r, 2).find("\n  \"version\": 1") != std::string::npos);
}

TEST_CASE("a report read back from its JSON is the same report") {
  Report r = test_reports::small();
  r.kind = Report::Kind::Started;
  r.url = "https://responder.example/reports/r-1";
  r.findings[0].values = {{"server", "nats-9"}};
  auto back = report_from_json(report_to_json(r));
  REQUIRE(back);
  CHECK(report_to_json(*back) == report_to_json(r));
  CHECK(back->kind == Report::Kind::Started);
  CHECK(back->common_labels == r.common_labels);
  CHECK(back->group_labels == r.group_labels);
  CHECK(back->findings[0].values == r.findings[0].values);
  CHECK(back->steps[1].status == StepStatus::Timeout);
  CHECK(back->triage_duration == r.triage_duration);
  CHECK(back->url == r.url);

  Report huge = test_reports::huge();
  auto huge_back = report_from_json_text(report_to_json_text(huge));
  REQUIRE(huge_back);
  CHECK(report_to_json(*huge_back) == report_to_json(huge));
}

TEST_CASE("a broken report document is an error naming the field") {
  json good = report_to_json(test_reports::small());
  auto broken = [&](auto change) {
    json doc = good;
    change(doc);
    auto r = report_from_json(doc);
    return r ? std::string() : r.error().message;
  };
  CHECK(broken([](json& d) { d.erase("verdict"); }) == "verdict: missing");
  CHECK(broken([](json& d) { d["kind"] = "party"; }) == "kind: unknown");
  CHECK(broken([](json& d) { d["version"] = 2; }) == "version: not 1");
  CHECK(broken([](json& d) { d["findings"][0]["severity"] = 3; }) == "findings[].severity: not a string");
  CHECK(broken([](json& d) { d["alerts"][0]["starts_at"] = "soon"; }) == "alerts[].starts_at: not an RFC 3339 time");
  CHECK(broken([](json& d) { d["steps"] = json::object(); }) == "steps: not an array");
  CHECK_FALSE(report_from_json_text("{"));
  CHECK_FALSE(report_from_json_text("[]"));
}

}  // namespace
}  // namespace rr
