// render_report_page() and render_report_index(): see report_page.h.
#include "report/page/report_page.h"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "report/links.h"

namespace rr {

namespace {

// How much of a report the page shows (report_page.h documents these).
constexpr std::size_t kMaxFindings = 100;
constexpr std::size_t kMaxEvidence = 8;
constexpr std::size_t kMaxAlerts = 50;
constexpr std::size_t kMaxLabels = 20;
constexpr std::size_t kMaxSteps = 50;
constexpr std::size_t kMaxSuggestions = 50;
constexpr std::size_t kMaxLinks = 50;
constexpr std::size_t kOutputLines = 200;
constexpr std::size_t kOutputBytes = 16000;
// Step output of the whole page: the first steps' output in full rather than
// every step's cut to a few lines.
constexpr std::size_t kOutputBudget = 160000;
// Single values: names and labels, one-liners, and paragraphs or commands.
constexpr std::size_t kShort = 300;
constexpr std::size_t kLine = 1000;
constexpr std::size_t kLong = 3000;

// Everything the page looks like. Fixed text: no report value ever enters it.
constexpr std::string_view kStyle = R"css(
:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--text:#1b2230;--muted:#5b6474;--line:#dde1e7;
--code:#eef0f3;--pre:#151b24;--pre-text:#e7eaf0;--link:#175cd3;
--critical-bg:#fef3f2;--warning-bg:#fffaeb;--info-bg:#eff8ff;--ok-bg:#ecfdf3;--neutral-bg:#f2f4f7}
@media (prefers-color-scheme:dark){:root{--bg:#0e1218;--card:#171c25;--text:#e7eaf0;--muted:#9aa3b1;
--line:#2a3240;--code:#232b37;--pre:#0b0f14;--link:#84caff;--critical-bg:#3a1714;--warning-bg:#33240c;
--info-bg:#102640;--ok-bg:#0d2c1e;--neutral-bg:#232b37}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);-webkit-text-size-adjust:100%;text-size-adjust:100%;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;
overflow-wrap:anywhere}
main{max-width:56rem;margin:0 auto;padding:1rem 1rem 2rem}
a{color:var(--link)}
.brand{display:flex;justify-content:space-between;gap:1rem;margin:0;color:var(--muted);font-size:.78rem;
font-weight:600;letter-spacing:.06em;text-transform:uppercase}
.brand a{text-decoration:none;text-transform:none;letter-spacing:0;font-size:.85rem}
h1{font-size:1.4rem;line-height:1.3;margin:.35rem 0 .6rem}
h2{display:flex;align-items:center;gap:.5rem;font-size:1.05rem;margin:0 0 .6rem}
h3{font-size:1rem;line-height:1.35;margin:0}
section{margin:0 0 1.6rem}
.tags{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .5rem;margin:0 0 1rem;color:var(--muted);
font-size:.85rem}
.pill{display:inline-block;padding:0 .55rem;border:1px solid var(--line);border-radius:999px;
background:var(--card);color:var(--text);font-size:.78rem;font-weight:600;line-height:1.6;white-space:nowrap}
.count{padding:0 .5rem;border:1px solid var(--line);border-radius:999px;background:var(--card);color:var(--muted);
font-size:.75rem;font-weight:600}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.35rem;background:#475467;color:#fff;
font-size:.75rem;font-weight:700;letter-spacing:.05em;text-transform:uppercase;white-space:nowrap}
.badge.sev-critical{background:#d92d20}.badge.sev-warning{background:#b54708}
.badge.sev-info{background:#175cd3}.badge.sev-ok{background:#067647}
.verdict{margin:0 0 1.6rem;padding:1rem 1.1rem;border:1px solid var(--line);border-left:.45rem solid #475467;
border-radius:.6rem;background:var(--card)}
.verdict .label{display:flex;align-items:center;gap:.6rem;margin:0 0 .4rem;color:var(--muted);
font-size:.75rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase}
.verdict .text{margin:0;font-size:1.2rem;font-weight:600;line-height:1.35;white-space:pre-wrap}
.verdict.sev-critical{border-left-color:#d92d20;background:var(--critical-bg)}
.verdict.sev-warning{border-left-color:#dc6803;background:var(--warning-bg)}
.verdict.sev-info{border-left-color:#1570ef;background:var(--info-bg)}
.verdict.sev-ok{border-left-color:#079455;background:var(--ok-bg)}
.cards{display:grid;grid-template-columns:minmax(0,1fr);gap:.6rem;margin:0;padding:0;list-style:none}
.card{min-width:0;padding:.8rem 1rem;border:1px solid var(--line);border-radius:.6rem;background:var(--card)}
.card>p{margin:.4rem 0 0}
.sev-card{border-left:.3rem solid #98a2b3}
.sev-card.sev-critical{border-left-color:#d92d20}.sev-card.sev-warning{border-left-color:#dc6803}
.sev-card.sev-info{border-left-color:#1570ef}.sev-card.sev-ok{border-left-color:#079455}
.head{display:flex;flex-wrap:wrap;align-items:center;gap:.35rem .6rem}
.sub{color:var(--muted);font-size:.85rem}
.card>p.sub{margin-top:.2rem}
.prose{white-space:pre-wrap}
.evidence{margin:.5rem 0 0;padding-left:1.2rem;font-size:.9rem}
.evidence li{margin:.15rem 0;white-space:pre-wrap}
.note{margin:0 0 .6rem;padding:.5rem .75rem;border:1px dashed var(--line);border-radius:.45rem;
background:var(--card);color:var(--muted);font-size:.85rem}
.cut{margin:.6rem 0 0;color:var(--muted);font-size:.85rem;font-style:italic}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;
font-size:.84rem}
:not(pre)>code{padding:.05rem .3rem;border-radius:.25rem;background:var(--code)}
pre{max-width:100%;margin:.5rem 0 0;padding:.7rem .85rem;border-radius:.45rem;background:var(--pre);
color:var(--pre-text);line-height:1.45;overflow:auto}
pre.cmd{white-space:pre-wrap;overflow-wrap:anywhere}
pre.out{max-height:26rem;white-space:pre;overflow-wrap:normal}
details>summary{margin-top:.45rem;color:var(--muted);font-size:.85rem;cursor:pointer}
.labels{display:flex;flex-wrap:wrap;gap:.3rem;margin:.45rem 0 0;padding:0;list-style:none}
.labels code{font-size:.76rem}
.st-ok,.st-resolved,.risk-read-only{border-color:transparent;background:var(--ok-bg);color:#067647}
.st-failed,.st-firing{border-color:transparent;background:var(--critical-bg);color:#b42318}
.st-timeout,.risk-medium{border-color:transparent;background:var(--warning-bg);color:#b54708}
.risk-low{border-color:transparent;background:var(--info-bg);color:#175cd3}
.risk-high{border-color:transparent;background:#d92d20;color:#fff}
@media (prefers-color-scheme:dark){.st-ok,.st-resolved,.risk-read-only{color:#75e0a7}
.st-failed,.st-firing{color:#fda29b}.st-timeout,.risk-medium{color:#fec84b}.risk-low{color:#84caff}}
.links{margin:0;padding-left:1.2rem}
.links li{margin:.25rem 0}
.meta{padding-top:1rem;border-top:1px solid var(--line)}
.meta dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0;font-size:.85rem}
.meta dt{color:var(--muted)}
.meta dd{margin:0}
@media (max-width:32rem){main{padding:.75rem .75rem 1.5rem}h1{font-size:1.25rem}
.verdict .text{font-size:1.1rem}}
@media print{:root{--bg:#fff;--card:#fff;--pre:#f3f4f6;--pre-text:#111}body{font-size:11pt}
main{max-width:none;padding:0}.brand a{display:none}.card,.verdict{break-inside:avoid}
pre.out{max-height:none;white-space:pre-wrap;overflow-wrap:anywhere}
details::details-content{content-visibility:visible;display:contents}
a[href]::after{content:" (" attr(href) ")";color:var(--muted);font-size:.8em}}
)css";

// After sanitize_utf8 (no invalid bytes or control characters), the five
// characters that matter in HTML: with all of them escaped, a value is inert
// both between tags and inside a double- or single-quoted attribute.
std::string escape(std::string_view raw) {
  std::string clean = sanitize_utf8(raw);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// escape() of at most `max_bytes` of `raw`, marked where it was cut.
std::string shown(std::string_view raw, std::size_t max_bytes) {
  return escape(truncate_utf8(raw, max_bytes, " … (cut)"));
}

// "2026-11-23 00:32:13 UTC" in a <time> element; an unset time says so.
std::string time_html(TimePoint t) {
  if (t.time_since_epoch().count() == 0) return "<span class=\"sub\">unknown</span>";
  std::string iso = format_rfc3339(t);  // 2026-11-23T00:32:13.620Z
  std::string human = iso.size() >= 19 ? iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC" : iso;
  return fmt::format("<time datetime=\"{}\">{}</time>", escape(iso), escape(human));
}

std::string severity_class(Severity s) { return "sev-" + std::string(severity_name(s)); }

std::string badge(Severity s) {
  return fmt::format("<span class=\"badge {}\">{}</span>", severity_class(s), severity_name(s));
}

// A class for a free-text value, only when it is one of `known`: report
// values pick among fixed classes and never write one.
std::string known_class(std::string_view prefix, std::string_view value,
                        std::initializer_list<std::string_view> known) {
  bool ok = std::find(known.begin(), known.end(), value) != known.end();
  return ok ? std::string(prefix) + std::string(value) : std::string();
}

std::string pill(std::string_view css_class, std::string_view escaped_text) {
  return fmt::format("<span class=\"pill {}\">{}</span>", css_class, escaped_text);
}

// <section> with an <h2> naming it and a count when there is one.
void open_section(std::string& out, std::string_view id, std::string_view heading, std::size_t count) {
  out += fmt::format("<section id=\"{0}\" aria-labelledby=\"h-{0}\"><h2 id=\"h-{0}\">{1}", id, heading);
  if (count > 0) out += fmt::format(" <span class=\"count\">{}</span>", count);
  out += "</h2>\n";
}

// Says how much of a list the page leaves out, if anything.
void cut_note(std::string& out, std::size_t shown_count, std::size_t total, std::string_view what) {
  if (total > shown_count)
    out += fmt::format("<p class=\"cut\">Showing the first {} of {} {}; the rest is left off this page.</p>\n",
                       shown_count, total, what);
}

// The <html>, <head> and <body> around `body`, with the policies every page has.
std::string document(std::string_view escaped_title, std::string_view body) {
  std::string out;
  out.reserve(body.size() + kStyle.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing but the inline style below may load or run, whatever a value contains.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n";
  // Reports name hosts and show command output: keep them out of search engines,
  // and keep the page's address out of the Referer of links followed from it.
  out += "<meta name=\"robots\" content=\"noindex, nofollow\">\n";
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  out += "<meta name=\"color-scheme\" content=\"light dark\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n", escaped_title, kStyle);
  out += body;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

void render_header(std::string& out, const Report& r) {
  out += "<header>\n<p class=\"brand\"><span>Runbook Responder report</span>"
         "<a href=\"../reports\">All reports</a></p>\n";
  out += fmt::format("<h1>{}</h1>\n", r.title.empty() ? "(untitled report)" : shown(r.title, kLine));
  std::string status_class = known_class("st-", r.status, {"firing", "resolved"});
  out += "<p class=\"tags\">";
  if (!r.status.empty()) out += pill(status_class, shown(r.status, kShort)) + " ";
  out += pill("", escape(report_kind_name(r.kind))) + " ";
  out += time_html(r.created);
  if (!r.cluster.empty()) out += fmt::format(" <span>cluster <code>{}</code></span>", shown(r.cluster, kShort));
  out += "</p>\n</header>\n";
}

void render_verdict(std::string& out, const Report& r) {
  Severity worst = r.worst();
  out += fmt::format("<section class=\"verdict {}\" aria-label=\"Verdict\">\n", severity_class(worst));
  out += fmt::format("<p class=\"label\"><span>Verdict</span>{}</p>\n", badge(worst));
  out += fmt::format("<p class=\"text\">{}</p>\n</section>\n",
                     r.verdict.empty() ? "(no verdict)" : shown(r.verdict, kLine));
}

void render_finding(std::string& out, const Finding& f) {
  out += fmt::format("<li class=\"card sev-card {}\">\n<div class=\"head\">{}<h3>{}</h3></div>\n",
                     severity_class(f.severity), badge(f.severity), shown(f.title, kLine));
  if (!f.code.empty()) out += fmt::format("<p class=\"sub\"><code>{}</code></p>\n", shown(f.code, kShort));
  if (!f.detail.empty()) out += fmt::format("<p class=\"prose\">{}</p>\n", shown(f.detail, kLong));
  if (!f.evidence.empty()) {
    out += "<ul class=\"evidence\">\n";
    std::size_t n = std::min(f.evidence.size(), kMaxEvidence);
    for (std::size_t i = 0; i < n; ++i) out += fmt::format("<li>{}</li>\n", shown(f.evidence[i], kLine));
    if (f.evidence.size() > n)
      out += fmt::format("<li class=\"sub\">… and {} more not shown</li>\n", f.evidence.size() - n);
    out += "</ul>\n";
  }
  out += "</li>\n";
}

void render_findings(std::string& out, const Report& r) {
  open_section(out, "findings", "Findings", r.findings.size());
  if (r.findings.empty()) {
    out += "<p class=\"sub\">No findings.</p>\n</section>\n";
    return;
  }
  // The model promises most severe first; sorting again costs nothing and
  // keeps the page right for a report built by hand.
  std::vector<const Finding*> sorted;
  for (const Finding& f : r.findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity < b->severity; });
  std::size_t n = std::min(sorted.size(), kMaxFindings);
  out += "<ol class=\"cards\">\n";
  for (std::size_t i = 0; i < n; ++i) render_finding(out, *sorted[i]);
  out += "</ol>\n";
  cut_note(out, n, sorted.size(), "findings");
  out += "</section>\n";
}

void render_suggestions(std::string& out, const Report& r) {
  if (r.suggestions.empty()) return;
  open_section(out, "commands", "Suggested commands", r.suggestions.size());
  out += "<p class=\"note\">For a human to review and run. The responder never ran these commands.</p>\n";
  out += "<ol class=\"cards\">\n";
  std::size_t n = std::min(r.suggestions.size(), kMaxSuggestions);
  for (std::size_t i = 0; i < n; ++i) {
    const Suggestion& s = r.suggestions[i];
    out += "<li class=\"card\">\n<div class=\"head\">";
    if (!s.risk.empty()) {
      std::string risk_class = known_class("risk-", s.risk, {"read-only", "low", "medium", "high"});
      out += pill(risk_class, "risk: " + shown(s.risk, kShort));
    }
    if (!s.why.empty()) out += fmt::format("<span>{}</span>", shown(s.why, kLine));
    out += "</div>\n";
    out += fmt::format("<pre class=\"cmd\"><code>{}</code></pre>\n</li>\n", shown(s.command, kLong));
  }
  out += "</ol>\n";
  cut_note(out, n, r.suggestions.size(), "suggestions");
  out += "</section>\n";
}

void render_labels(std::string& out, const LabelSet& labels) {
  std::size_t count = 0, total = 0;
  std::string items;
  for (const auto& [name, value] : labels) {
    if (name == "alertname") continue;  // already the heading
    ++total;
    if (count == kMaxLabels) continue;
    ++count;
    items += fmt::format("<li><code>{}={}</code></li>", shown(name, kShort), shown(value, kShort));
  }
  if (total == 0) return;
  if (total > count) items += fmt::format("<li class=\"sub\">+{} more</li>", total - count);
  out += "<ul class=\"labels\" aria-label=\"Labels\">" + items + "</ul>\n";
}

void render_alerts(std::string& out, const Report& r) {
  if (r.alerts.empty() && r.truncated_alerts <= 0) return;
  open_section(out, "alerts", "Alerts", r.alerts.size());
  if (r.truncated_alerts > 0)
    out += fmt::format("<p class=\"note\">Alertmanager left out {} more alert(s) of this group (max_alerts).</p>\n",
                       r.truncated_alerts);
  out += "<ul class=\"cards\">\n";
  std::size_t n = std::min(r.alerts.size(), kMaxAlerts);
  for (std::size_t i = 0; i < n; ++i) {
    const ReportAlert& a = r.alerts[i];
    out += fmt::format("<li class=\"card\">\n<div class=\"head\"><h3>{}</h3>{}</div>\n",
                       a.name.empty() ? "(unnamed alert)" : shown(a.name, kShort),
                       pill(known_class("st-", a.status, {"firing", "resolved"}), shown(a.status, kShort)));
    if (!a.summary.empty()) out += fmt::format("<p class=\"prose\">{}</p>\n", shown(a.summary, kLong));
    out += fmt::format("<p class=\"sub\">Started {}", time_html(a.starts_at));
    if (!a.rule.empty()) out += fmt::format(" · rule <code>{}</code>", shown(a.rule, kShort));
    out += "</p>\n";
    render_labels(out, a.labels);
    out += "</li>\n";
  }
  out += "</ul>\n";
  cut_note(out, n, r.alerts.size(), "alerts");
  out += "</section>\n";
}

// The output folded away in <details>. `budget` is what the page may still
// spend on step output; this step takes its share.
void render_output(std::string& out, std::string_view output, std::size_t& budget) {
  if (trim(output).empty()) return;
  if (budget < 1000) {  // a sliver of output would only mislead
    out += "<p class=\"cut\">Output left off this page (size limit).</p>\n";
    return;
  }
  std::string shown_output = trim_output(output, kOutputLines, std::min(kOutputBytes, budget));
  budget -= std::min(budget, shown_output.size());
  std::size_t lines = static_cast<std::size_t>(std::count(output.begin(), output.end(), '\n'));
  if (output.back() != '\n') ++lines;
  out += fmt::format("<details><summary>Output ({} line{})</summary><pre class=\"out\"><code>{}</code></pre>"
                     "</details>\n",
                     lines, lines == 1 ? "" : "s", escape(shown_output));
}

void render_step(std::string& out, const StepResult& s, std::size_t& budget) {
  std::string status(step_status_name(s.status));
  out += fmt::format("<li class=\"card\">\n<div class=\"head\">{}<h3>{}</h3><code>{}</code>"
                     "<span class=\"sub\">{}</span></div>\n",
                     pill("st-" + status, escape(status)), shown(s.id, kShort), shown(s.kind, kShort),
                     escape(format_duration(s.duration)));
  if (!s.target.empty()) out += fmt::format("<p class=\"sub\">on {}</p>\n", shown(s.target, kShort));
  if (!s.summary.empty()) out += fmt::format("<p class=\"prose\">{}</p>\n", shown(s.summary, kLine));
  render_output(out, s.output, budget);
  out += "</li>\n";
}

void render_steps(std::string& out, const Report& r) {
  if (r.steps.empty()) return;
  open_section(out, "steps", "Steps", r.steps.size());
  out += "<ol class=\"cards\">\n";
  std::size_t n = std::min(r.steps.size(), kMaxSteps);
  std::size_t budget = kOutputBudget;
  for (std::size_t i = 0; i < n; ++i) render_step(out, r.steps[i], budget);
  out += "</ol>\n";
  cut_note(out, n, r.steps.size(), "steps");
  out += "</section>\n";
}

void render_links(std::string& out, const Report& r) {
  std::vector<const Link*> links;
  // The page's own address is among the links for chat; here it is where we are.
  for (const Link& l : r.links)
    if (r.url.empty() || l.url != r.url) links.push_back(&l);
  if (links.empty()) return;
  open_section(out, "links", "Links", 0);
  out += "<ul class=\"links\">\n";
  std::size_t n = std::min(links.size(), kMaxLinks);
  for (std::size_t i = 0; i < n; ++i) {
    const Link& l = *links[i];
    std::string title = shown(l.title.empty() ? l.url : l.title, kShort);
    if (is_web_url(l.url)) {
      out += fmt::format("<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></li>\n", escape(l.url), title);
    } else {
      // Not http(s): shown as text, so no scheme such as javascript: is ever followed.
      out += fmt::format("<li>{}: <code>{}</code> <span class=\"sub\">(not a web link)</span></li>\n", title,
                         shown(l.url, kLine));
    }
  }
  out += "</ul>\n";
  cut_note(out, n, links.size(), "links");
  out += "</section>\n";
}

void meta_row(std::string& out, std::string_view term, const std::string& escaped_value) {
  out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", term, escaped_value);
}

void render_meta(std::string& out, const Report& r) {
  out += "<footer class=\"meta\" aria-label=\"Report details\">\n<dl>\n";
  meta_row(out, "Report", "<code>" + shown(r.id, kShort) + "</code>");
  meta_row(out, "Created", time_html(r.created));
  meta_row(out, "Triage took", escape(format_duration(r.triage_duration)));
  if (!r.rule.empty()) meta_row(out, "Rule", "<code>" + shown(r.rule, kShort) + "</code>");
  if (!r.cluster.empty()) meta_row(out, "Cluster", shown(r.cluster, kShort));
  meta_row(out, "Receiver", r.receiver.empty() ? "(none)" : shown(r.receiver, kShort));
  meta_row(out, "Group key", "<code>" + shown(r.group_key, kLine) + "</code>");
  out += "</dl>\n</footer>\n";
}

// The relative link to one report from the index at <prefix>/reports, or ""
// for ids that would name a different path ("." and "..": percent-encoding
// does not stop URL parsers from treating them as dot segments).
std::string report_href(std::string_view id) {
  if (id.empty() || id == "." || id == "..") return {};
  return "reports/" + percent_encode(id);
}

// The class of a severity given by name; none for a name that is not one.
std::string severity_class(std::string_view name) {
  for (Severity s : {Severity::Critical, Severity::Warning, Severity::Info, Severity::Ok})
    if (name == severity_name(s)) return severity_class(s);
  return {};
}

void render_listing(std::string& out, const ReportListing& l) {
  std::string sev_class = severity_class(l.severity);
  out += fmt::format("<li class=\"card sev-card {}\">\n<div class=\"head\">", sev_class);
  if (!l.severity.empty())
    out += fmt::format("<span class=\"badge {}\">{}</span>", sev_class, shown(l.severity, kShort));
  std::string title = l.title.empty() ? "(untitled report)" : shown(l.title, kLine);
  std::string href = report_href(l.id);
  if (href.empty())
    out += fmt::format("<h3>{}</h3>", title);
  else
    out += fmt::format("<h3><a href=\"{}\">{}</a></h3>", escape(href), title);
  out += "</div>\n";
  if (!l.verdict.empty()) out += fmt::format("<p>{}</p>\n", shown(l.verdict, kLine));
  out += "<p class=\"sub\">";
  if (!l.kind.empty()) out += shown(l.kind, kShort) + " · ";
  out += time_html(l.created) + " · <code>" + shown(l.id, kShort) + "</code></p>\n</li>\n";
}

}  // namespace

std::string render_report_page(const Report& report) {
  std::string body;
  render_header(body, report);
  render_verdict(body, report);
  render_findings(body, report);
  render_suggestions(body, report);
  render_alerts(body, report);
  render_steps(body, report);
  render_links(body, report);
  render_meta(body, report);
  std::string title = report.title.empty() ? "Report" : shown(report.title, kShort);
  return document(title, body);
}

std::string render_report_index(const std::vector<ReportListing>& reports) {
  std::string body = "<header>\n<p class=\"brand\"><span>Runbook Responder</span></p>\n<h1>Recent reports</h1>\n";
  body += fmt::format("<p class=\"tags\">{} report{}, newest first</p>\n</header>\n", reports.size(),
                      reports.size() == 1 ? "" : "s");
  if (reports.empty()) {
    body += "<p class=\"sub\">No reports yet.</p>\n";
  } else {
    body += "<ol class=\"cards\">\n";
    for (const ReportListing& l : reports) render_listing(body, l);
    body += "</ol>\n";
  }
  return document("Recent reports", body);
}

}  // namespace rr
