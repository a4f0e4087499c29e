// render_slack(): a report as a Block Kit message that stays within Slack's
// limits whatever the report holds.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "notify/slack/slack.h"
#include "report/links.h"

namespace rr {

namespace {

using nlohmann::json;

constexpr std::size_t kOmissionReserve = 400;  // text kept back for the "… N more" note

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

// Sanitised, on one line.
std::string one_line(std::string_view s) {
  std::string out = sanitize_utf8(s);
  for (char& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return out;
}

// Sanitised, escaped and cut to `max` bytes. The cut is made in the raw text,
// so it never splits an entity such as &amp; or a UTF-8 sequence.
// Fences are broken up so no text can open or close a code block.
std::string mrkdwn(std::string_view raw, std::size_t max) {
  std::string clean = sanitize_utf8(raw);
  for (auto pos = clean.find("```"); pos != std::string::npos; pos = clean.find("```", pos))
    clean.replace(pos, 3, "` ` `");
  std::string out = escape_mrkdwn(clean);
  std::size_t n = std::min(clean.size(), max);
  while (out.size() > max && n > 0) {
    out = escape_mrkdwn(truncate_utf8(clean, n));
    std::size_t over = out.size() > max ? out.size() - max : 0;
    n = n > over ? n - std::max<std::size_t>(over, 1) : 0;
  }
  return out.size() <= max ? out : std::string();
}

// A code block; mrkdwn() keeps its content from closing it early.
std::string code_block(std::string_view raw, std::size_t max) {
  constexpr std::size_t kFences = 6;
  return "```" + mrkdwn(raw, max > kFences ? max - kFences : 0) + "```";
}

std::string plain(std::string_view raw, std::size_t max) { return truncate_utf8(one_line(raw), max); }

std::string_view severity_emoji(Severity s) {
  switch (s) {
    case Severity::Critical:
      return ":red_circle:";
    case Severity::Warning:
      return ":large_orange_circle:";
    case Severity::Info:
      return ":large_blue_circle:";
    case Severity::Ok:
      return ":white_check_mark:";
  }
  return ":white_circle:";
}

std::string_view step_emoji(StepStatus s) {
  switch (s) {
    case StepStatus::Ok:
      return ":white_check_mark:";
    case StepStatus::Failed:
      return ":x:";
    case StepStatus::Timeout:
      return ":hourglass:";
    case StepStatus::Skipped:
      return ":fast_forward:";
  }
  return ":grey_question:";
}

json section(std::string text) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", std::move(text)}}}};
}

json context(std::string text) {
  return {{"type", "context"}, {"elements", json::array({{{"type", "mrkdwn"}, {"text", std::move(text)}}})}};
}

struct Budget {
  std::size_t blocks;
  std::size_t text;
  bool take(std::size_t b, std::size_t t) {
    if (b > blocks || t > text) return false;
    blocks -= b;
    text -= t;
    return true;
  }
};

// One kind of content, in the order it is shown. `items` are either whole
// sections or, when `heading` is set, lines packed into sections under it.
struct Tier {
  Tier(std::string singular_, std::string plural_, std::size_t guaranteed_, std::string heading_ = "")
      : singular(std::move(singular_)), plural(std::move(plural_)), guaranteed(guaranteed_),
        heading(std::move(heading_)) {}

  std::string singular, plural;  // for "… 3 more findings"
  std::size_t guaranteed;        // taken before any tier gets more than its share
  std::string heading;
  std::vector<std::string> items;
  std::vector<std::string> sections;
  std::size_t taken = 0;

  bool take_next(Budget& budget, std::size_t section_limit) {
    const std::string& item = items[taken];
    if (!heading.empty() && !sections.empty() && sections.back().size() + 1 + item.size() <= section_limit) {
      if (!budget.take(0, item.size() + 1)) return false;
      sections.back() += "\n" + item;
    } else {
      std::string text = heading.empty() ? item : heading + "\n" + item;
      if (!budget.take(1, text.size())) return false;
      sections.push_back(std::move(text));
    }
    ++taken;
    return true;
  }
  // Takes items in order until `limit` are taken or one does not fit.
  void fill(Budget& budget, std::size_t section_limit, std::size_t limit) {
    while (taken < std::min(limit, items.size()) && take_next(budget, section_limit)) {
    }
  }
  std::size_t left_out() const { return items.size() - taken; }
};

std::string finding_text(const Finding& f, const SlackLimits& limits) {
  std::string text = fmt::format("{} *{}* {}", severity_emoji(f.severity), upper(severity_name(f.severity)),
                                 mrkdwn(one_line(f.title), 200));
  if (!f.code.empty()) text += " `" + mrkdwn(one_line(f.code), 80) + "`";
  if (!f.detail.empty()) text += "\n" + mrkdwn(f.detail, 400);
  std::size_t shown = 0;
  for (const std::string& e : f.evidence) {
    std::string line = "\n• " + mrkdwn(one_line(e), 160);
    if (shown == 5 || text.size() + line.size() + 40 > limits.finding) {
      text += fmt::format("\n… {} more evidence", f.evidence.size() - shown);
      break;
    }
    text += line;
    ++shown;
  }
  return text;
}

std::string suggestion_text(const Suggestion& s) {
  std::string text = ":wrench: *Suggested*";
  if (!s.risk.empty()) text += " (risk: " + mrkdwn(one_line(s.risk), 40) + ")";
  if (!s.why.empty()) text += ": " + mrkdwn(s.why, 400);
  text += "\n" + code_block(s.command, 700);
  return text;
}

std::string alert_line(const ReportAlert& a, const SlackLimits& limits) {
  std::string text = fmt::format("• *{}* {} `{}`", mrkdwn(one_line(a.name), 100), mrkdwn(one_line(a.status), 20),
                                 mrkdwn(one_line(a.fingerprint), 40));
  if (!a.summary.empty()) text += " — " + mrkdwn(one_line(a.summary), limits.list_line - std::min(text.size() + 5, limits.list_line));
  return text;
}

std::string step_line(const StepResult& s, const SlackLimits& limits) {
  std::string text = fmt::format("{} `{}` {} {} ({})", step_emoji(s.status), mrkdwn(one_line(s.id), 60),
                                 mrkdwn(one_line(s.kind), 40), step_status_name(s.status),
                                 format_duration(s.duration));
  if (!s.target.empty()) text += " on " + mrkdwn(one_line(s.target), 60);
  if (!s.summary.empty()) text += " — " + mrkdwn(one_line(s.summary), limits.list_line - std::min(text.size() + 5, limits.list_line));
  return text;
}

std::string omission_note(const std::vector<Tier*>& tiers) {
  std::string parts;
  for (const Tier* t : tiers) {
    if (t->left_out() == 0) continue;
    if (!parts.empty()) parts += ", ";
    parts += fmt::format("{} more {}", t->left_out(), t->left_out() == 1 ? t->singular : t->plural);
  }
  return parts.empty() ? parts : "… " + parts + ", see the JSON report";
}

}  // namespace

std::string escape_mrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

json render_slack(const Report& r, const SlackLimits& limits) {
  Budget budget{limits.max_blocks, limits.max_block_text};
  std::string title = plain(r.title, limits.header);
  if (title.empty()) title = "Runbook Responder report";
  Severity worst = r.worst();

  // The fixed part: never dropped.
  json header = {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", title}, {"emoji", true}}}};
  std::string verdict = fmt::format("{} *{}* {}", severity_emoji(worst), upper(severity_name(worst)),
                                    mrkdwn(r.verdict.empty() ? "(no verdict)" : r.verdict, 1000));
  std::string meta = fmt::format("*{}* · {}", mrkdwn(one_line(r.status), 20), report_kind_name(r.kind));
  if (!r.rule.empty()) meta += " · rule `" + mrkdwn(one_line(r.rule), 100) + "`";
  if (!r.cluster.empty()) meta += " · cluster `" + mrkdwn(one_line(r.cluster), 100) + "`";
  meta += fmt::format(" · {} alert(s) · triage {} · report {}", r.alerts.size(), format_duration(r.triage_duration),
                      mrkdwn(one_line(r.id), 80));
  std::string truncated;
  if (r.truncated_alerts > 0)
    truncated = fmt::format(":warning: Alertmanager left out {} more alert(s) of this group (max_alerts).",
                            r.truncated_alerts);
  json buttons = json::array();
  std::size_t button_text = 0;
  for (const Link& l : r.links) {
    if (buttons.size() == limits.max_buttons) break;
    if (l.url.size() > limits.button_url || !is_web_url(l.url)) continue;
    std::string text = plain(l.title.empty() ? "Link" : l.title, limits.button_text);
    button_text += text.size();
    buttons.push_back({{"type", "button"},
                       {"action_id", fmt::format("link-{}", buttons.size())},
                       {"text", {{"type", "plain_text"}, {"text", text}}},
                       {"url", l.url}});
  }
  std::size_t fixed_blocks = 3 + (truncated.empty() ? 0 : 1) + (buttons.empty() ? 0 : 1) + 1;  // +1: note
  std::size_t fixed_text = title.size() + verdict.size() + meta.size() + truncated.size() + button_text;
  budget.take(std::min(fixed_blocks, budget.blocks), std::min(fixed_text + kOmissionReserve, budget.text));

  // The rest, most important first.
  Tier findings("finding", "findings", 5);
  for (const Finding& f : r.findings) findings.items.push_back(finding_text(f, limits));
  Tier suggestions("suggestion", "suggestions", 3);
  for (const Suggestion& s : r.suggestions) suggestions.items.push_back(suggestion_text(s));
  Tier alerts("alert", "alerts", 3, "*Alerts*");
  for (const ReportAlert& a : r.alerts) alerts.items.push_back(alert_line(a, limits));
  Tier steps("step", "steps", 5, "*Steps*");
  for (const StepResult& s : r.steps) steps.items.push_back(step_line(s, limits));
  Tier outputs("step output", "step outputs", 0);
  for (const StepResult& s : r.steps) {
    std::string out = trim_output(s.output, limits.step_output_lines, limits.step_output);
    if (trim(out).empty()) continue;
    std::string head = "*Output of* `" + mrkdwn(one_line(s.id), 60) + "`\n";
    outputs.items.push_back(head + code_block(out, limits.step_output));
  }
  std::vector<Tier*> by_importance = {&findings, &suggestions, &alerts, &steps, &outputs};
  // First every tier's share, so a flood of findings still leaves room for
  // the commands and the step list; then the rest in order of importance,
  // stopping at the first tier that does not fit entirely.
  for (Tier* t : by_importance) t->fill(budget, limits.section, t->guaranteed);
  for (Tier* t : by_importance) {
    t->fill(budget, limits.section, t->items.size());
    if (t->left_out() > 0) break;
  }

  json blocks = json::array({header, section(verdict), context(meta)});
  if (!truncated.empty()) blocks.push_back(context(truncated));
  if (!buttons.empty()) blocks.push_back({{"type", "actions"}, {"elements", std::move(buttons)}});
  for (Tier* t : {&findings, &suggestions, &alerts, &steps, &outputs})
    for (std::string& s : t->sections) blocks.push_back(section(std::move(s)));
  std::string note = omission_note(by_importance);
  if (!note.empty()) blocks.push_back(context(mrkdwn(note, kOmissionReserve)));

  std::string top = mrkdwn(one_line(r.title) + " — " + one_line(r.verdict.empty() ? "(no verdict)" : r.verdict),
                           limits.top_text);
  return {{"text", std::move(top)}, {"blocks", std::move(blocks)}};
}

}  // namespace rr
