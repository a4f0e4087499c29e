// The report's JSON: schema version 1 (notify/webhook/webhook.h), both ways.

#include "report/report_json.h"

#include "common/time.h"

namespace rr {

namespace {

using nlohmann::json;

json alert_json(const ReportAlert& a) {
  return {{"name", a.name},       {"status", a.status},
          {"fingerprint", a.fingerprint}, {"labels", a.labels},
          {"summary", a.summary}, {"starts_at", format_rfc3339(a.starts_at)},
          {"rule", a.rule}};
}

json finding_json(const Finding& f) {
  return {{"severity", severity_name(f.severity)},
          {"code", f.code},
          {"title", f.title},
          {"detail", f.detail},
          {"evidence", f.evidence},
          {"values", f.values}};
}

json step_json(const StepResult& s) {
  return {{"id", s.id},
          {"kind", s.kind},
          {"target", s.target},
          {"status", step_status_name(s.status)},
          {"duration_ms", s.duration.count()},
          {"summary", s.summary},
          {"output", s.output}};
}

// Reading: every accessor fails with the path it was reading.
struct Reader {
  std::string error;

  const json& at(const json& obj, const char* key, const std::string& path) {
    static const json null;
    if (!obj.is_object() || !obj.contains(key)) {
      if (error.empty()) error = path + key + ": missing";
      return null;
    }
    return obj[key];
  }
  std::string str(const json& obj, const char* key, const std::string& path = "") {
    const json& v = at(obj, key, path);
    if (v.is_string()) return v.get<std::string>();
    if (error.empty()) error = path + key + ": not a string";
    return "";
  }
  std::int64_t integer(const json& obj, const char* key, const std::string& path = "") {
    const json& v = at(obj, key, path);
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (error.empty()) error = path + key + ": not an integer";
    return 0;
  }
  TimePoint time(const json& obj, const char* key, const std::string& path = "") {
    std::string text = str(obj, key, path);
    if (auto t = parse_rfc3339(text)) return *t;
    if (error.empty()) error = path + key + ": not an RFC 3339 time";
    return {};
  }
  const json& array(const json& obj, const char* key) {
    const json& v = at(obj, key, "");
    static const json empty = json::array();
    if (v.is_array()) return v;
    if (error.empty()) error = std::string(key) + ": not an array";
    return empty;
  }
  template <class Map>
  Map string_map(const json& obj, const char* key, const std::string& path = "") {
    Map out;
    const json& v = at(obj, key, path);
    if (!v.is_object()) {
      if (error.empty()) error = path + key + ": not an object";
      return out;
    }
    for (const auto& [k, val] : v.items()) {
      if (!val.is_string()) {
        if (error.empty()) error = path + key + "." + k + ": not a string";
        continue;
      }
      out.emplace(k, val.template get<std::string>());
    }
    return out;
  }
  template <class Map>
  Map optional_map(const json& obj, const char* key, const std::string& path = "") {
    if (!obj.is_object() || !obj.contains(key)) return {};
    return string_map<Map>(obj, key, path);
  }
};

std::optional<Severity> severity_from(const std::string& name) {
  for (Severity s : {Severity::Critical, Severity::Warning, Severity::Info, Severity::Ok})
    if (severity_name(s) == name) return s;
  return std::nullopt;
}

std::optional<StepStatus> step_status_from(const std::string& name) {
  for (StepStatus s : {StepStatus::Ok, StepStatus::Failed, StepStatus::Timeout, StepStatus::Skipped})
    if (step_status_name(s) == name) return s;
  return std::nullopt;
}

std::optional<Report::Kind> kind_from(const std::string& name) {
  for (Report::Kind k : {Report::Kind::Triage, Report::Kind::Resolution, Report::Kind::Unmatched, Report::Kind::Started})
    if (report_kind_name(k) == name) return k;
  return std::nullopt;
}

}  // namespace

json report_to_json(const Report& r) {
  json alerts = json::array();
  for (const auto& a : r.alerts) alerts.push_back(alert_json(a));
  json findings = json::array();
  for (const auto& f : r.findings) findings.push_back(finding_json(f));
  json steps = json::array();
  for (const auto& s : r.steps) steps.push_back(step_json(s));
  json suggestions = json::array();
  for (const auto& s : r.suggestions) suggestions.push_back({{"command", s.command}, {"why", s.why}, {"risk", s.risk}});
  json links = json::array();
  for (const auto& l : r.links) links.push_back({{"title", l.title}, {"url", l.url}});

  json j = json::object();
  j["version"] = Report::kSchemaVersion;
  j["id"] = r.id;
  j["kind"] = report_kind_name(r.kind);
  j["status"] = r.status;
  j["title"] = r.title;
  j["group_key"] = r.group_key;
  j["receiver"] = r.receiver;
  j["group_labels"] = r.group_labels;
  j["common_labels"] = r.common_labels;
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
  j["url"] = r.url;
  j["truncated_alerts"] = r.truncated_alerts;
  j["created"] = format_rfc3339(r.created);
  j["triage_duration_ms"] = r.triage_duration.count();
  return j;
}

std::string report_to_json_text(const Report& report, int indent) {
  return report_to_json(report).dump(indent, ' ', false, json::error_handler_t::replace);
}

Result<Report> report_from_json(const json& doc) {
  Reader in;
  Report r;
  if (!doc.is_object()) return Error{"report", "not a JSON object"};
  if (in.integer(doc, "version") != Report::kSchemaVersion && in.error.empty())
    in.error = "version: not " + std::to_string(Report::kSchemaVersion);
  r.id = in.str(doc, "id");
  auto kind = kind_from(in.str(doc, "kind"));
  if (!kind && in.error.empty()) in.error = "kind: unknown";
  r.kind = kind.value_or(Report::Kind::Triage);
  r.status = in.str(doc, "status");
  r.title = in.str(doc, "title");
  r.group_key = in.str(doc, "group_key");
  r.receiver = in.str(doc, "receiver");
  r.group_labels = in.optional_map<LabelSet>(doc, "group_labels");
  r.common_labels = in.optional_map<LabelSet>(doc, "common_labels");
  for (const json& a : in.array(doc, "alerts")) {
    ReportAlert ra;
    ra.name = in.str(a, "name", "alerts[].");
    ra.status = in.str(a, "status", "alerts[].");
    ra.fingerprint = in.str(a, "fingerprint", "alerts[].");
    ra.labels = in.string_map<LabelSet>(a, "labels", "alerts[].");
    ra.summary = in.str(a, "summary", "alerts[].");
    ra.starts_at = in.time(a, "starts_at", "alerts[].");
    ra.rule = in.str(a, "rule", "alerts[].");
    r.alerts.push_back(std::move(ra));
  }
  r.rule = in.str(doc, "rule");
  r.cluster = in.str(doc, "cluster");
  r.verdict = in.str(doc, "verdict");
  for (const json& f : in.array(doc, "findings")) {
    Finding out;
    auto sev = severity_from(in.str(f, "severity", "findings[]."));
    if (!sev && in.error.empty()) in.error = "findings[].severity: unknown";
    out.severity = sev.value_or(Severity::Info);
    out.code = in.str(f, "code", "findings[].");
    out.title = in.str(f, "title", "findings[].");
    out.detail = in.str(f, "detail", "findings[].");
    const json& evidence = in.at(f, "evidence", "findings[].");
    if (!evidence.is_array() && in.error.empty()) in.error = "findings[].evidence: not an array";
    if (evidence.is_array())
      for (const json& e : evidence)
        if (e.is_string()) out.evidence.push_back(e.get<std::string>());
    out.values = in.optional_map<std::map<std::string, std::string>>(f, "values", "findings[].");
    r.findings.push_back(std::move(out));
  }
  for (const json& s : in.array(doc, "steps")) {
    StepResult out;
    out.id = in.str(s, "id", "steps[].");
    out.kind = in.str(s, "kind", "steps[].");
    out.target = in.str(s, "target", "steps[].");
    auto status = step_status_from(in.str(s, "status", "steps[]."));
    if (!status && in.error.empty()) in.error = "steps[].status: unknown";
    out.status = status.value_or(StepStatus::Skipped);
    out.duration = Millis(in.integer(s, "duration_ms", "steps[]."));
    out.summary = in.str(s, "summary", "steps[].");
    out.output = in.str(s, "output", "steps[].");
    r.steps.push_back(std::move(out));
  }
  for (const json& s : in.array(doc, "suggestions"))
    r.suggestions.push_back(
        Suggestion{in.str(s, "command", "suggestions[]."), in.str(s, "why", "suggestions[]."), in.str(s, "risk", "suggestions[].")});
  for (const json& l : in.array(doc, "links"))
    r.links.push_back(Link{in.str(l, "title", "links[]."), in.str(l, "url", "links[].")});
  if (doc.contains("url")) r.url = in.str(doc, "url");
  r.truncated_alerts = in.integer(doc, "truncated_alerts");
  r.created = in.time(doc, "created");
  if (doc.contains("triage_duration_ms")) r.triage_duration = Millis(in.integer(doc, "triage_duration_ms"));
  if (!in.error.empty()) return Error{"report", in.error};
  return r;
}

Result<Report> report_from_json_text(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Error{"report", "not JSON"};
  return report_from_json(doc);
}

}  // namespace rr
