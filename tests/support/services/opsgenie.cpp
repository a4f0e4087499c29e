// Opsgenie's Alert API (/opsgenie/v2/alerts, /opsgenie/v2/alerts/{id}/close),
// as documented: `Authorization: GenieKey <key>`; create with message
// (required, at most 130 characters), alias (at most 512, the de-duplication
// key), description (at most 15,000), priority P1 to P5, tags (at most 20,
// each at most 50), details (string values, keys and values at most 8000
// characters together), entity (512), source (100); close by alias with
// identifierType=alias, body with optional source, user (100) and note
// (25,000). Success: 202 {"result":"Request will be processed","took":...,
// "requestId":...}; a bad request: 422 with a message.

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

// A string field of at most `max` characters; `required` also means non-empty.
void text_field(const json& doc, const char* key, std::size_t max, bool required, std::vector<std::string>& problems) {
  if (!doc.contains(key)) {
    if (required) problems.push_back(std::string(key) + ": required");
    return;
  }
  if (!doc[key].is_string()) {
    problems.push_back(std::string(key) + ": not a string");
    return;
  }
  std::size_t n = utf8_chars(doc[key].get<std::string>());
  if (required && n == 0) problems.push_back(std::string(key) + ": empty");
  if (n > max) problems.push_back(std::string(key) + ": " + std::to_string(n) + " characters > " + std::to_string(max));
}

std::vector<std::string> close_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  json doc = json::parse(body);
  std::vector<std::string> problems;
  static const std::set<std::string> known = {"source", "user", "note"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key)) problems.push_back(key + ": not a close field");
  text_field(doc, "source", 100, false, problems);
  text_field(doc, "user", 100, false, problems);
  text_field(doc, "note", 25000, false, problems);
  return problems;
}

}  // namespace

std::vector<std::string> opsgenie_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  json doc = json::parse(body);
  std::vector<std::string> problems;
  static const std::set<std::string> known = {"message", "alias",   "description", "responders", "visibleTo",
                                              "actions", "tags",    "details",     "entity",     "source",
                                              "priority", "user",   "note"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key)) problems.push_back(key + ": not an alert field");
  text_field(doc, "message", 130, true, problems);
  text_field(doc, "alias", 512, false, problems);
  text_field(doc, "description", 15000, false, problems);
  text_field(doc, "entity", 512, false, problems);
  text_field(doc, "source", 100, false, problems);
  text_field(doc, "user", 100, false, problems);
  text_field(doc, "note", 25000, false, problems);
  if (doc.contains("priority")) {
    static const std::set<std::string> priorities = {"P1", "P2", "P3", "P4", "P5"};
    if (!doc["priority"].is_string() || !priorities.count(doc["priority"].get<std::string>()))
      problems.push_back("priority: not P1 to P5");
  }
  if (doc.contains("tags")) {
    const json& tags = doc["tags"];
    if (!tags.is_array()) {
      problems.push_back("tags: not an array");
    } else {
      if (tags.size() > 20) problems.push_back("tags: " + std::to_string(tags.size()) + " tags > 20");
      for (std::size_t i = 0; i < tags.size(); ++i) {
        if (!tags[i].is_string() || tags[i].get<std::string>().empty())
          problems.push_back("tags[" + std::to_string(i) + "]: not a non-empty string");
        else if (utf8_chars(tags[i].get<std::string>()) > 50)
          problems.push_back("tags[" + std::to_string(i) + "]: longer than 50 characters");
      }
    }
  }
  if (doc.contains("details")) {
    const json& details = doc["details"];
    if (!details.is_object()) {
      problems.push_back("details: not an object");
    } else {
      std::size_t total = 0;
      for (const auto& [key, value] : details.items()) {
        total += utf8_chars(key);
        if (!value.is_string())
          problems.push_back("details." + key + ": not a string");
        else
          total += utf8_chars(value.get<std::string>());
      }
      if (total > 8000) problems.push_back("details: " + std::to_string(total) + " characters > 8000");
    }
  }
  return problems;
}

namespace {

constexpr std::string_view kAlerts = "/opsgenie/v2/alerts";

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": create and close take POST");
  std::string auth = r.header("Authorization");
  if (!auth.starts_with("GenieKey ") || auth.size() == std::string_view("GenieKey ").size())
    problems.push_back("Authorization: no GenieKey");
  if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
  if (r.path == kAlerts) {
    for (auto& p : opsgenie_violations(r.body)) problems.push_back(std::move(p));
    return problems;
  }
  // /opsgenie/v2/alerts/{identifier}/close
  std::string_view path = r.path;
  if (path.starts_with(kAlerts) && path.ends_with("/close") && path.size() > kAlerts.size() + 7) {
    std::string_view id = path.substr(kAlerts.size() + 1, path.size() - kAlerts.size() - 1 - 6);
    if (id.find('/') != std::string_view::npos) problems.push_back("path " + r.path + ": not an alert to close");
    if (utf8_chars(id) > 512) problems.push_back("alias: longer than 512 characters");
    auto type = r.query.find("identifierType");
    if (type == r.query.end() || type->second != "alias")
      problems.push_back("identifierType: closing by alias needs identifierType=alias");
    for (auto& p : close_violations(r.body)) problems.push_back(std::move(p));
    return problems;
  }
  problems.push_back("path " + r.path + ": not an alert endpoint");
  return problems;
}

// As Opsgenie: accepted for later processing.
SinkResponse answer(const SinkRequest&, std::size_t seq) {
  json body = {{"result", "Request will be processed"},
               {"took", 0.1},
               {"requestId", "43a29c5c-3dbf-4fa4-9c26-f4f71023e" + std::to_string(100 + seq % 900)}};
  SinkResponse res(202, body.dump());
  res.content_type = "application/json";
  return res;
}

}  // namespace

const ServiceModel kOpsgenieService{
    "/opsgenie",
    R"({"message":"Request body is not processable. Please check the errors.","errors":{"test-sink":"refused"},"took":0.001,"requestId":"00000000-0000-0000-0000-000000000000"})",
    422, check, answer};

}  // namespace rr::test
