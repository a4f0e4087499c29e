#include "intake/payload/notification.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/process.h"

using namespace rr;
using nlohmann::json;

namespace {

std::string sample(const std::string& name) { return test::alertmanager_sample(name); }

// A valid payload to break one field at a time.
json valid() { return json::parse(sample("b-alert-joins-group.json")); }

// Parses `doc` and returns the error's `where`, or "" when it parsed.
std::string where_of(const json& doc, const PayloadLimits& limits = {}) {
  auto r = parse_notification(doc.dump(), limits);
  return r ? "" : r.error().where;
}

std::string where_of_text(std::string_view body) {
  auto r = parse_notification(body);
  return r ? "" : r.error().where;
}

}  // namespace

TEST_CASE("Every captured Alertmanager payload parses") {
  for (const char* name : {"a-first-notification.json", "b-alert-joins-group.json", "c-one-resolved.json",
                           "d-all-resolved.json", "e-max-alerts-truncated.json", "f-after-two-500s.json",
                           "g-prometheus-style.json"}) {
    INFO(name);
    auto body = sample(name);
    REQUIRE_FALSE(body.empty());
    auto r = parse_notification(body);
    INFO((r ? "" : r.error().to_string()));
    REQUIRE(r);
    CHECK(r->version == "4");
    CHECK_FALSE(r->alerts.empty());
    CHECK_FALSE(r->group_key.empty());
    CHECK(r->external_url == "http://127.0.0.1:9093");
    for (const auto& a : r->alerts) {
      CHECK(a.fingerprint.size() == 16);
      CHECK_FALSE(a.name().empty());
      if (a.firing()) CHECK(a.ends_at == TimePoint::min());
      else CHECK(a.ends_at > a.starts_at);
    }
  }
}

TEST_CASE("Fields land where they belong") {
  auto r = parse_notification(sample("a-first-notification.json"));
  REQUIRE(r);
  const Notification& n = *r;
  CHECK(n.receiver == "nats-diag");
  CHECK(n.status == "firing");
  CHECK(n.group_key == "{}:{alertname=\"NatsJetStreamConsumerLag\", cluster=\"nats-east\"}");
  CHECK(n.truncated_alerts == 0);
  CHECK(n.group_labels.size() == 2);
  CHECK(label_value(n.common_labels, "stream") == "ORDERS");
  CHECK(label_value(n.common_annotations, "runbook_url") == "https://runbooks.example.com/nats/consumer-lag");
  REQUIRE(n.alerts.size() == 1);
  const Alert& a = n.alerts[0];
  CHECK(a.firing());
  CHECK(a.name() == "NatsJetStreamConsumerLag");
  CHECK(label_value(a.labels, "consumer") == "billing");
  CHECK(a.fingerprint == "59faf67534df0795");
  // \u0026 arrives decoded.
  CHECK(a.generator_url ==
        "http://prometheus.example:9090/graph?g0.expr=nats_consumer_num_pending+%3E+100000&g0.tab=1");
  CHECK(a.starts_at == *parse_rfc3339("2026-11-23T00:32:13.620287586Z"));

  auto e = parse_notification(sample("e-max-alerts-truncated.json"));
  REQUIRE(e);
  CHECK(e->truncated_alerts == 3);
  CHECK(e->common_annotations.empty());

  auto g = parse_notification(sample("g-prometheus-style.json"));
  REQUIRE(g);
  CHECK(label_value(g->alerts[0].annotations, "summary") == "slow consumers > 0 on nats-2");
}

TEST_CASE("Optional fields may be absent; unknown fields are accepted") {
  auto doc = valid();
  doc.erase("groupLabels");
  doc.erase("commonLabels");
  doc.erase("commonAnnotations");
  doc.erase("truncatedAlerts");
  doc["alerts"][0].erase("generatorURL");
  doc["notification_reason"] = 3;
  doc["routeLabels"] = {{"a", "b"}};
  doc["alerts"][0]["somethingNew"] = {1, 2, 3};
  auto r = parse_notification(doc.dump());
  INFO((r ? "" : r.error().to_string()));
  REQUIRE(r);
  CHECK(r->group_labels.empty());
  CHECK(r->truncated_alerts == 0);
  CHECK(r->alerts[0].generator_url.empty());
}

TEST_CASE("Missing or mistyped fields are named") {
  struct Case {
    const char* expect;
    std::function<void(json&)> edit;
  };
  std::vector<Case> cases = {
      {"version", [](json& d) { d.erase("version"); }},
      {"version", [](json& d) { d["version"] = 4; }},
      {"version", [](json& d) { d["version"] = "3"; }},
      {"status", [](json& d) { d["status"] = "pending"; }},
      {"status", [](json& d) { d.erase("status"); }},
      {"receiver", [](json& d) { d["receiver"] = nullptr; }},
      {"externalURL", [](json& d) { d.erase("externalURL"); }},
      {"groupKey", [](json& d) { d.erase("groupKey"); }},
      {"groupKey", [](json& d) { d["groupKey"] = ""; }},
      {"groupKey", [](json& d) { d["groupKey"] = json::array(); }},
      {"groupLabels", [](json& d) { d["groupLabels"] = "alertname"; }},
      {"commonLabels.cluster", [](json& d) { d["commonLabels"]["cluster"] = 1; }},
      {"commonAnnotations", [](json& d) { d["commonAnnotations"] = json::array(); }},
      {"truncatedAlerts", [](json& d) { d["truncatedAlerts"] = -1; }},
      {"truncatedAlerts", [](json& d) { d["truncatedAlerts"] = 1.5; }},
      {"truncatedAlerts", [](json& d) { d["truncatedAlerts"] = "3"; }},
      {"alerts", [](json& d) { d.erase("alerts"); }},
      {"alerts", [](json& d) { d["alerts"] = json::object(); }},
      {"alerts[1]", [](json& d) { d["alerts"][1] = "alert"; }},
      {"alerts[1].status", [](json& d) { d["alerts"][1]["status"] = "FIRING"; }},
      {"alerts[1].labels", [](json& d) { d["alerts"][1].erase("labels"); }},
      {"alerts[1].labels", [](json& d) { d["alerts"][1]["labels"] = json::array({"a"}); }},
      {"alerts[1].labels.severity", [](json& d) { d["alerts"][1]["labels"]["severity"] = true; }},
      {"alerts[1].labels.nested", [](json& d) { d["alerts"][1]["labels"]["nested"] = {{"a", "b"}}; }},
      {"alerts[1].labels", [](json& d) { d["alerts"][1]["labels"][""] = "empty name"; }},
      {"alerts[0].annotations.summary", [](json& d) { d["alerts"][0]["annotations"]["summary"] = nullptr; }},
      {"alerts[1].startsAt", [](json& d) { d["alerts"][1].erase("startsAt"); }},
      {"alerts[1].startsAt", [](json& d) { d["alerts"][1]["startsAt"] = "yesterday"; }},
      {"alerts[1].startsAt", [](json& d) { d["alerts"][1]["startsAt"] = 1700000000; }},
      {"alerts[1].endsAt", [](json& d) { d["alerts"][1]["endsAt"] = "2026-11-23T00:32:20"; }},
      {"alerts[0].generatorURL", [](json& d) { d["alerts"][0]["generatorURL"] = 7; }},
      {"alerts[1].fingerprint", [](json& d) { d["alerts"][1].erase("fingerprint"); }},
      {"alerts[1].fingerprint", [](json& d) { d["alerts"][1]["fingerprint"] = ""; }},
      {"alerts[1].fingerprint", [](json& d) { d["alerts"][1]["fingerprint"] = std::string(65, 'a'); }},
      {"alerts[1].fingerprint", [](json& d) { d["alerts"][1]["fingerprint"] = 123; }},
  };
  for (auto& c : cases) {
    auto doc = valid();
    c.edit(doc);
    INFO(doc.dump());
    auto r = parse_notification(doc.dump());
    REQUIRE_FALSE(r);
    CHECK(r.error().where == c.expect);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("Non-objects, empty and broken bodies are rejected as the body") {
  for (const char* body : {"", "   \n", "[]", "\"4\"", "null", "42", "{", "{\"version\":\"4\"", "{}}", "{} {}",
                           "{'version':'4'}"}) {
    INFO(body);
    auto r = parse_notification(body);
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "body");
  }
  CHECK(where_of_text("{}") == "version");  // an object, but empty
}

TEST_CASE("Invalid UTF-8 is rejected and the error message is valid UTF-8") {
  auto body = valid().dump();
  auto pos = body.find("billing");
  REQUIRE(pos != std::string::npos);
  body.replace(pos, 1, "\xC3\x28");  // broken two-byte sequence
  auto r = parse_notification(body);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "body");
  // Serialising the error (as the HTTP server does) must not throw.
  CHECK_NOTHROW(json{{"error", r.error().message}}.dump());

  // Lone surrogate escapes are invalid too.
  auto doc_text = valid().dump();
  auto s = doc_text.find("billing");
  doc_text.replace(s, 7, "\\ud800");
  CHECK(where_of_text(doc_text) == "body");
}

TEST_CASE("NUL characters in names and values are rejected") {
  auto doc = valid();
  doc["alerts"][0]["labels"]["consumer"] = std::string("bil\0ling", 8);
  CHECK(where_of(doc) == "alerts[0].labels.consumer");

  // The same through the \u0000 escape on the wire.
  auto text = valid().dump();
  const std::string label = "\"consumer\":\"billing\"";
  auto pos = text.find(label);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, label.size(), "\"consumer\":\"bil\\u0000ling\"");
  CHECK(where_of_text(text) == "alerts[0].labels.consumer");

  auto doc2 = valid();
  doc2["commonLabels"][std::string("a\0b", 3)] = "x";
  CHECK(where_of(doc2) == "commonLabels");

  auto doc3 = valid();
  doc3["groupKey"] = std::string("{}\0", 3);
  CHECK(where_of(doc3) == "groupKey");
}

TEST_CASE("Limits: alerts, labels and value sizes") {
  PayloadLimits small{.max_alerts = 1, .max_labels = 3, .max_value_bytes = 100};
  auto doc = valid();
  CHECK(where_of(doc, PayloadLimits{.max_alerts = 1}) == "alerts");  // two alerts, one allowed
  CHECK(where_of(doc, PayloadLimits{.max_alerts = 2}) == "");

  doc["alerts"].erase(1);
  doc["groupLabels"] = json::object();
  doc["commonLabels"] = json::object();
  doc["commonAnnotations"] = json::object();
  doc["alerts"][0]["labels"] = {{"alertname", "A"}, {"b", "c"}};
  doc["alerts"][0]["annotations"] = json::object();
  doc["alerts"][0]["generatorURL"] = "";
  CHECK(where_of(doc, small) == "");

  auto many = doc;
  many["alerts"][0]["labels"] = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}};
  CHECK(where_of(many, small) == "alerts[0].labels");

  auto long_value = doc;
  long_value["alerts"][0]["labels"]["b"] = std::string(101, 'x');
  CHECK(where_of(long_value, small) == "alerts[0].labels.b");

  auto long_name = doc;
  long_name["alerts"][0]["labels"][std::string(101, 'k')] = "v";
  CHECK(where_of(long_name, small) == "alerts[0].labels");

  auto long_url = doc;
  long_url["alerts"][0]["generatorURL"] = std::string(101, 'u');
  CHECK(where_of(long_url, small) == "alerts[0].generatorURL");

  auto long_receiver = doc;
  long_receiver["receiver"] = std::string(101, 'r');
  CHECK(where_of(long_receiver, small) == "receiver");

  auto long_key = doc;
  long_key["groupKey"] = std::string(101, 'g');
  CHECK(where_of(long_key, small) == "groupKey");

  auto exact = doc;
  exact["alerts"][0]["labels"]["b"] = std::string(100, 'x');
  CHECK(where_of(exact, small) == "");
}

TEST_CASE("Huge strings under the default limits") {
  auto doc = valid();
  doc["alerts"][0]["annotations"]["description"] = std::string(2 << 20, 'x');
  CHECK(where_of(doc) == "alerts[0].annotations.description");
  auto doc2 = valid();
  doc2["alerts"][0]["annotations"]["ignored_unknown_is_still_parsed"] = "x";
  doc2["junk"] = std::string(2 << 20, 'x');  // unknown fields are not size-checked but do parse
  CHECK(where_of(doc2) == "");
}

TEST_CASE("Deeply nested JSON is rejected without exhausting the stack") {
  for (std::size_t depth : {40u, 100000u}) {
    std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    CHECK(where_of_text(arrays) == "body");
    // Nested inside a known field and inside an unknown one.
    std::string inner;
    for (std::size_t i = 0; i < depth; ++i) inner += "{\"a\":";
    inner += "1" + std::string(depth, '}');
    auto text = valid().dump();
    text.insert(1, "\"extra\":" + inner + ",");
    auto r = parse_notification(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "body");
    CHECK(r.error().message.find("nested") != std::string::npos);
  }
  // Shallow unknown nesting is fine, and brackets inside strings (escaped
  // quotes too) are text, not nesting.
  auto doc = valid();
  doc["extra"] = {{"a", {{"b", {{"c", json::array({1, 2})}}}}}};
  CHECK(where_of(doc) == "");
  doc["alerts"][0]["labels"]["brackets"] = "\"" + std::string(100, '[') + "\\\"{{{" + std::string(100, '{');
  CHECK(where_of(doc) == "");
  // 32 levels in all are allowed, 33 are not.
  std::string at_limit = valid().dump();
  at_limit.insert(1, "\"extra\":" + std::string(31, '[') + std::string(31, ']') + ",");
  CHECK(where_of_text(at_limit) == "");
  std::string over = valid().dump();
  over.insert(1, "\"extra\":" + std::string(32, '[') + std::string(32, ']') + ",");
  CHECK(where_of_text(over) == "body");
}

TEST_CASE("Time precision varies; the zero time parses") {
  auto doc = valid();
  for (const char* t : {"2026-11-23T00:32:13Z", "2026-11-23T00:32:13.6Z", "2026-11-23T00:32:13.620Z",
                        "2026-11-23T00:32:13.620287586Z", "2026-11-23T01:32:13+01:00", "0001-01-01T00:00:00Z"}) {
    INFO(t);
    doc["alerts"][0]["startsAt"] = t;
    CHECK(where_of(doc) == "");
  }
}
