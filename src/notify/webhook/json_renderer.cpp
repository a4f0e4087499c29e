// render_json(): the generic webhook schema, version 1 (see webhook.h).
#include "common/time.h"
#include "notify/webhook/webhook.h"

namespace rr {

namespace {

nlohmann::json alert_json(const ReportAlert& a) {
  return {{"name", a.name},       {"status", a.status},
          {"fingerprint", a.fingerprint}, {"labels", a.labels},
          {"summary", a.summary}, {"starts_at", format_rfc3339(a.starts_at)},
          {"rule", a.rule}};
}

nlohmann::json finding_json(const Finding& f) {
  return {{"severity", severity_name(f.severity)},
          {"code", f.code},
          {"title", f.title},
          {"detail", f.detail},
          {"evidence", f.evidence}};
}

nlohmann::json step_json(const StepResult& s) {
  return {{"id", s.id},
          {"kind", s.kind},
          {"target", s.target},
          {"status", step_status_name(s.status)},
          {"duration_ms", s.duration.count()},
          {"summary", s.summary},
          {"output", s.output}};
}

}  // namespace

nlohmann::json render_json(const Report& r) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& a : r.alerts) alerts.push_back(alert_json(a));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back(finding_json(f));
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) steps.push_back(step_json(s));
  nlohmann::json suggestions = nlohmann::json::array();
  for (const auto& s : r.suggestions)
    suggestions.push_back({{"command", s.command}, {"why", s.why}, {"risk", s.risk}});
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : r.links) links.push_back({{"title", l.title}, {"url", l.url}});

  nlohmann::json j = nlohmann::json::object();
  j["version"] = Report::kSchemaVersion;
  j["id"] = r.id;
  j["kind"] = report_kind_name(r.kind);
  j["status"] = r.status;
  j["title"] = r.title;
  j["group_key"] = r.group_key;
  j["receiver"] = r.receiver;
  j["alerts"] = std::move(alerts);
  j["rule"] = r.rule;
  j["cluster"] = r.cluster;
  j["verdict"] = r.verdict;
  j["summary"] = r.verdict;
  j["severity"] = severity_name(r.worst());
  j["findings"] = std::move(findings);
  j["steps"] = std::move(steps);
  j["suggestions"] = std::move(suggestions);
  j["links"] = std::move(links);
  j["truncated_alerts"] = r.truncated_alerts;
  j["created"] = format_rfc3339(r.created);
  return j;
}

std::string render_json_text(const Report& report, int indent) {
  return render_json(report).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rr
