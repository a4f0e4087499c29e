// PagerDuty Events API v2 (/pagerduty/v2/enqueue), as documented:
// routing_key of 32 characters; event_action trigger | acknowledge |
// resolve; dedup_key at most 255 and required to resolve or acknowledge;
// a trigger needs a payload with summary (at most 1024), source and
// severity (critical | error | warning | info); links[] with http(s) hrefs;
// images[] with https srcs; events at most 512 KB. Success: 202
// {"status":"success","message":"Event processed","dedup_key":...}.

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxEventBytes = 512 * 1024;

bool is_string(const json& doc, const char* key) { return doc.contains(key) && doc[key].is_string(); }

bool web_url(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

void check_payload(const json& p, std::vector<std::string>& problems) {
  static const std::set<std::string> known = {"summary",   "source", "severity", "timestamp",
                                              "component", "group",  "class",    "custom_details"};
  for (const auto& [key, value] : p.items())
    if (!known.count(key)) problems.push_back("payload." + key + ": not a payload field");
  if (!is_string(p, "summary") || p["summary"].get<std::string>().empty())
    problems.push_back("payload.summary: required");
  else if (utf8_chars(p["summary"].get<std::string>()) > 1024)
    problems.push_back("payload.summary: longer than 1024 characters");
  if (!is_string(p, "source") || p["source"].get<std::string>().empty()) problems.push_back("payload.source: required");
  static const std::set<std::string> severities = {"critical", "error", "warning", "info"};
  if (!is_string(p, "severity") || !severities.count(p["severity"].get<std::string>()))
    problems.push_back("payload.severity: not critical, error, warning or info");
  if (p.contains("timestamp") && (!p["timestamp"].is_string() || !parse_rfc3339(p["timestamp"].get<std::string>())))
    problems.push_back("payload.timestamp: not an RFC 3339 time");
  for (const char* key : {"component", "group", "class"})
    if (p.contains(key) && !p[key].is_string()) problems.push_back(std::string("payload.") + key + ": not a string");
  if (p.contains("custom_details") && !p["custom_details"].is_object())
    problems.push_back("payload.custom_details: not an object");
}

void check_links(const json& doc, std::vector<std::string>& problems) {
  if (doc.contains("links")) {
    if (!doc["links"].is_array()) {
      problems.push_back("links: not an array");
    } else {
      for (std::size_t i = 0; i < doc["links"].size(); ++i) {
        const json& l = doc["links"][i];
        std::string at = "links[" + std::to_string(i) + "]";
        if (!l.is_object() || !is_string(l, "href") || !web_url(l["href"].get<std::string>()))
          problems.push_back(at + ".href: not an http(s) URL");
        else if (l.contains("text") && !l["text"].is_string())
          problems.push_back(at + ".text: not a string");
      }
    }
  }
  if (doc.contains("images")) {
    if (!doc["images"].is_array()) {
      problems.push_back("images: not an array");
    } else {
      for (std::size_t i = 0; i < doc["images"].size(); ++i) {
        const json& im = doc["images"][i];
        if (!im.is_object() || !is_string(im, "src") || !im["src"].get<std::string>().starts_with("https://"))
          problems.push_back("images[" + std::to_string(i) + "].src: not an https URL");
      }
    }
  }
  if (doc.contains("client") && !doc["client"].is_string()) problems.push_back("client: not a string");
  if (doc.contains("client_url") && (!doc["client_url"].is_string() || !web_url(doc["client_url"].get<std::string>())))
    problems.push_back("client_url: not an http(s) URL");
}

}  // namespace

std::vector<std::string> pagerduty_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  std::vector<std::string> problems;
  if (body.size() > kMaxEventBytes)
    problems.push_back("body: " + std::to_string(body.size()) + " bytes > 512 KB");
  json doc = json::parse(body);
  static const std::set<std::string> known = {"routing_key", "event_action", "dedup_key", "payload",
                                              "links",       "images",       "client",    "client_url"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key)) problems.push_back(key + ": not an event field");
  if (!is_string(doc, "routing_key") || utf8_chars(doc["routing_key"].get<std::string>()) != 32)
    problems.push_back("routing_key: must be 32 characters");
  std::string action = is_string(doc, "event_action") ? doc["event_action"].get<std::string>() : "";
  if (action != "trigger" && action != "acknowledge" && action != "resolve")
    problems.push_back("event_action: not trigger, acknowledge or resolve");
  if (doc.contains("dedup_key")) {
    if (!doc["dedup_key"].is_string() || doc["dedup_key"].get<std::string>().empty())
      problems.push_back("dedup_key: not a non-empty string");
    else if (utf8_chars(doc["dedup_key"].get<std::string>()) > 255)
      problems.push_back("dedup_key: longer than 255 characters");
  } else if (action == "resolve" || action == "acknowledge") {
    problems.push_back("dedup_key: required to " + action);
  }
  if (action == "trigger") {
    if (!doc.contains("payload") || !doc["payload"].is_object())
      problems.push_back("payload: required for a trigger");
    else
      check_payload(doc["payload"], problems);
  } else if (doc.contains("payload") && !doc["payload"].is_object()) {
    problems.push_back("payload: not an object");
  }
  check_links(doc, problems);
  return problems;
}

namespace {

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": the Events API takes POST");
  if (r.path != "/pagerduty/v2/enqueue") problems.push_back("path " + r.path + ": events go to /v2/enqueue");
  if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
  for (auto& p : pagerduty_violations(r.body)) problems.push_back(std::move(p));
  return problems;
}

// As PagerDuty: 202 with the dedup key it filed the event under (its own
// when the event had none).
SinkResponse answer(const SinkRequest& r, std::size_t seq) {
  auto doc = json::parse(r.body, nullptr, false);
  std::string key = doc.is_object() && doc.contains("dedup_key") && doc["dedup_key"].is_string()
                        ? doc["dedup_key"].get<std::string>()
                        : "pd-generated-" + std::to_string(seq);
  json body = {{"status", "success"}, {"message", "Event processed"}, {"dedup_key", key}};
  SinkResponse res(202, body.dump());
  res.content_type = "application/json";
  return res;
}

}  // namespace

const ServiceModel kPagerdutyService{
    "/pagerduty",
    R"({"status":"invalid event","message":"Event object is invalid","errors":["the test sink refused the event"]})",
    400, check, answer};

}  // namespace rr::test
