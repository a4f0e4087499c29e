// render_text(): the plain-text form of a report (console target and CLI).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "notify/console/console.h"

namespace rr {

namespace {

constexpr std::size_t kOutputLines = 20;
constexpr std::size_t kOutputBytes = 2000;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

// Sanitised, with every line after the first indented by `indent`.
std::string indented(std::string_view text, std::string_view indent) {
  std::string clean = sanitize_utf8(text);
  std::string out;
  for (char c : clean) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

void line(std::string& out, std::string_view indent, std::string_view text) {
  out += indent;
  out += indented(text, indent);
  out += '\n';
}

void render_findings(std::string& out, const Report& r) {
  if (r.findings.empty()) return;
  std::vector<const Finding*> sorted;
  for (const Finding& f : r.findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity < b->severity; });
  out += fmt::format("\nFindings ({}):\n", sorted.size());
  for (const Finding* f : sorted) {
    line(out, "  ", fmt::format("[{}] {} ({})", upper(severity_name(f->severity)), f->title, f->code));
    if (!f->detail.empty()) line(out, "      ", f->detail);
    for (const std::string& e : f->evidence) line(out, "      - ", e);
  }
}

void render_steps(std::string& out, const Report& r) {
  if (r.steps.empty()) return;
  out += fmt::format("\nSteps ({}):\n", r.steps.size());
  for (const StepResult& s : r.steps) {
    std::string head = fmt::format("[{}] {} {}", step_status_name(s.status), s.id, s.kind);
    if (!s.target.empty()) head += " on " + s.target;
    head += " (" + format_duration(s.duration) + ")";
    line(out, "  ", head);
    if (!s.summary.empty()) line(out, "      ", s.summary);
    std::string output = trim_output(s.output, kOutputLines, kOutputBytes);
    if (!trim(output).empty()) line(out, "      | ", output);
  }
}

void render_suggestions(std::string& out, const Report& r) {
  if (r.suggestions.empty()) return;
  out += fmt::format("\nSuggested commands ({}, not run by the responder):\n", r.suggestions.size());
  for (const Suggestion& s : r.suggestions) {
    line(out, "  $ ", s.command);
    std::string why = s.why;
    if (!s.risk.empty()) why += (why.empty() ? "" : " ") + std::string("(risk: ") + s.risk + ")";
    if (!why.empty()) line(out, "      ", why);
  }
}

}  // namespace

std::string render_text(const Report& r) {
  std::string out;
  line(out, "", r.title.empty() ? std::string("(untitled report)") : r.title);
  line(out, "", fmt::format("Verdict: {} [{}]", r.verdict.empty() ? "(none)" : r.verdict,
                            severity_name(r.worst())));
  std::string meta = fmt::format("Kind: {}  Status: {}", report_kind_name(r.kind), r.status);
  if (!r.rule.empty()) meta += "  Rule: " + r.rule;
  if (!r.cluster.empty()) meta += "  Cluster: " + r.cluster;
  if (!r.receiver.empty()) meta += "  Receiver: " + r.receiver;
  meta += "  Triage: " + format_duration(r.triage_duration);
  line(out, "", meta);
  line(out, "", fmt::format("Report {} at {}", r.id, format_rfc3339(r.created)));

  if (!r.alerts.empty()) {
    out += fmt::format("\nAlerts ({}):\n", r.alerts.size());
    for (const ReportAlert& a : r.alerts) {
      std::string text = fmt::format("{} [{}] {}", a.name, a.status, a.fingerprint);
      if (!a.summary.empty()) text += ": " + a.summary;
      line(out, "  - ", text);
    }
  }
  if (r.truncated_alerts > 0)
    line(out, "", fmt::format("Note: Alertmanager left out {} more alert(s) of this group (max_alerts).",
                              r.truncated_alerts));
  render_findings(out, r);
  render_steps(out, r);
  render_suggestions(out, r);
  if (!r.links.empty()) {
    out += "\nLinks:\n";
    for (const Link& l : r.links) line(out, "  ", l.title + ": " + l.url);
  }
  return out;
}

}  // namespace rr
