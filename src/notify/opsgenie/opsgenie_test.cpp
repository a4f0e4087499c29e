#include <catch2/catch.hpp>

#include "notify/digest.h"
#include "notify/opsgenie/opsgenie.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/services/services.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kKey = "eb243592-faa2-4ba2-a551-SECRET1b8e0f";
const std::string kCreate = "/opsgenie/v2/alerts";

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

json alert(const Report& r) { return json::parse(dump(render_opsgenie_alert(r))); }

std::string close_path(const Report& r) { return kCreate + "/" + opsgenie_alias(r.group_key) + "/close"; }

NotifyTarget og_target(std::map<std::string, std::string> options) {
  return NotifyTarget{"genie", "opsgenie", std::move(options), {}, "/etc/rr.yaml", 11};
}

std::unique_ptr<Notifier> notifier_for(const test::HttpSink& sink) {
  auto n = make_notifier(og_target({{"api_key", kKey}, {"api_url", sink.url("/opsgenie")}}));
  REQUIRE(n.ok());
  return std::move(*n);
}

Report resolved(Report r) {
  r.kind = Report::Kind::Resolution;
  r.status = "resolved";
  r.title = "[RESOLVED] NatsServerDown nats-west";
  r.verdict = "All alerts of the group resolved";
  r.findings.clear();
  r.steps.clear();
  r.suggestions.clear();
  return r;
}

std::size_t chars(const json& v) { return test::utf8_chars(v.get<std::string>()); }

// ---- the alert -------------------------------------------------------------

TEST_CASE("opsgenie: alias and priority") {
  Report r = test_reports::small();
  CHECK(opsgenie_alias(r.group_key) == "rr-" + sha256_hex(r.group_key));
  CHECK(opsgenie_alias(r.group_key).size() == 67);
  CHECK(opsgenie_priority(r) == "P1");
  r.findings[0].severity = Severity::Warning;
  CHECK(opsgenie_priority(r) == "P3");
  r.findings[0].severity = Severity::Info;
  CHECK(opsgenie_priority(r) == "P5");
  r.findings.clear();
  CHECK(opsgenie_priority(r) == "P5");
}

TEST_CASE("opsgenie: a small report becomes a complete alert") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/reports/r-1";
  json a = alert(r);
  CHECK(test::opsgenie_violations(a.dump()).empty());
  CHECK(a["message"] == "[FIRING:1] NatsServerDown nats-west");
  CHECK(a["alias"] == opsgenie_alias(r.group_key));
  CHECK(a["priority"] == "P1");
  CHECK(a["tags"] == json::array({"runbook-responder", "nats-server-down", "nats-west"}));
  CHECK(a["details"] == json{{"cluster", "nats-west"},
                             {"rule", "nats-server-down"},
                             {"verdict", r.verdict},
                             {"report_url", r.url}});
  CHECK(a["entity"] == "nats-west");
  CHECK(a["source"] == "runbook-responder");
  std::string d = a["description"];
  CHECK(d.find("Verdict: nats-9 is down; the other 2 servers have quorum [critical]") != std::string::npos);
  CHECK(d.find("[CRITICAL] nats-9 does not answer (nats.server_down)") != std::string::npos);
  CHECK(d.find("- health: nats-9 connection refused") != std::string::npos);
  CHECK(d.find("$ systemctl restart nats-server") != std::string::npos);
  CHECK(d.find("[timeout] jetstream nats.jetstream") != std::string::npos);
  CHECK(d.find("Runbook: https://runbooks.example.com/nats/server-down") != std::string::npos);
  CHECK(d.find("Left out") == std::string::npos);
}

TEST_CASE("opsgenie: empty rule and cluster leave no empty tag, detail or entity") {
  Report r;
  r.kind = Report::Kind::Unmatched;
  r.status = "firing";
  r.group_key = "{}:{alertname=\"X\"}";
  json a = alert(r);
  CHECK(test::opsgenie_violations(a.dump()).empty());
  CHECK(a["message"] == "Runbook Responder report");
  CHECK(a["tags"] == json::array({"runbook-responder"}));
  CHECK(a["details"].empty());
  CHECK_FALSE(a.contains("entity"));
  CHECK(a["priority"] == "P5");
}

TEST_CASE("opsgenie: a huge report fits every field, keeping verdict, worst findings and commands") {
  Report r = test_reports::huge();
  r.url = "https://rr.example.com/reports/huge";
  std::string body = dump(render_opsgenie_alert(r));
  auto problems = test::opsgenie_violations(body);
  INFO(problems.size() << " problems, first: " << (problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  json a = json::parse(body);
  CHECK(chars(a["message"]) <= 130);
  CHECK(chars(a["message"]) >= 120);  // cut, not dropped
  std::string d = a["description"];
  CHECK(test::utf8_chars(d) <= 15000);
  CHECK(test::utf8_chars(d) > 12000);  // trimmed to fit, not emptied
  CHECK(d.find("Verdict: VERDICT ") != std::string::npos);
  for (int i = 0; i < 5; ++i) CHECK(d.find("[CRITICAL] finding " + std::to_string(i) + " ") != std::string::npos);
  CHECK(d.find("$ nats server check") != std::string::npos);
  CHECK(d.find("… Left out to stay within Opsgenie's 15,000 characters: ") != std::string::npos);
  CHECK(d.find("of 200 findings") != std::string::npos);
  CHECK(d.find("The full report: " + r.url) != std::string::npos);
  CHECK(d.find("left out 3 more alert(s)") != std::string::npos);
  CHECK(body.find("javascript:") == std::string::npos);
  for (const json& t : a["tags"]) CHECK(chars(t) <= 50);
  for (const auto& [k, v] : a["details"].items()) CHECK(chars(v) <= 1000);
}

TEST_CASE("opsgenie: the description keeps commands before step output and alerts") {
  Report r = test_reports::small();
  for (int i = 0; i < 200; ++i) r.alerts.push_back(r.alerts[0]);
  for (int i = 0; i < 60; ++i) r.steps.push_back(r.steps[0]);
  std::string d = opsgenie_description(r, 3000);
  CHECK(test::utf8_chars(d) <= 3000);
  CHECK(d.find("nats-9 does not answer") != std::string::npos);
  CHECK(d.find("JetStream has quorum") != std::string::npos);
  CHECK(d.find("$ systemctl restart nats-server") != std::string::npos);
  CHECK(d.find("more alert") == std::string::npos);
  CHECK(d.find("of 201 alerts") != std::string::npos);
  CHECK(d.find("of 62 steps") != std::string::npos);
  CHECK(d.find("findings") == std::string::npos);
  CHECK(d.find("of 1 suggestions") == std::string::npos);
}

TEST_CASE("opsgenie: hostile text stays text: valid JSON, one-line message, no links smuggled in") {
  Report r = test_reports::small();
  r.title = test_reports::kHostile + std::string("\xff");
  r.verdict = test_reports::kHostile;
  r.rule = "rule\nwith, comma";
  r.cluster = std::string(80, 'c');
  r.url = "javascript:alert(1)";
  r.links.push_back(Link{test_reports::kHostile, "javascript:alert(2)"});
  r.links.push_back(Link{"spaced", "https://ok.example/ path"});
  std::string body = dump(render_opsgenie_alert(r));
  json a;
  REQUIRE_NOTHROW(a = json::parse(body));
  CHECK(test::opsgenie_violations(body).empty());
  std::string m = a["message"];
  CHECK(m.find('\n') == std::string::npos);
  CHECK(m.find('\x1b') == std::string::npos);
  CHECK(body.find("\\u001b") == std::string::npos);
  CHECK(body.find("javascript:") == std::string::npos);
  CHECK(body.find("ok.example/ path") == std::string::npos);
  CHECK_FALSE(a["details"].contains("report_url"));
  CHECK(a["tags"][1] == "rule with, comma");
  CHECK(chars(a["tags"][2]) == 50);
  CHECK(chars(a["entity"]) == 80);
}

// ---- the test sink's checks ------------------------------------------------

TEST_CASE("opsgenie sink: every body check refuses what breaks it") {
  json good = alert(test_reports::small());
  REQUIRE(test::opsgenie_violations(good.dump()).empty());
  auto refused = [](const json& body, const std::string& what) {
    auto problems = test::opsgenie_violations(body.dump());
    INFO(what << ": " << body.dump().substr(0, 300));
    bool named = false;
    for (const auto& p : problems) named = named || p.find(what) != std::string::npos;
    CHECK(named);
  };
  auto with = [&good](auto change) {
    json b = good;
    change(b);
    return b;
  };
  CHECK_FALSE(test::opsgenie_violations("\"text\"").empty());
  refused(with([](json& b) { b.erase("message"); }), "message: required");
  refused(with([](json& b) { b["message"] = ""; }), "message: empty");
  refused(with([](json& b) { b["message"] = std::string(131, 'm'); }), "message: 131 characters");
  refused(with([](json& b) { b["alias"] = std::string(513, 'a'); }), "alias");
  refused(with([](json& b) { b["description"] = std::string(15001, 'd'); }), "description");
  refused(with([](json& b) { b["priority"] = "P6"; }), "priority");
  refused(with([](json& b) { b["priority"] = "critical"; }), "priority");
  refused(with([](json& b) { b["tags"] = json::array({std::string(51, 't')}); }), "tags[0]");
  refused(with([](json& b) { b["tags"] = std::vector<std::string>(21, "t"); }), "21 tags");
  refused(with([](json& b) { b["tags"] = "one"; }), "tags: not an array");
  refused(with([](json& b) { b["details"] = {{"k", 1}}; }), "details.k");
  refused(with([](json& b) { b["details"] = {{"k", std::string(8000, 'v')}}; }), "8000");
  CHECK(test::opsgenie_violations(with([](json& b) { b["details"] = {{"k", std::string(7999, 'v')}}; }).dump()).empty());
  refused(with([](json& b) { b["details"] = json::array(); }), "details: not an object");
  refused(with([](json& b) { b["entity"] = std::string(513, 'e'); }), "entity");
  refused(with([](json& b) { b["source"] = std::string(101, 's'); }), "source");
  refused(with([](json& b) { b["mesage"] = "typo"; }), "mesage");
  std::string wide;
  for (int i = 0; i < 130; ++i) wide += "é";
  CHECK(test::opsgenie_violations(with([&](json& b) { b["message"] = wide; }).dump()).empty());
}

TEST_CASE("opsgenie sink: key, method, path and identifierType are checked; success is 202") {
  const test::ServiceModel* model = test::service_for(kCreate);
  REQUIRE(model != nullptr);
  CHECK(model->prefix == test::kOpsgenieService.prefix);
  Report r = test_reports::small();
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "GenieKey " + kKey},
                                                              {"Content-Type", "application/json"}};
  test::SinkRequest create{"POST", kCreate, headers, dump(render_opsgenie_alert(r)), {}, {}};
  CHECK(model->check(create).empty());
  test::SinkResponse answer = model->answer(create, 0);
  CHECK(answer.status == 202);
  json a = json::parse(answer.body);
  CHECK(a["result"] == "Request will be processed");
  CHECK(a["took"].is_number());
  CHECK(a["requestId"].is_string());

  auto refused = [&](test::SinkRequest req, const std::string& what) {
    auto problems = model->check(req);
    bool named = false;
    for (const auto& p : problems) named = named || p.find(what) != std::string::npos;
    INFO(what);
    CHECK(named);
  };
  test::SinkRequest c = create;
  c.headers = {{"Content-Type", "application/json"}};
  refused(c, "Authorization");
  c.headers = {{"Authorization", "Bearer " + kKey}, {"Content-Type", "application/json"}};
  refused(c, "Authorization");
  c.headers = {{"Authorization", "GenieKey "}, {"Content-Type", "application/json"}};
  refused(c, "Authorization");
  c = create;
  c.method = "PUT";
  refused(c, "method");
  c = create;
  c.path = "/opsgenie/v1/alerts";
  refused(c, "not an alert endpoint");
  c = create;
  c.body = "{}";
  refused(c, "message: required");

  test::SinkRequest close{"POST", close_path(r), headers, dump(render_opsgenie_close(r)), {}, {{"identifierType", "alias"}}};
  CHECK(model->check(close).empty());
  c = close;
  c.query.clear();
  refused(c, "identifierType");
  c.query = {{"identifierType", "id"}};
  refused(c, "identifierType");
  c = close;
  c.body = R"({"note": 5})";
  refused(c, "note: not a string");
  c.body = R"({"closeNow": true})";
  refused(c, "closeNow");
  c = close;
  c.path = kCreate + "/" + std::string(513, 'a') + "/close";
  refused(c, "alias");
  c.path = kCreate + "/a/b/close";
  refused(c, "not an alert to close");
}

// ---- the notifier against the sink -----------------------------------------

TEST_CASE("opsgenie notifier: create then close by the same alias, with the GenieKey") {
  test::HttpSink sink;
  auto n = notifier_for(sink);
  Report r = test_reports::small();
  Delivery first = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK(first.ok);
  CHECK(first.http_status == 202);
  Report done = resolved(r);
  REQUIRE(n->wants(done));
  Delivery second = n->send(Message{done, ""}, Deadline::after(10s));
  CHECK(second.ok);
  CHECK(second.http_status == 202);
  CHECK(sink.violations().empty());
  auto created = sink.requests(kCreate);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == "POST");
  CHECK(created[0].header("Authorization") == "GenieKey " + kKey);
  json a = json::parse(created[0].body);
  auto closed = sink.requests(close_path(r));
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].path == kCreate + "/" + a["alias"].get<std::string>() + "/close");
  CHECK(closed[0].query.at("identifierType") == "alias");
  CHECK(closed[0].header("Authorization") == "GenieKey " + kKey);
  CHECK(json::parse(closed[0].body) == json{{"source", "runbook-responder"}, {"note", "All alerts of the group resolved"}});
}

TEST_CASE("opsgenie notifier: a trailing slash on api_url changes nothing") {
  test::HttpSink sink;
  auto n = make_notifier(og_target({{"api_key", kKey}, {"api_url", sink.url("/opsgenie/")}}));
  REQUIRE(n.ok());
  CHECK((*n)->send(Message{test_reports::small(), ""}, Deadline::after(10s)).ok);
  CHECK(sink.requests(kCreate).size() == 1);
  CHECK(sink.violations().empty());
}

TEST_CASE("opsgenie notifier: partial resolutions and progress notices are not wanted") {
  test::HttpSink sink;
  auto n = notifier_for(sink);
  Report partial = resolved(test_reports::small());
  partial.status = "firing";
  CHECK_FALSE(n->wants(partial));
  Report started = test_reports::small();
  started.kind = Report::Kind::Started;
  CHECK_FALSE(n->wants(started));
  Report unmatched = test_reports::small();
  unmatched.kind = Report::Kind::Unmatched;
  CHECK(n->wants(unmatched));
  CHECK(n->send(Message{partial, ""}, Deadline::after(10s)).ok);
  CHECK(n->send(Message{started, ""}, Deadline::after(10s)).ok);
  CHECK(sink.requests().empty());
}

TEST_CASE("opsgenie notifier: 429 and 5xx are retryable, with Retry-After") {
  test::HttpSink sink;
  sink.script(kCreate, {test::SinkResponse{429, R"({"message":"You are making too many requests!","took":0.0})",
                                           {{"Retry-After", "4"}}},
                        test::SinkResponse{503, "unavailable"}});
  auto n = notifier_for(sink);
  Report r = test_reports::small();
  Delivery limited = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK(limited.retryable);
  CHECK(limited.http_status == 429);
  CHECK(limited.retry_after == Millis(4000));
  CHECK(limited.error.find("too many requests") != std::string::npos);
  Delivery down = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK(down.retryable);
  CHECK(down.http_status == 503);
  CHECK(n->send(Message{r, ""}, Deadline::after(10s)).ok);
}

TEST_CASE("opsgenie notifier: 400 and 422 are final, quote Opsgenie's reason and never the key") {
  test::HttpSink sink;
  json refusal = {{"message", "Request body is not processable. Please check the errors."},
                  {"errors", {{"message", "Message can not be empty."}}},
                  {"took", 0.002},
                  {"requestId", "a-request-id"}};
  sink.script(kCreate, {test::SinkResponse{400, refusal.dump()},
                        test::SinkResponse{422, R"({"message":"Key format is not valid: GenieKey )" + kKey + R"("})"}});
  auto n = notifier_for(sink);
  Delivery d = n->send(Message{test_reports::small(), ""}, Deadline::after(10s));
  CHECK_FALSE(d.ok);
  CHECK_FALSE(d.retryable);
  CHECK(d.http_status == 400);
  CHECK(d.error.find("HTTP 400: Request body is not processable. Please check the errors. message: Message can not be empty.") !=
        std::string::npos);
  Delivery echoed = n->send(Message{test_reports::small(), ""}, Deadline::after(10s));
  CHECK_FALSE(echoed.retryable);
  CHECK(echoed.http_status == 422);
  CHECK(echoed.error.find("Key format is not valid") != std::string::npos);
  CHECK(echoed.error.find(kKey) == std::string::npos);
  CHECK(echoed.error.find("SECRET") == std::string::npos);
}

TEST_CASE("opsgenie notifier: the sink's own refusal reaches Delivery::error") {
  test::HttpSink sink;
  auto n = make_notifier(og_target({{"api_key", kKey}, {"api_url", sink.url("/opsgenie/v1")}}));
  REQUIRE(n.ok());
  Delivery d = (*n)->send(Message{test_reports::small(), ""}, Deadline::after(10s));
  CHECK_FALSE(d.ok);
  CHECK_FALSE(d.retryable);
  CHECK(d.http_status == 422);
  CHECK(d.error.find("Request body is not processable") != std::string::npos);
  CHECK(d.error.find(kKey) == std::string::npos);
  CHECK(sink.violations().size() == 1);
}

TEST_CASE("opsgenie notifier: a server that is gone is retryable and never named with the key") {
  auto n = make_notifier(
      og_target({{"api_key", kKey}, {"api_url", "http://127.0.0.1:" + std::to_string(test::free_port()) + "/opsgenie"}}));
  REQUIRE(n.ok());
  Delivery d = (*n)->send(Message{test_reports::small(), ""}, Deadline::after(5s));
  CHECK_FALSE(d.ok);
  CHECK(d.retryable);
  CHECK(d.error.find(kKey) == std::string::npos);
}

TEST_CASE("opsgenie target: options are checked by make_notifier without echoing secrets") {
  auto error_of = [](std::map<std::string, std::string> options) {
    auto n = make_notifier(og_target(std::move(options)));
    return n ? std::string() : n.error().to_string();
  };
  CHECK(error_of({{"api_key", kKey}}).empty());
  CHECK(error_of({{"api_key", kKey}, {"api_url", "https://api.eu.opsgenie.com"}}).empty());
  CHECK(error_of({}) == "/etc/rr.yaml:11: notify target genie: type opsgenie needs api_key, api_key_file or api_key_env");
  std::string unknown = error_of({{"api_key", kKey}, {"routing_key", "x"}});
  CHECK(unknown.find("takes no option routing_key (it takes api_key, api_url)") != std::string::npos);
  for (std::string bad : {"SECRET key", "SECRET\r\nX-Injected: 1"}) {
    std::string e = error_of({{"api_key", bad}});
    CHECK(e.find("api_key: must be an Opsgenie API key") != std::string::npos);
    CHECK(e.find("SECRET") == std::string::npos);
  }
  std::string url = error_of({{"api_key", kKey}, {"api_url", "api.opsgenie.com/SECRET"}});
  CHECK(url.find("notify target genie: api_url: ") != std::string::npos);
  CHECK(url.find("SECRET") == std::string::npos);
  CHECK(kOpsgenieTarget.rate.per_second == 2.0);
  CHECK(kOpsgenieTarget.rate.burst == 2);
}

}  // namespace
}  // namespace rr
