#include <catch2/catch.hpp>

#include "notify/digest.h"
#include "notify/pagerduty/pagerduty.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/services/services.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kKey = "R0UTINGKEY0123456789abcdefSECRET";  // 32 characters, as PagerDuty's
const std::string kPath = "/pagerduty/v2/enqueue";

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

json trigger(const Report& r, std::string_view source = "", const PagerdutyLimits& limits = {}) {
  return json::parse(dump(render_pagerduty_trigger(r, kKey, source, limits)));
}

NotifyTarget pd_target(std::map<std::string, std::string> options) {
  return NotifyTarget{"pager", "pagerduty", std::move(options), {}, "/etc/rr.yaml", 9};
}

std::unique_ptr<Notifier> notifier_for(const test::HttpSink& sink) {
  auto n = make_notifier(pd_target({{"routing_key", kKey}, {"api_url", sink.url(kPath)}}));
  REQUIRE(n.ok());
  return std::move(*n);
}

Report resolved(Report r) {
  r.kind = Report::Kind::Resolution;
  r.status = "resolved";
  r.title = "[RESOLVED] NatsServerDown nats-west";
  r.findings.clear();
  r.steps.clear();
  r.suggestions.clear();
  return r;
}

// ---- the event -----------------------------------------------------------

TEST_CASE("pagerduty: the dedup key is rr- and the SHA-256 of the groupKey") {
  Report r = test_reports::small();
  CHECK(pagerduty_dedup_key(r.group_key) == "rr-" + sha256_hex(r.group_key));
  CHECK(pagerduty_dedup_key(r.group_key) == "rr-7b57cd6e63fc70adf9ac735c687274395c2e824873a57d19389e785e8932f54f");
  CHECK(pagerduty_dedup_key("{}:{a=\"b\"}") != pagerduty_dedup_key(r.group_key));
}

TEST_CASE("pagerduty: severity from the worst finding, else the severity label, else warning") {
  Report r = test_reports::small();
  CHECK(pagerduty_severity(r) == "critical");
  r.findings[0].severity = Severity::Warning;
  CHECK(pagerduty_severity(r) == "warning");
  r.findings[0].severity = Severity::Info;  // no warning or critical finding: the label decides
  CHECK(pagerduty_severity(r) == "critical");
  r.common_labels["severity"] = "Error";
  CHECK(pagerduty_severity(r) == "error");
  r.common_labels["severity"] = "info";
  CHECK(pagerduty_severity(r) == "info");
  r.common_labels["severity"] = "page";
  CHECK(pagerduty_severity(r) == "warning");
  r.common_labels.erase("severity");
  r.findings.clear();
  CHECK(pagerduty_severity(r) == "warning");
}

TEST_CASE("pagerduty: a small report becomes a complete trigger event") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/reports/r-1";
  r.links.insert(r.links.begin(), Link{"Full report", r.url});
  json e = trigger(r);
  CHECK(test::pagerduty_violations(e.dump()).empty());
  CHECK(e["routing_key"] == kKey);
  CHECK(e["event_action"] == "trigger");
  CHECK(e["dedup_key"] == pagerduty_dedup_key(r.group_key));
  const json& p = e["payload"];
  CHECK(p["summary"] == "[FIRING:1] NatsServerDown nats-west — nats-9 is down; the other 2 servers have quorum");
  CHECK(p["source"] == "nats-west");
  CHECK(p["severity"] == "critical");
  CHECK(p["timestamp"] == "2026-11-23T00:33:20.000Z");
  CHECK(p["component"] == "nats-west");
  CHECK(p["group"] == "nats-server-down");
  CHECK(p["class"] == "NatsServerDown");
  const json& d = p["custom_details"];
  CHECK(d["verdict"] == r.verdict);
  CHECK(d["severity"] == "critical");
  CHECK(d["kind"] == "triage");
  CHECK(d["report_url"] == r.url);
  REQUIRE(d["findings"].size() == 2);
  CHECK(d["findings"][0]["code"] == "nats.server_down");
  CHECK(d["findings"][0]["evidence"][0] == "health: nats-9 connection refused");
  REQUIRE(d["suggestions"].size() == 1);
  CHECK(d["suggestions"][0]["command"] == "systemctl restart nats-server");
  CHECK(d["suggestions"][0]["risk"] == "medium");
  REQUIRE(d["steps"].size() == 2);
  CHECK(d["steps"][0]["summary"] == "2 of 3 servers healthy");
  CHECK(d["steps"][1]["status"] == "timeout");
  CHECK_FALSE(d["steps"][0].contains("output"));  // summaries only
  REQUIRE(d["alerts"].size() == 1);
  CHECK(d["alerts"][0]["fingerprint"] == "c1aa405082786383");
  CHECK(d["alerts"][0]["labels"]["server"] == "nats-9");
  CHECK_FALSE(d.contains("left_out"));
  REQUIRE(e["links"].size() == 3);
  CHECK(e["links"][0] == json{{"href", r.url}, {"text", "Full report"}});
  CHECK(e["links"][1]["href"] == "https://runbooks.example.com/nats/server-down");
  CHECK(e["client"] == "Runbook Responder");
  CHECK(e["client_url"] == r.url);
}

TEST_CASE("pagerduty: source is the cluster, else the option, else runbook-responder") {
  Report r = test_reports::small();
  CHECK(trigger(r, "prod-nats")["payload"]["source"] == "nats-west");
  r.cluster.clear();
  CHECK(trigger(r, "prod-nats")["payload"]["source"] == "prod-nats");
  json e = trigger(r);
  CHECK(e["payload"]["source"] == "runbook-responder");
  CHECK_FALSE(e["payload"].contains("component"));
  CHECK_FALSE(e.contains("client_url"));  // no report page
  CHECK(test::pagerduty_violations(e.dump()).empty());
}

TEST_CASE("pagerduty: an unmatched report with empty fields is still a valid trigger") {
  Report r;
  r.kind = Report::Kind::Unmatched;
  r.status = "firing";
  r.group_key = "{}:{alertname=\"X\"}";
  json e = trigger(r);
  CHECK(test::pagerduty_violations(e.dump()).empty());
  CHECK(e["payload"]["summary"] == "Runbook Responder report");
  CHECK(e["payload"]["severity"] == "warning");
  CHECK(e["links"].empty());
}

TEST_CASE("pagerduty: the resolve event carries the key and the dedup key only") {
  Report r = resolved(test_reports::small());
  json e = json::parse(dump(render_pagerduty_resolve(r, kKey)));
  CHECK(test::pagerduty_violations(e.dump()).empty());
  CHECK(e == json{{"routing_key", kKey}, {"event_action", "resolve"}, {"dedup_key", pagerduty_dedup_key(r.group_key)}});
}

TEST_CASE("pagerduty: a huge report is trimmed under 512 KB, keeping verdict, worst findings and commands") {
  Report r = test_reports::huge();
  r.url = "https://rr.example.com/reports/huge";
  std::string body = dump(render_pagerduty_trigger(r, kKey));
  auto problems = test::pagerduty_violations(body);
  INFO(problems.size() << " problems, first: " << (problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  CHECK(body.size() <= 500 * 1000);
  CHECK(body.size() > 400 * 1000);  // trimmed to fit, not emptied
  json e = json::parse(body);
  const json& d = e["payload"]["custom_details"];
  CHECK(d["verdict"].get<std::string>().rfind("VERDICT ", 0) == 0);
  std::string summary = e["payload"]["summary"];
  CHECK(summary.size() <= 1024);
  CHECK(summary.find(" — VERDICT ") != std::string::npos);  // a huge title leaves room for the verdict
  REQUIRE(d["findings"].size() >= 5);
  CHECK(d["findings"].size() < 200);
  for (int i = 0; i < 5; ++i) {
    CHECK(d["findings"][i]["severity"] == "critical");
    CHECK(d["findings"][i]["title"].get<std::string>().rfind("finding " + std::to_string(i) + " ", 0) == 0);
  }
  REQUIRE(d["suggestions"].size() == 60);  // every command
  CHECK(d["suggestions"][59]["command"].get<std::string>().rfind("nats server check", 0) == 0);
  CHECK(d["steps"].size() >= 10);
  CHECK(d["alerts"].size() >= 5);
  CHECK(d["truncated_alerts"] == 3);
  std::string note = d["left_out"];
  CHECK(note.find("Left out to keep the event under PagerDuty's 512 KB") != std::string::npos);
  CHECK(note.find(" findings") != std::string::npos);
  CHECK(note.find("of 200 findings") != std::string::npos);
  CHECK(note.find(r.url) != std::string::npos);
  CHECK(e["links"].size() <= 20);
  for (const json& l : e["links"]) {
    std::string href = l["href"];
    CHECK((href.rfind("https://", 0) == 0 || href.rfind("http://", 0) == 0));
  }
  CHECK(body.find("javascript:") == std::string::npos);
}

TEST_CASE("pagerduty: when space is short, alerts and steps go before findings and commands") {
  Report r = test_reports::small();
  for (int i = 0; i < 50; ++i) r.alerts.push_back(r.alerts[0]);
  for (int i = 0; i < 50; ++i) r.steps.push_back(r.steps[0]);
  PagerdutyLimits tight;
  tight.max_event_bytes = 6000;
  std::string body = dump(render_pagerduty_trigger(r, kKey, "", tight));
  CHECK(body.size() <= 6000);
  CHECK(test::pagerduty_violations(body).empty());
  json d = json::parse(body)["payload"]["custom_details"];
  CHECK(d["verdict"] == r.verdict);
  CHECK(d["findings"].size() == 2);
  CHECK(d["suggestions"][0]["command"] == "systemctl restart nats-server");
  CHECK(d["steps"].size() < 52);
  CHECK(d["alerts"].size() < 51);
  std::string note = d["left_out"];
  CHECK(note.find("steps") != std::string::npos);
  CHECK(note.find("alerts") != std::string::npos);
  CHECK(note.find("findings") == std::string::npos);
  CHECK(note.find("suggestions") == std::string::npos);
}

TEST_CASE("pagerduty: a limit too small for any list still sends the verdict and says why") {
  Report r = test_reports::small();
  PagerdutyLimits tiny;
  tiny.max_event_bytes = 1500;
  std::string body = dump(render_pagerduty_trigger(r, kKey, "", tiny));
  CHECK(body.size() <= 1500);
  json d = json::parse(body)["payload"]["custom_details"];
  CHECK(d["verdict"] == r.verdict);
  CHECK(d.contains("left_out"));
}

TEST_CASE("pagerduty: hostile text stays text: valid JSON, one-line summary, no links smuggled in") {
  Report r = test_reports::small();
  r.title = test_reports::kHostile;
  r.verdict = test_reports::kHostile + std::string("\xff\xfe");
  r.cluster = "nats\nwest";
  r.findings[0].title = test_reports::kHostile;
  r.suggestions[0].command = test_reports::kHostile;
  r.links.push_back(Link{test_reports::kHostile, "javascript:alert(1)"});
  r.links.push_back(Link{"x", "https://ok.example/ path"});
  r.links.push_back(Link{test_reports::kHostile, "https://ok.example/a"});
  std::string body = dump(render_pagerduty_trigger(r, kKey));
  json e;
  REQUIRE_NOTHROW(e = json::parse(body));
  CHECK(test::pagerduty_violations(body).empty());
  std::string summary = e["payload"]["summary"];
  CHECK(summary.find('\n') == std::string::npos);
  CHECK(summary.find('\x1b') == std::string::npos);
  CHECK(e["payload"]["source"] == "nats west");
  CHECK(body.find("\\u001b") == std::string::npos);  // no terminal escapes anywhere
  REQUIRE(e["links"].size() == 3);
  for (const json& l : e["links"]) {
    std::string href = l["href"];
    CHECK((href.rfind("https://", 0) == 0 || href.rfind("http://", 0) == 0));
    CHECK(href.find("evil") == std::string::npos);
    CHECK(l["text"].get<std::string>().find('\n') == std::string::npos);
  }
  CHECK(e["links"][2]["href"] == "https://ok.example/a");
}

// ---- the test sink's checks ------------------------------------------------

TEST_CASE("pagerduty sink: every check refuses what breaks it") {
  json good = json::parse(dump(render_pagerduty_trigger(test_reports::small(), kKey)));
  REQUIRE(test::pagerduty_violations(good.dump()).empty());
  auto refused = [](const json& body, const std::string& what) {
    auto problems = test::pagerduty_violations(body.dump());
    INFO(what << ": " << body.dump().substr(0, 300));
    CHECK_FALSE(problems.empty());
    bool named = false;
    for (const auto& p : problems) named = named || p.find(what) != std::string::npos;
    CHECK(named);
  };
  auto with = [&good](auto change) {
    json b = good;
    change(b);
    return b;
  };
  CHECK_FALSE(test::pagerduty_violations("[1]").empty());
  CHECK_FALSE(test::pagerduty_violations("{nope").empty());
  refused(with([](json& b) { b["routing_key"] = "short"; }), "routing_key");
  refused(with([](json& b) { b.erase("routing_key"); }), "routing_key");
  refused(with([](json& b) { b["event_action"] = "page"; }), "event_action");
  refused(with([](json& b) { b["dedup_key"] = std::string(256, 'k'); }), "dedup_key");
  refused(with([](json& b) { b["dedup_key"] = 5; }), "dedup_key");
  refused(with([](json& b) { b.erase("payload"); }), "payload");
  refused(with([](json& b) { b["payload"]["summary"] = std::string(1025, 's'); }), "payload.summary");
  refused(with([](json& b) { b["payload"]["summary"] = ""; }), "payload.summary");
  refused(with([](json& b) { b["payload"]["source"] = ""; }), "payload.source");
  refused(with([](json& b) { b["payload"]["severity"] = "high"; }), "payload.severity");
  refused(with([](json& b) { b["payload"]["timestamp"] = "yesterday"; }), "payload.timestamp");
  refused(with([](json& b) { b["payload"]["custom_details"] = "text"; }), "payload.custom_details");
  refused(with([](json& b) { b["payload"]["sumary"] = "typo"; }), "payload.sumary");
  refused(with([](json& b) { b["links"] = json::array({{{"href", "javascript:alert(1)"}, {"text", "x"}}}); }), "links[0]");
  refused(with([](json& b) { b["images"] = json::array({{{"src", "http://insecure/x.png"}}}); }), "images[0]");
  refused(with([](json& b) { b["client_url"] = "ftp://x"; }), "client_url");
  refused(with([](json& b) { b["routingkey"] = "typo"; }), "routingkey");
  refused(with([](json& b) { b["payload"]["custom_details"]["pad"] = std::string(512 * 1024, 'p'); }), "512 KB");
  json resolve = {{"routing_key", kKey}, {"event_action", "resolve"}};
  refused(resolve, "dedup_key: required");
  // Multi-byte characters count once: 1024 of them are a valid summary.
  std::string wide;
  for (int i = 0; i < 1024; ++i) wide += "é";
  CHECK(test::pagerduty_violations(with([&](json& b) { b["payload"]["summary"] = wide; }).dump()).empty());
}

TEST_CASE("pagerduty sink: method, path and content type are checked, success is 202 with the dedup key") {
  const test::ServiceModel* model = test::service_for(kPath);
  REQUIRE(model != nullptr);
  CHECK(model->prefix == test::kPagerdutyService.prefix);
  test::SinkRequest ok{"POST", kPath, {{"Content-Type", "application/json"}},
                       dump(render_pagerduty_resolve(test_reports::small(), kKey)), {}, {}};
  CHECK(model->check(ok).empty());
  test::SinkResponse answer = model->answer(ok, 0);
  CHECK(answer.status == 202);
  json a = json::parse(answer.body);
  CHECK(a["status"] == "success");
  CHECK(a["message"] == "Event processed");
  CHECK(a["dedup_key"] == pagerduty_dedup_key(test_reports::small().group_key));
  test::SinkRequest get = ok;
  get.method = "GET";
  CHECK_FALSE(model->check(get).empty());
  test::SinkRequest change = ok;
  change.path = "/pagerduty/v2/change/enqueue";
  CHECK_FALSE(model->check(change).empty());
  test::SinkRequest text = ok;
  text.headers = {{"Content-Type", "text/plain"}};
  CHECK_FALSE(model->check(text).empty());
}

// ---- the notifier against the sink -----------------------------------------

TEST_CASE("pagerduty notifier: trigger then resolve name the same incident") {
  test::HttpSink sink;
  auto n = notifier_for(sink);
  Report r = test_reports::small();
  CHECK(n->wants(r));
  Delivery first = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK(first.ok);
  CHECK(first.http_status == 202);
  Report done = resolved(r);
  REQUIRE(n->wants(done));
  Delivery second = n->send(Message{done, ""}, Deadline::after(10s));
  CHECK(second.ok);
  auto seen = sink.requests(kPath);
  REQUIRE(seen.size() == 2);
  CHECK(sink.violations().empty());
  json a = json::parse(seen[0].body), b = json::parse(seen[1].body);
  CHECK(a["event_action"] == "trigger");
  CHECK(b["event_action"] == "resolve");
  CHECK(a["dedup_key"] == b["dedup_key"]);
  CHECK(a["routing_key"] == kKey);
  CHECK(b["routing_key"] == kKey);
  CHECK(seen[0].header("Content-Type") == "application/json");
}

TEST_CASE("pagerduty notifier: partial resolutions and progress notices are not wanted") {
  test::HttpSink sink;
  auto n = notifier_for(sink);
  Report partial = resolved(test_reports::small());
  partial.status = "firing";  // one alert resolved, the group still firing
  CHECK_FALSE(n->wants(partial));
  Report started = test_reports::small();
  started.kind = Report::Kind::Started;
  CHECK_FALSE(n->wants(started));
  Report unmatched = test_reports::small();
  unmatched.kind = Report::Kind::Unmatched;
  CHECK(n->wants(unmatched));
  // Sent anyway, they page nobody.
  CHECK(n->send(Message{partial, ""}, Deadline::after(10s)).ok);
  CHECK(n->send(Message{started, ""}, Deadline::after(10s)).ok);
  CHECK(sink.requests().empty());
}

TEST_CASE("pagerduty notifier: 429 and 5xx are retryable, with Retry-After") {
  test::HttpSink sink;
  sink.script(kPath, {test::SinkResponse{429, R"({"status":"throttle event","message":"Requests for this service are arriving too quickly."})",
                                         {{"Retry-After", "3"}}},
                      test::SinkResponse{500, "internal error"}});
  auto n = notifier_for(sink);
  Report r = test_reports::small();
  Delivery limited = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK_FALSE(limited.ok);
  CHECK(limited.retryable);
  CHECK(limited.http_status == 429);
  CHECK(limited.retry_after == Millis(3000));
  CHECK(limited.error.find("arriving too quickly") != std::string::npos);
  Delivery failed = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK_FALSE(failed.ok);
  CHECK(failed.retryable);
  CHECK(failed.http_status == 500);
  Delivery third = n->send(Message{r, ""}, Deadline::after(10s));
  CHECK(third.ok);
  CHECK(sink.violations().empty());
}

TEST_CASE("pagerduty notifier: 400 is final, quotes PagerDuty's reason and never the routing key") {
  test::HttpSink sink;
  // A long refusal whose reason comes last, echoing the key as a careless server might.
  json refusal = {{"status", "invalid event"},
                  {"message", "Event object is invalid"},
                  {"errors", json::array({"'payload.summary' is too long for routing key " + kKey + " " +
                                          std::string(80, '.') + " the real reason comes here"})}};
  sink.script(kPath, {test::SinkResponse{400, refusal.dump()}});
  auto n = notifier_for(sink);
  Delivery d = n->send(Message{test_reports::small(), ""}, Deadline::after(10s));
  CHECK_FALSE(d.ok);
  CHECK_FALSE(d.retryable);
  CHECK_FALSE(d.retry_after);
  CHECK(d.http_status == 400);
  CHECK(d.error.find("HTTP 400: invalid event: Event object is invalid: 'payload.summary' is too long") != std::string::npos);
  CHECK(d.error.find("the real reason comes here") != std::string::npos);
  CHECK(d.error.find(kKey) == std::string::npos);
  CHECK(d.error.find("SECRET") == std::string::npos);
  CHECK(d.error.find("<routing_key>") != std::string::npos);
  CHECK(d.error.find('\n') == std::string::npos);
}

TEST_CASE("pagerduty notifier: the sink's own refusal reaches Delivery::error") {
  test::HttpSink sink;
  // A valid event, sent to a path PagerDuty does not have.
  auto wrong = make_notifier(pd_target({{"routing_key", kKey}, {"api_url", sink.url("/pagerduty/v1/enqueue")}}));
  REQUIRE(wrong.ok());
  Delivery d = (*wrong)->send(Message{test_reports::small(), ""}, Deadline::after(10s));
  CHECK_FALSE(d.ok);
  CHECK_FALSE(d.retryable);
  CHECK(d.error.find("Event object is invalid") != std::string::npos);
  CHECK(d.error.find(kKey) == std::string::npos);
  CHECK(sink.violations().size() == 1);
}

TEST_CASE("pagerduty notifier: a server that is gone is retryable and named by origin only") {
  std::string url = "http://127.0.0.1:" + std::to_string(test::free_port()) + kPath;
  auto n = make_notifier(pd_target({{"routing_key", kKey}, {"api_url", url}}));
  REQUIRE(n.ok());
  Delivery d = (*n)->send(Message{test_reports::small(), ""}, Deadline::after(5s));
  CHECK_FALSE(d.ok);
  CHECK(d.retryable);
  CHECK(d.http_status == 0);
  CHECK(d.error.find(kKey) == std::string::npos);
}

TEST_CASE("pagerduty target: options are checked by make_notifier without echoing secrets") {
  auto error_of = [](std::map<std::string, std::string> options) {
    auto n = make_notifier(pd_target(std::move(options)));
    return n ? std::string() : n.error().to_string();
  };
  CHECK(error_of({{"routing_key", kKey}}).empty());  // the default api_url
  CHECK(error_of({{"routing_key", kKey}, {"source", "nats-prod"}, {"rate_limit", "60/m"}}).empty());
  CHECK(error_of({}) ==
        "/etc/rr.yaml:9: notify target pager: type pagerduty needs routing_key, routing_key_file or routing_key_env");
  std::string unknown = error_of({{"routing_key", kKey}, {"channel", "#ops"}});
  CHECK(unknown.find("takes no option channel (it takes routing_key, api_url, source)") != std::string::npos);
  CHECK(unknown.find(kKey) == std::string::npos);
  for (const std::string& bad : {std::string("SECRETKEY-too-short"), kKey + "X", kKey.substr(0, 31) + " ",
                                 kKey.substr(0, 31) + "\n"}) {
    std::string e = error_of({{"routing_key", bad}});
    CHECK(e.find("routing_key: must be the 32-character integration key") != std::string::npos);
    CHECK(e.find("SECRET") == std::string::npos);
  }
  std::string url = error_of({{"routing_key", kKey}, {"api_url", "ftp://SECRET@example.com/x"}});
  CHECK(url.find("notify target pager: api_url: ") != std::string::npos);
  CHECK(url.find("SECRET") == std::string::npos);
  CHECK(kPagerdutyTarget.rate.per_second == 2.0);
  CHECK(kPagerdutyTarget.rate.burst == 2);
}

}  // namespace
}  // namespace rr
