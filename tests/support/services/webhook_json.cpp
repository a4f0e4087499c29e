// The generic JSON webhook: the report schema, version 1 (notify/webhook/webhook.h).

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

const char* kSchemaStrings[] = {"id",      "kind",    "status",   "title",    "group_key", "receiver",
                                "rule",    "cluster", "verdict",  "summary",  "severity",  "created"};

void require_keys(const json& obj, const std::string& where, std::initializer_list<const char*> strings,
                  std::vector<std::string>& problems) {
  if (!obj.is_object()) {
    problems.push_back(where + ": not an object");
    return;
  }
  for (const char* k : strings)
    if (!obj.contains(k) || !obj[k].is_string()) problems.push_back(where + "." + k + ": missing or not a string");
}

void require_array(const json& doc, const char* key, std::vector<std::string>& problems,
                   std::initializer_list<const char*> strings) {
  if (!doc.contains(key) || !doc[key].is_array()) {
    problems.push_back(std::string(key) + ": missing or not an array");
    return;
  }
  for (std::size_t i = 0; i < doc[key].size(); ++i)
    require_keys(doc[key][i], std::string(key) + "[" + std::to_string(i) + "]", strings, problems);
}

}  // namespace

std::vector<std::string> webhook_json_violations(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {"body: not a JSON object"};
  std::vector<std::string> problems;
  if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"] != 1)
    problems.push_back("version: must be the integer 1");
  for (const char* k : kSchemaStrings)
    if (!doc.contains(k) || !doc[k].is_string()) problems.push_back(std::string(k) + ": missing or not a string");
  if (problems.empty()) {
    std::string kind = doc["kind"];
    if (kind != "triage" && kind != "resolution" && kind != "unmatched") problems.push_back("kind: " + kind);
    std::string sev = doc["severity"];
    if (sev != "critical" && sev != "warning" && sev != "info" && sev != "ok") problems.push_back("severity: " + sev);
  }
  if (!doc.contains("truncated_alerts") || !doc["truncated_alerts"].is_number_integer())
    problems.push_back("truncated_alerts: missing or not an integer");
  require_array(doc, "alerts", problems, {"name", "status", "fingerprint", "summary", "starts_at", "rule"});
  require_array(doc, "findings", problems, {"severity", "code", "title", "detail"});
  require_array(doc, "steps", problems, {"id", "kind", "target", "status", "summary", "output"});
  require_array(doc, "suggestions", problems, {"command", "why", "risk"});
  require_array(doc, "links", problems, {"title", "url"});
  if (problems.empty()) {
    for (const json& a : doc["alerts"])
      if (!a.contains("labels") || !a["labels"].is_object()) problems.push_back("alerts[].labels: not an object");
    for (const json& f : doc["findings"])
      if (!f.contains("evidence") || !f["evidence"].is_array()) problems.push_back("findings[].evidence: not an array");
    for (const json& s : doc["steps"])
      if (!s.contains("duration_ms") || !s["duration_ms"].is_number_integer())
        problems.push_back("steps[].duration_ms: not an integer");
  }
  return problems;
}

namespace {

std::vector<std::string> check(const SinkRequest& r) { return webhook_json_violations(r.body); }

}  // namespace

const ServiceModel kWebhookJsonService{"/webhook-json", "invalid_payload", 400, check, nullptr};

}  // namespace rr::test
