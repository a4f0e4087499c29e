// render_teams(): a report as an Adaptive Card for a Teams Workflows webhook.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "notify/markdown_report.h"
#include "notify/teams/teams.h"
#include "report/links.h"

namespace rr {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxActions = 6;  // Teams shows at most six buttons
constexpr std::size_t kCommandLines = 10;
constexpr std::size_t kOutputLines = 15;
constexpr std::size_t kOutputBytes = 1200;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// TextRuns show text literally: sanitised, mentions defused, nothing else.
std::string literal(std::string_view raw) { return defuse_mentions(sanitize_utf8(raw)); }
std::string run_text(std::string_view raw, std::size_t max) { return fit_text(single_line(raw), max, literal); }

// TextBlocks render Markdown. Only what could make a link or markup Teams
// acts on is escaped, so the title and verdict read the same whether or not
// a client honours backslashes: '\\', '<' and '>' (HTML, autolinks, <at>
// mentions) always, and ']' before '(' (no "](", no link). Mentions are
// defused. Other Markdown (emphasis) can only change how the text looks.
std::string escape_teams(std::string_view raw) {
  std::string clean = defuse_mentions(sanitize_utf8(raw));
  std::string out;
  out.reserve(clean.size());
  for (std::size_t i = 0; i < clean.size(); ++i) {
    char c = clean[i];
    bool link = c == ']' && i + 1 < clean.size() && clean[i + 1] == '(';
    if (c == '\\' || c == '<' || c == '>' || link) out += '\\';
    out += c;
  }
  return out;
}

json run(std::string text, json props = json::object()) {
  json r = {{"type", "TextRun"}, {"text", std::move(text)}};
  r.update(props);
  return r;
}

json rich(json inlines, std::string_view spacing = "None") {
  json inl = json::array();
  for (json& i : inlines)
    if (!i["text"].get<std::string>().empty()) inl.push_back(std::move(i));
  if (inl.empty()) inl.push_back(run(" "));
  return {{"type", "RichTextBlock"}, {"inlines", std::move(inl)}, {"spacing", spacing}};
}

// Monospace lines, one RichTextBlock each (a line break inside a TextRun
// is not shown the same by every Teams client), on a shaded container.
json code_box(std::string_view raw, std::size_t max_lines, std::size_t max_bytes, json first = nullptr) {
  json items = json::array();
  if (!first.is_null()) items.push_back(std::move(first));
  std::string text = truncate_utf8(sanitize_utf8(raw), max_bytes);
  std::vector<std::string_view> lines;
  LineReader reader(text);
  for (std::string_view l; reader.next(l);) lines.push_back(l);
  if (lines.empty()) lines.push_back(" ");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == max_lines) {
      items.push_back(rich(json::array({run(fmt::format("\xE2\x80\xA6 {} more lines", lines.size() - i),
                                            {{"isSubtle", true}})})));
      break;
    }
    std::string shown = literal(lines[i]);
    for (char& c : shown)
      if (c == '\t') c = ' ';
    items.push_back(rich(json::array({run(shown.empty() ? " " : shown, {{"fontType", "Monospace"}})})));
  }
  return {{"type", "Container"}, {"style", "emphasis"}, {"spacing", "Small"}, {"items", std::move(items)}};
}

json heading(std::string_view text) {
  return {{"type", "TextBlock"}, {"text", text}, {"weight", "Bolder"}, {"wrap", true},
          {"separator", true},   {"spacing", "Medium"}};
}

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::Critical:
      return "Attention";
    case Severity::Warning:
      return "Warning";
    case Severity::Info:
      return "Accent";
    case Severity::Ok:
      return "Good";
  }
  return "Default";
}

std::string_view step_color(StepStatus s) {
  switch (s) {
    case StepStatus::Ok:
      return "Good";
    case StepStatus::Failed:
      return "Attention";
    case StepStatus::Timeout:
      return "Warning";
    case StepStatus::Skipped:
      return "Default";
  }
  return "Default";
}

std::vector<json> finding(const Finding& f) {
  json first = json::array({run(upper(severity_name(f.severity)), {{"color", severity_color(f.severity)}, {"weight", "Bolder"}}),
                            run(" " + run_text(f.title, 200))});
  if (!f.code.empty()) first.push_back(run("  " + run_text(f.code, 80), {{"fontType", "Monospace"}, {"isSubtle", true}}));
  std::vector<json> out = {rich(std::move(first), "Medium")};
  if (!f.detail.empty()) out.push_back(rich(json::array({run(run_text(f.detail, 400))})));
  std::size_t shown = 0;
  for (const std::string& e : f.evidence) {
    if (shown == 5) {
      out.push_back(rich(json::array({run(fmt::format("\xE2\x80\xA6 {} more evidence", f.evidence.size() - shown),
                                           {{"isSubtle", true}})})));
      break;
    }
    out.push_back(rich(json::array({run("\xE2\x80\xA2 " + run_text(e, 160))})));
    ++shown;
  }
  return out;
}

std::vector<json> suggestion(const Suggestion& s) {
  json head = json::array({run("\xF0\x9F\x94\xA7 " + (s.why.empty() ? std::string("Suggested") : run_text(s.why, 400)))});
  if (!s.risk.empty()) head.push_back(run(" (risk: " + run_text(s.risk, 40) + ")", {{"isSubtle", true}}));
  return {rich(std::move(head), "Medium"), code_box(s.command, kCommandLines, 700)};
}

std::vector<json> alert(const ReportAlert& a) {
  json inl = json::array({run("\xE2\x80\xA2 "), run(run_text(a.name, 100), {{"weight", "Bolder"}}),
                          run(" " + run_text(a.status, 20) + " ")});
  if (!a.fingerprint.empty()) inl.push_back(run(run_text(a.fingerprint, 40), {{"fontType", "Monospace"}}));
  if (!a.summary.empty()) inl.push_back(run(" \xE2\x80\x94 " + run_text(a.summary, 200)));
  return {rich(std::move(inl))};
}

std::vector<json> step(const StepResult& s) {
  json inl = json::array({run(std::string(step_emoji(s.status)) + " "), run(run_text(s.id, 60), {{"fontType", "Monospace"}}),
                          run(" " + run_text(s.kind, 40) + " "),
                          run(std::string(step_status_name(s.status)), {{"color", step_color(s.status)}}),
                          run(" (" + format_duration(s.duration) + ")")});
  if (!s.target.empty()) inl.push_back(run(" on " + run_text(s.target, 60)));
  if (!s.summary.empty()) inl.push_back(run(" \xE2\x80\x94 " + run_text(s.summary, 160)));
  return {rich(std::move(inl))};
}

std::vector<json> output(const StepResult& s) {
  std::string out = trim_output(s.output, kOutputLines, kOutputBytes);
  if (trim(out).empty()) return {};
  json title = rich(json::array({run("Output of ", {{"weight", "Bolder"}}), run(run_text(s.id, 60), {{"fontType", "Monospace"}})}));
  return {code_box(out, kOutputLines + 1, kOutputBytes + 100, std::move(title))};
}

// A tier of elements: each item is one or more body elements.
struct Part {
  Part(std::string singular, std::string plural, std::size_t guaranteed, std::string_view title)
      : tier(std::move(singular), std::move(plural), guaranteed), head(heading(title)) {
    tier.heading = dump(head).size() + 1;
  }
  void add(std::vector<json> elements) {
    if (elements.empty()) return;
    std::size_t cost = 0;
    for (const json& e : elements) cost += dump(e).size() + 1;
    tier.costs.push_back(cost);
    items.push_back(std::move(elements));
  }
  void append_to(json& body) const {
    if (tier.taken == 0) return;
    body.push_back(head);
    for (std::size_t i = 0; i < tier.taken; ++i)
      for (const json& e : items[i]) body.push_back(e);
  }

  Tier tier;
  json head;
  std::vector<std::vector<json>> items;
};

json payload(json body, json actions) {
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.2"},
               {"msteams", {{"width", "Full"}}},
               {"body", std::move(body)}};
  if (!actions.empty()) card["actions"] = std::move(actions);
  return {{"type", "message"},
          {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                        {"contentUrl", nullptr},
                                        {"content", std::move(card)}}})}};
}

}  // namespace

json render_teams(const Report& r, std::size_t max_bytes) {
  Severity worst = r.worst();

  // The fixed part: never left out.
  json fixed = json::array();
  fixed.push_back({{"type", "TextBlock"},
                   {"text", fit_text(single_line(r.title.empty() ? "Runbook Responder report" : r.title), 250,
                                     escape_teams)},
                   {"size", "Medium"},
                   {"weight", "Bolder"},
                   {"wrap", true}});
  fixed.push_back({{"type", "TextBlock"},
                   {"text", fmt::format("{} {} \xE2\x80\x94 {}", severity_emoji(worst), upper(severity_name(worst)),
                                        fit_text(single_line(r.verdict.empty() ? "(no verdict)" : r.verdict), 1000,
                                                 escape_teams))},
                   {"size", "Large"},
                   {"weight", "Bolder"},
                   {"color", severity_color(worst)},
                   {"wrap", true}});
  std::string meta = run_text(r.status, 20) + " \xC2\xB7 " + std::string(report_kind_name(r.kind));
  if (!r.rule.empty()) meta += " \xC2\xB7 rule " + run_text(r.rule, 100);
  if (!r.cluster.empty()) meta += " \xC2\xB7 cluster " + run_text(r.cluster, 100);
  meta += fmt::format(" \xC2\xB7 {} alert{} \xC2\xB7 triage {}", r.alerts.size(), r.alerts.size() == 1 ? "" : "s",
                      format_duration(r.triage_duration));
  if (!r.id.empty()) meta += " \xC2\xB7 report " + run_text(r.id, 80);
  fixed.push_back(rich(json::array({run(meta, {{"isSubtle", true}})}), "Small"));
  if (r.truncated_alerts > 0)
    fixed.push_back(rich(json::array({run(fmt::format("\xE2\x9A\xA0\xEF\xB8\x8F Alertmanager left out {} more "
                                                      "alert(s) of this group (max_alerts).",
                                                      r.truncated_alerts),
                                          {{"color", "Warning"}})})));

  json actions = json::array();
  std::size_t links_left = 0;
  bool has_page = !r.url.empty() && is_web_url(r.url);
  if (has_page) actions.push_back({{"type", "Action.OpenUrl"}, {"title", "Full report"}, {"url", r.url}});
  for (const Link& l : r.links) {
    if (!is_web_url(l.url) || l.url.size() > 2000) continue;
    bool seen = std::any_of(actions.begin(), actions.end(), [&](const json& a) { return a["url"] == l.url; });
    if (seen) continue;
    if (actions.size() == kMaxActions) {
      ++links_left;
      continue;
    }
    actions.push_back({{"type", "Action.OpenUrl"}, {"title", run_text(link_title(l.title), 40)}, {"url", l.url}});
  }
  if (links_left > 0)
    fixed.push_back(rich(json::array({run(fmt::format("{} more link(s) in the full report.", links_left),
                                          {{"isSubtle", true}})})));

  // The rest, most important first.
  std::vector<const Finding*> sorted;
  for (const Finding& f : r.findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity < b->severity; });
  Part findings("finding", "findings", 3, "Findings");
  for (const Finding* f : sorted) findings.add(finding(*f));
  Part suggestions("suggestion", "suggestions", 3, "Suggested commands (not run by the responder)");
  for (const Suggestion& s : r.suggestions) suggestions.add(suggestion(s));
  Part alerts("alert", "alerts", 0, "Alerts");
  for (const ReportAlert& a : r.alerts) alerts.add(alert(a));
  Part steps("step", "steps", 0, "Steps");
  for (const StepResult& s : r.steps) steps.add(step(s));
  Part outputs("step output", "step outputs", 0, "Step outputs");
  for (const StepResult& s : r.steps) outputs.add(output(s));
  std::vector<Part*> parts = {&findings, &suggestions, &alerts, &steps, &outputs};
  std::vector<Tier*> tiers;
  std::vector<const Tier*> const_tiers;
  for (Part* p : parts) {
    tiers.push_back(&p->tier);
    const_tiers.push_back(&p->tier);
  }
  auto note = [&](const std::string& left) {
    return rich(json::array({run("\xE2\x80\xA6 " + left + " left out of this card" +
                                     (has_page ? "; the full report has everything." : "."),
                                 {{"isSubtle", true}, {"italic", true}})}),
                "Medium");
  };
  // Room for the note's longest form: every item of every tier left out.
  std::string longest;
  for (const Tier* t : const_tiers) longest += fmt::format("{} more {}, ", t->costs.size(), t->plural);
  std::size_t fixed_size = dump(payload(fixed, actions)).size() + dump(note(longest)).size() + 1;
  std::size_t budget = max_bytes > fixed_size ? max_bytes - fixed_size : 0;

  json out;
  for (int attempt = 0; attempt < 8; ++attempt) {
    for (Tier* t : tiers) t->taken = 0;
    fit_tiers(tiers, budget);
    json body = fixed;
    for (const Part* p : parts) p->append_to(body);
    std::string left = left_out_summary(const_tiers);
    if (!left.empty()) body.push_back(note(left));
    out = payload(std::move(body), actions);
    std::size_t size = dump(out).size();
    if (size <= max_bytes) break;
    std::size_t over = size - max_bytes + 256;
    budget = budget > over ? budget - over : 0;
  }
  return out;
}

}  // namespace rr
