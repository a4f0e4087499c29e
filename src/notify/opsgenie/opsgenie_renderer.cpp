// render_opsgenie_*(): a report as an Opsgenie alert within its field
// limits, the description being the console's plain text, trimmed.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "notify/console/console.h"
#include "notify/digest.h"
#include "notify/opsgenie/opsgenie.h"
#include "report/links.h"

namespace rr {

namespace {

using nlohmann::ordered_json;

constexpr std::size_t kNoteReserve = 400;  // bytes kept back for the "left out" line

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// At most `max` characters (as Opsgenie counts them), "…" marking a cut.
// `s` must be valid UTF-8 (sanitised).
std::string cut_chars(std::string_view s, std::size_t max) {
  std::size_t chars = 0, i = 0, keep = 0;
  for (; i < s.size(); ++i) {
    if (continuation(s[i])) continue;
    if (chars + 1 == max) keep = i;  // where the "…" would go
    if (++chars > max) break;
  }
  if (chars <= max) return std::string(s);
  if (max == 0) return "";
  return std::string(s.substr(0, keep)) + "…";
}

std::string flat(std::string_view s, std::size_t max_chars) {
  std::string out = sanitize_utf8(s);
  for (char& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return cut_chars(trim(out), max_chars);
}

std::string capped(std::string_view s, std::size_t max_bytes) { return truncate_utf8(sanitize_utf8(s), max_bytes); }

// Copies of the report's parts, each cut so that the five worst findings
// and a handful of commands always fit in 15,000 characters together.
Finding capped_finding(const Finding& f) {
  Finding c;
  c.severity = f.severity;
  c.code = capped(f.code, 100);
  c.title = capped(f.title, 200);
  c.detail = capped(f.detail, 500);
  for (std::size_t i = 0; i < f.evidence.size() && i < 5; ++i) c.evidence.push_back(capped(f.evidence[i], 200));
  if (f.evidence.size() > 5) c.evidence.push_back(fmt::format("… {} more evidence", f.evidence.size() - 5));
  return c;
}

Suggestion capped_suggestion(const Suggestion& s) {
  return Suggestion{capped(s.command, 500), capped(s.why, 200), capped(s.risk, 20)};
}

StepResult capped_step(const StepResult& s) {
  StepResult c = s;
  c.id = capped(s.id, 100);
  c.kind = capped(s.kind, 100);
  c.target = capped(s.target, 200);
  c.summary = capped(s.summary, 200);
  c.output = trim_output(sanitize_utf8(s.output), 5, 300);
  return c;
}

ReportAlert capped_alert(const ReportAlert& a) {
  ReportAlert c;
  c.name = capped(a.name, 200);
  c.status = capped(a.status, 20);
  c.fingerprint = capped(a.fingerprint, 40);
  c.summary = capped(a.summary, 200);
  c.starts_at = a.starts_at;
  c.rule = a.rule;
  return c;
}

// One part of the report: its items, what each adds to the text, how many fit.
template <class T>
struct Tier {
  std::string plural;
  std::vector<T> items;
  std::vector<std::size_t> costs;
  std::size_t taken = 0;

  void fill(std::size_t& budget, std::size_t limit) {
    while (taken < std::min(limit, items.size()) && costs[taken] <= budget) budget -= costs[taken++];
  }
  std::size_t left_out() const { return items.size() - taken; }
  std::vector<T> kept() const { return std::vector<T>(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(taken)); }
};

// What one item adds to render_text(base): its lines and, counted in every
// item's cost so the sum never falls short, its section's heading.
template <class T>
void price(Tier<T>& tier, const Report& base, std::size_t base_size, std::vector<T> Report::*member) {
  for (const T& item : tier.items) {
    Report one = base;
    (one.*member).push_back(item);
    std::size_t size = render_text(one).size();
    tier.costs.push_back(size > base_size ? size - base_size : 0);
  }
}

}  // namespace

std::string opsgenie_alias(std::string_view group_key) { return "rr-" + sha256_hex(group_key); }

std::string opsgenie_priority(const Report& report) {
  switch (report.worst()) {
    case Severity::Critical:
      return "P1";
    case Severity::Warning:
      return "P3";
    default:
      return "P5";
  }
}

std::string opsgenie_description(const Report& r, std::size_t max_chars) {
  Report base = r;
  base.title = capped(r.title, 300);
  base.verdict = capped(r.verdict, 1000);
  base.alerts.clear();
  base.findings.clear();
  base.steps.clear();
  base.suggestions.clear();
  base.links.clear();
  const std::size_t base_size = render_text(base).size();

  Tier<Finding> findings{"findings"};
  for (const Finding& f : r.findings) findings.items.push_back(capped_finding(f));
  std::stable_sort(findings.items.begin(), findings.items.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  Tier<Suggestion> suggestions{"suggestions"};
  for (const Suggestion& s : r.suggestions) suggestions.items.push_back(capped_suggestion(s));
  Tier<StepResult> steps{"steps"};
  for (const StepResult& s : r.steps) steps.items.push_back(capped_step(s));
  Tier<ReportAlert> alerts{"alerts"};
  for (const ReportAlert& a : r.alerts) alerts.items.push_back(capped_alert(a));
  Tier<Link> links{"links"};
  for (const Link& l : r.links)  // only what may be clicked: no javascript:, no relative paths
    if (is_web_url(l.url) && l.url.size() <= 2000) links.items.push_back(Link{flat(l.title, 100), l.url});
  price(findings, base, base_size, &Report::findings);
  price(suggestions, base, base_size, &Report::suggestions);
  price(steps, base, base_size, &Report::steps);
  price(alerts, base, base_size, &Report::alerts);
  price(links, base, base_size, &Report::links);

  // Bytes, which are never fewer than characters.
  std::size_t reserve = kNoteReserve + r.url.size();
  std::size_t budget = max_chars > base_size + reserve ? max_chars - base_size - reserve : 0;
  // The worst findings and every command first, then a share of the rest,
  // then whatever still fits in order of importance.
  findings.fill(budget, 5);
  suggestions.fill(budget, suggestions.items.size());
  steps.fill(budget, 10);
  alerts.fill(budget, 5);
  links.fill(budget, 3);
  findings.fill(budget, findings.items.size());
  steps.fill(budget, steps.items.size());
  alerts.fill(budget, alerts.items.size());
  links.fill(budget, links.items.size());

  Report out = base;
  out.findings = findings.kept();
  out.suggestions = suggestions.kept();
  out.steps = steps.kept();
  out.alerts = alerts.kept();
  out.links = links.kept();
  std::string text = render_text(out);

  std::string note;
  auto count = [&note](std::size_t left, std::size_t all, std::string_view plural) {
    if (left > 0) note += fmt::format("{}{} of {} {}", note.empty() ? "" : ", ", left, all, plural);
  };
  count(findings.left_out(), findings.items.size(), findings.plural);
  count(suggestions.left_out(), suggestions.items.size(), suggestions.plural);
  count(steps.left_out(), steps.items.size(), steps.plural);
  count(alerts.left_out(), alerts.items.size(), alerts.plural);
  count(links.left_out(), links.items.size(), links.plural);
  if (!note.empty()) {
    note = "\n… Left out to stay within Opsgenie's 15,000 characters: " + note + ".";
    if (!r.url.empty() && is_web_url(r.url)) note += " The full report: " + r.url;
    text += note + "\n";
  }
  return cut_chars(text, max_chars);
}

ordered_json render_opsgenie_alert(const Report& r, const OpsgenieLimits& limits) {
  std::string message = flat(r.title, limits.message);
  if (message.empty()) message = flat(r.verdict, limits.message);
  if (message.empty()) message = "Runbook Responder report";

  ordered_json tags = ordered_json::array({"runbook-responder"});
  for (const std::string* t : {&r.rule, &r.cluster}) {
    std::string tag = flat(*t, limits.tag);
    if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }

  ordered_json details = ordered_json::object();
  auto detail = [&](const char* key, std::string_view value) {
    std::string v = flat(value, limits.details_value);
    if (!v.empty()) details[key] = v;
  };
  detail("cluster", r.cluster);
  detail("rule", r.rule);
  detail("verdict", r.verdict);
  if (is_web_url(r.url) && r.url.size() <= limits.details_value) details["report_url"] = r.url;

  ordered_json body = {{"message", message},
                       {"alias", opsgenie_alias(r.group_key)},
                       {"description", opsgenie_description(r, limits.description)},
                       {"priority", opsgenie_priority(r)},
                       {"tags", std::move(tags)},
                       {"details", std::move(details)}};
  if (std::string entity = flat(r.cluster, limits.entity); !entity.empty()) body["entity"] = entity;
  body["source"] = "runbook-responder";
  return body;
}

ordered_json render_opsgenie_close(const Report& r, const OpsgenieLimits& limits) {
  std::string note = flat(r.verdict, limits.note);
  if (note.empty()) note = "Every alert of the group resolved.";
  return {{"source", "runbook-responder"}, {"note", note}};
}

}  // namespace rr
