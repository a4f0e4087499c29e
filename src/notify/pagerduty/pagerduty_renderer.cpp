// render_pagerduty_*(): a report as an Events API v2 event that stays
// within PagerDuty's 512 KB whatever the report holds.
#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "notify/digest.h"
#include "notify/pagerduty/pagerduty.h"
#include "report/links.h"

namespace rr {

namespace {

using nlohmann::ordered_json;

constexpr std::size_t kNoteReserve = 600;  // bytes kept back for `left_out`
constexpr std::size_t kMaxLabels = 30;     // per alert in custom_details
constexpr std::size_t kLabelValue = 256;

// Sanitised (no control characters but \n and \t, valid UTF-8) and cut.
std::string clean(std::string_view s, std::size_t max) { return truncate_utf8(sanitize_utf8(s), max); }

// The same, on one line.
std::string flat(std::string_view s, std::size_t max) {
  std::string out = sanitize_utf8(s);
  for (char& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return truncate_utf8(out, max);
}

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

ordered_json finding_json(const Finding& f, const PagerdutyLimits& limits) {
  ordered_json evidence = ordered_json::array();
  for (std::size_t i = 0; i < f.evidence.size() && i < limits.evidence; ++i)
    evidence.push_back(flat(f.evidence[i], limits.line));
  ordered_json j = {{"severity", severity_name(f.severity)},
                    {"code", flat(f.code, 128)},
                    {"title", flat(f.title, limits.line)},
                    {"detail", clean(f.detail, limits.text)},
                    {"evidence", std::move(evidence)}};
  if (f.evidence.size() > limits.evidence) j["more_evidence"] = f.evidence.size() - limits.evidence;
  return j;
}

ordered_json suggestion_json(const Suggestion& s, const PagerdutyLimits& limits) {
  return {{"command", clean(s.command, limits.text)},
          {"why", flat(s.why, limits.line)},
          {"risk", flat(s.risk, 32)}};
}

ordered_json step_json(const StepResult& s, const PagerdutyLimits& limits) {
  return {{"id", flat(s.id, 128)},
          {"kind", flat(s.kind, 128)},
          {"target", flat(s.target, 256)},
          {"status", step_status_name(s.status)},
          {"duration_ms", s.duration.count()},
          {"summary", flat(s.summary, limits.line)}};
}

ordered_json alert_json(const ReportAlert& a, const PagerdutyLimits& limits) {
  ordered_json labels = ordered_json::object();
  std::size_t n = 0;
  for (const auto& [name, value] : a.labels) {
    if (n++ == kMaxLabels) break;
    labels[flat(name, 128)] = flat(value, kLabelValue);
  }
  return {{"name", flat(a.name, 256)},
          {"status", flat(a.status, 16)},
          {"fingerprint", flat(a.fingerprint, 64)},
          {"summary", flat(a.summary, limits.line)},
          {"starts_at", format_rfc3339(a.starts_at)},
          {"labels", std::move(labels)}};
}

// One kind of custom detail: its items rendered, their sizes, how many fit.
struct Tier {
  std::string key;     // in custom_details
  std::string plural;  // for the note
  std::vector<ordered_json> items;
  std::vector<std::size_t> sizes;
  std::size_t taken = 0;

  void add(ordered_json item) {
    sizes.push_back(dump(item).size() + 1);  // + the comma
    items.push_back(std::move(item));
  }
  // Takes items in order until `limit` are taken or the next does not fit.
  void fill(std::size_t& budget, std::size_t limit) {
    while (taken < std::min(limit, items.size()) && sizes[taken] <= budget) budget -= sizes[taken++];
  }
  std::size_t left_out() const { return items.size() - taken; }
  ordered_json kept() const {
    ordered_json out = ordered_json::array();
    for (std::size_t i = 0; i < taken; ++i) out.push_back(items[i]);
    return out;
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string pagerduty_dedup_key(std::string_view group_key) { return "rr-" + sha256_hex(group_key); }

std::string pagerduty_severity(const Report& report) {
  Severity worst = report.worst();
  if (worst == Severity::Critical) return "critical";
  if (worst == Severity::Warning) return "warning";
  std::string label = lower(trim(label_value(report.common_labels, "severity")));
  if (label == "critical" || label == "error" || label == "warning" || label == "info") return label;
  return "warning";
}

ordered_json render_pagerduty_resolve(const Report& report, std::string_view routing_key) {
  return {{"routing_key", routing_key},
          {"event_action", "resolve"},
          {"dedup_key", pagerduty_dedup_key(report.group_key)}};
}

ordered_json render_pagerduty_trigger(const Report& r, std::string_view routing_key, std::string_view default_source,
                                      const PagerdutyLimits& limits) {
  // A title is short; a hostile or huge one must not push the verdict out.
  std::string title = flat(r.title, std::min<std::size_t>(limits.summary / 3, 400));
  std::string verdict = flat(r.verdict, limits.summary);
  std::string summary = title.empty() ? verdict : verdict.empty() ? title : title + " — " + verdict;
  summary = truncate_utf8(summary, limits.summary);
  if (summary.empty()) summary = "Runbook Responder report";

  std::string source = flat(r.cluster, 255);
  if (source.empty()) source = flat(default_source, 255);
  if (source.empty()) source = "runbook-responder";

  ordered_json payload = {{"summary", summary},
                          {"source", source},
                          {"severity", pagerduty_severity(r)},
                          {"timestamp", format_rfc3339(r.created)}};
  if (!r.cluster.empty()) payload["component"] = flat(r.cluster, 255);
  if (!r.rule.empty()) payload["group"] = flat(r.rule, 255);
  std::string alertname = label_value(r.common_labels, "alertname");
  if (alertname.empty() && !r.alerts.empty()) alertname = r.alerts.front().name;
  if (!alertname.empty()) payload["class"] = flat(alertname, 255);

  bool has_url = !r.url.empty() && is_web_url(r.url) && r.url.size() <= limits.link_url;
  ordered_json details = {{"verdict", clean(r.verdict.empty() ? "(no verdict)" : r.verdict, limits.text)},
                          {"severity", severity_name(r.worst())},
                          {"kind", report_kind_name(r.kind)},
                          {"status", flat(r.status, 16)},
                          {"title", flat(r.title, limits.line)},
                          {"rule", flat(r.rule, 255)},
                          {"cluster", flat(r.cluster, 255)},
                          {"report_id", flat(r.id, 128)}};
  if (has_url) details["report_url"] = r.url;
  if (r.truncated_alerts > 0) details["truncated_alerts"] = r.truncated_alerts;

  // Most severe first, whatever order the report came in.
  std::vector<const Finding*> sorted;
  for (const Finding& f : r.findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity < b->severity; });
  Tier findings{"findings", "findings"};
  for (const Finding* f : sorted) findings.add(finding_json(*f, limits));
  Tier suggestions{"suggestions", "suggestions"};
  for (const Suggestion& s : r.suggestions) suggestions.add(suggestion_json(s, limits));
  Tier steps{"steps", "steps"};
  for (const StepResult& s : r.steps) steps.add(step_json(s, limits));
  Tier alerts{"alerts", "alerts"};
  for (const ReportAlert& a : r.alerts) alerts.add(alert_json(a, limits));
  for (Tier* t : {&findings, &suggestions, &steps, &alerts}) details[t->key] = ordered_json::array();

  ordered_json links = ordered_json::array();
  for (const Link& l : r.links) {
    if (links.size() == limits.links) break;
    if (!is_web_url(l.url) || l.url.size() > limits.link_url) continue;
    std::string text = flat(l.title, 256);
    links.push_back({{"href", l.url}, {"text", text.empty() ? std::string("Link") : text}});
  }

  ordered_json event = {{"routing_key", routing_key},
                        {"event_action", "trigger"},
                        {"dedup_key", pagerduty_dedup_key(r.group_key)},
                        {"payload", std::move(payload)},
                        {"links", std::move(links)},
                        {"client", "Runbook Responder"}};
  if (has_url) event["client_url"] = r.url;
  event["payload"]["custom_details"] = details;

  // What is left for the lists once the fixed part and the note are paid for.
  std::size_t note_reserve = kNoteReserve + (has_url ? r.url.size() : 0);
  std::size_t fixed = dump(event).size() + note_reserve;
  std::size_t budget = limits.max_event_bytes > fixed ? limits.max_event_bytes - fixed : 0;
  // The worst findings and every command first, then a share of the rest,
  // then whatever still fits in order of importance.
  findings.fill(budget, 5);
  suggestions.fill(budget, suggestions.items.size());
  steps.fill(budget, 10);
  alerts.fill(budget, 5);
  for (Tier* t : {&findings, &suggestions, &steps, &alerts}) t->fill(budget, t->items.size());

  std::string note;
  for (Tier* t : {&findings, &suggestions, &steps, &alerts}) {
    details[t->key] = t->kept();
    if (t->left_out() > 0)
      note += fmt::format("{}{} of {} {}", note.empty() ? "" : ", ", t->left_out(), t->items.size(), t->plural);
  }
  if (!note.empty()) {
    note = "Left out to keep the event under PagerDuty's 512 KB: " + note + ".";
    note += has_url ? " The full report: " + r.url : std::string(" The full report is on the responder's other targets.");
    details["left_out"] = truncate_utf8(note, note_reserve - 20);
  }
  event["payload"]["custom_details"] = std::move(details);

  // The estimate above is exact but for rounding in the caller's favour;
  // should it ever be wrong, the details go and the page still goes out.
  if (dump(event).size() > limits.max_event_bytes) {
    event["payload"]["custom_details"] = {
        {"verdict", clean(r.verdict, 1024)},
        {"left_out", "The report was too large for PagerDuty's 512 KB and was left out."}};
  }
  return event;
}

}  // namespace rr
