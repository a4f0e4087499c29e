// render_markdown_report() and the pieces the size-limited chat targets share.
#include "notify/markdown_report.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "report/links.h"

namespace rr {

namespace {

constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";

bool is_word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_';
}

}  // namespace

// ---- Budget ----

std::size_t fit_tiers(const std::vector<Tier*>& tiers, std::size_t budget) {
  // Takes items of `t` until `limit` are taken (true) or one does not fit (false).
  auto fill = [&budget](Tier& t, std::size_t limit) {
    limit = std::min(limit, t.costs.size());
    while (t.taken < limit) {
      std::size_t cost = t.costs[t.taken] + (t.taken == 0 ? t.heading : 0);
      if (cost > budget) return false;
      budget -= cost;
      ++t.taken;
    }
    return true;
  };
  // One of each guaranteed tier first (the worst finding and the first
  // command both survive a flood of long findings), then the shares.
  for (Tier* t : tiers) fill(*t, std::min<std::size_t>(1, t->guaranteed));
  for (Tier* t : tiers) fill(*t, t->guaranteed);
  for (Tier* t : tiers)
    if (!fill(*t, t->costs.size())) break;
  return budget;
}

std::string left_out_summary(const std::vector<const Tier*>& tiers) {
  std::string out;
  for (const Tier* t : tiers) {
    if (t->left_out() == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} more {}", t->left_out(), t->left_out() == 1 ? t->singular : t->plural);
  }
  return out;
}

// ---- Text ----

std::string single_line(std::string_view raw) {
  std::string out = sanitize_utf8(raw);
  for (char& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return out;
}

std::string defuse_mentions(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '@' && i + 1 < text.size() && is_word_byte(text[i + 1])) out += kZeroWidthSpace;
  }
  return out;
}

std::string defuse_broadcasts(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] != '@') continue;
    for (std::string_view word : {"channel", "here", "all", "everyone"}) {
      std::size_t end = i + 1 + word.size();
      if (text.compare(i + 1, word.size(), word) == 0 && (end == text.size() || !is_word_byte(text[end]))) {
        out += kZeroWidthSpace;
        break;
      }
    }
  }
  return out;
}

std::string code_text(std::string_view raw, bool span) {
  std::string out = defuse_broadcasts(span ? single_line(raw) : sanitize_utf8(raw));
  if (span) {
    std::replace(out.begin(), out.end(), '`', '\'');
    return out;
  }
  for (auto pos = out.find("```"); pos != std::string::npos; pos = out.find("```", pos))
    out.replace(pos, 3, "` ` `");
  return out;
}

std::string fit_text(std::string_view raw, std::size_t max, std::string (*fn)(std::string_view)) {
  std::string out = fn(raw);
  std::size_t n = std::min(raw.size(), max);
  while (out.size() > max && n > 0) {
    out = fn(truncate_utf8(raw, n));
    std::size_t over = out.size() > max ? out.size() - max : 0;
    n = n > over ? n - std::max<std::size_t>(over, 1) : 0;
  }
  return out.size() <= max ? out : std::string();
}

std::string escape_markdown(std::string_view raw) {
  std::string clean = defuse_mentions(sanitize_utf8(raw));
  std::string out;
  out.reserve(clean.size() + clean.size() / 4);
  bool line_start = true;  // only blanks since the last newline
  for (std::size_t i = 0; i < clean.size(); ++i) {
    char c = clean[i];
    switch (c) {
      case '\\': case '`': case '*': case '_': case '~': case '|':
      case '[': case ']': case '<': case '>': case '#': case '&':
        out += '\\';
        out += c;
        break;
      case '-': case '+': case '=':
        if (line_start) out += '\\';  // list items, setext headings
        out += c;
        break;
      default:
        if (line_start && std::isdigit(static_cast<unsigned char>(c))) {
          // "1." and "1)" start ordered lists.
          std::size_t j = i;
          while (j < clean.size() && std::isdigit(static_cast<unsigned char>(clean[j]))) ++j;
          out.append(clean, i, j - i);
          if (j < clean.size() && (clean[j] == '.' || clean[j] == ')')) {
            out += '\\';
            out += clean[j];
            ++j;
          }
          i = j - 1;
          line_start = false;
          continue;
        }
        out += c;
    }
    line_start = c == '\n' || (line_start && (c == ' ' || c == '\t'));
  }
  return out;
}

std::string link_safe_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '|' || c == '\\' ||
        c == '"' || c == '`')
      out += fmt::format("%{:02X}", u);
    else
      out += c;
  }
  return out;
}

std::string link_title(std::string_view title) {
  std::string out = single_line(title);
  if (trim(out).empty() || out.find("://") != std::string::npos || out.find("www.") != std::string::npos)
    return "Link";
  return out;
}

std::string_view severity_emoji(Severity s) {
  switch (s) {
    case Severity::Critical:
      return "\xF0\x9F\x94\xB4";  // red circle
    case Severity::Warning:
      return "\xF0\x9F\x9F\xA0";  // orange circle
    case Severity::Info:
      return "\xF0\x9F\x94\xB5";  // blue circle
    case Severity::Ok:
      return "\xE2\x9C\x85";  // check mark
  }
  return "\xE2\x9A\xAA";  // white circle
}

std::string_view step_emoji(StepStatus s) {
  switch (s) {
    case StepStatus::Ok:
      return "\xE2\x9C\x85";  // check mark
    case StepStatus::Failed:
      return "\xE2\x9D\x8C";  // cross
    case StepStatus::Timeout:
      return "\xE2\x8F\xB3";  // hourglass
    case StepStatus::Skipped:
      return "\xE2\x8F\xA9";  // fast forward
  }
  return "\xE2\x9D\x94";  // question mark
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string markdown_code_span(std::string_view raw) {
  std::string text = code_text(raw, true);
  return "`" + (text.empty() ? std::string(" ") : text) + "`";
}

std::string markdown_code_block(std::string_view raw) { return "```\n" + code_text(raw, false) + "\n```"; }

std::string markdown_link(std::string_view escaped_text, std::string_view url) {
  return "[" + std::string(escaped_text) + "](" + std::string(url) + ")";
}

const MarkdownDialect kCommonMark{escape_markdown, markdown_code_span, markdown_code_block, markdown_link, "**",
                                  "#### "};

// ---- The report ----

namespace {

constexpr std::string_view kWarning = "\xE2\x9A\xA0\xEF\xB8\x8F";  // warning sign
constexpr std::string_view kPage = "\xF0\x9F\x93\x84";             // page
constexpr std::string_view kWrench = "\xF0\x9F\x94\xA7";           // wrench
constexpr std::size_t kNoteSlack = 80;                             // words around the note's counts

class Writer {
 public:
  Writer(const MarkdownDialect& d, const MarkdownLimits& l)
      : d_(d), l_(l), finding_max_(std::min(l.finding, l.total / 4)), suggestion_max_(std::min(l.suggestion, l.total / 5)) {}

  std::string text(std::string_view raw, std::size_t max) const { return fit_text(raw, max, d_.escape); }
  std::string line(std::string_view raw, std::size_t max) const { return text(single_line(raw), max); }
  std::string span(std::string_view raw, std::size_t max) const {
    return raw.empty() ? std::string() : fit_text(single_line(raw), max, d_.code_span);
  }
  std::string block(std::string_view raw, std::size_t max) const { return fit_text(raw, max, d_.code_block); }
  std::string bold(std::string_view escaped) const {
    return std::string(d_.bold) + std::string(escaped) + std::string(d_.bold);
  }
  std::string link(std::string_view raw_text, std::string_view url) const {
    return d_.link(line(link_title(raw_text), 80), link_safe_url(url));
  }

  std::string finding(const Finding& f) const {
    std::string out = fmt::format("{} {} {}", severity_emoji(f.severity), bold(upper(severity_name(f.severity))),
                                  line(f.title, 200));
    if (!f.code.empty()) out += " " + span(f.code, 80);
    if (!f.detail.empty()) out += "\n" + line(f.detail, 400);
    std::size_t shown = 0;
    for (const std::string& e : f.evidence) {
      std::string item = "\n\xE2\x80\xA2 " + line(e, 160);  // bullet
      if (shown == l_.evidence || out.size() + item.size() + 40 > finding_max_) {
        out += fmt::format("\n\xE2\x80\xA6 {} more evidence", f.evidence.size() - shown);
        break;
      }
      out += item;
      ++shown;
    }
    return out;
  }

  std::string suggestion(const Suggestion& s) const {
    std::string out = std::string(kWrench) + " " + (s.why.empty() ? bold("Suggested") : line(s.why, 400));
    if (!s.risk.empty()) out += " (risk: " + line(s.risk, 40) + ")";
    std::size_t room = suggestion_max_ > out.size() + 1 ? suggestion_max_ - out.size() - 1 : 0;
    return out + "\n" + block(s.command, std::min<std::size_t>(room, 700));
  }

  std::string alert(const ReportAlert& a) const {
    std::string out = "\xE2\x80\xA2 " + bold(line(a.name, 100)) + " " + line(a.status, 20);
    if (!a.fingerprint.empty()) out += " " + span(a.fingerprint, 40);
    return with_summary(std::move(out), a.summary);
  }

  std::string step(const StepResult& s) const {
    std::string out = fmt::format("{} {} {} {} ({})", step_emoji(s.status), span(s.id, 60), line(s.kind, 40),
                                  step_status_name(s.status), format_duration(s.duration));
    if (!s.target.empty()) out += " on " + line(s.target, 60);
    return with_summary(std::move(out), s.summary);
  }

  std::string output(const StepResult& s) const {
    std::string out = trim_output(s.output, l_.step_output_lines, l_.step_output);
    if (trim(out).empty()) return "";
    return bold("Output of") + " " + span(s.id, 60) + "\n" + block(out, l_.step_output + 40);
  }

 private:
  std::string with_summary(std::string out, std::string_view summary) const {
    if (summary.empty() || out.size() + 8 >= l_.list_line) return out;
    return out + " \xE2\x80\x94 " + line(summary, l_.list_line - out.size() - 5);  // em dash
  }

  const MarkdownDialect& d_;
  const MarkdownLimits& l_;
  std::size_t finding_max_, suggestion_max_;
};

struct Section {
  Section(std::string singular, std::string plural, std::size_t guaranteed, std::string heading_,
          std::string_view sep_)
      : tier(std::move(singular), std::move(plural), guaranteed), heading(std::move(heading_)), sep(sep_) {
    tier.heading = 2 + heading.size() + 1;  // "\n\n" heading "\n"
  }
  void add(std::string item) {
    if (item.empty()) return;
    tier.costs.push_back(item.size() + sep.size());
    items.push_back(std::move(item));
  }
  std::string render() const {
    std::string out = heading;
    for (std::size_t i = 0; i < tier.taken; ++i) out += (i == 0 ? "\n" : std::string(sep)) + items[i];
    return out;
  }

  Tier tier;
  std::string heading;
  std::string_view sep;
  std::vector<std::string> items;
};

}  // namespace

std::string render_markdown_report(const Report& r, const MarkdownDialect& d, const MarkdownLimits& limits) {
  Writer w(d, limits);
  Severity worst = r.worst();

  // The fixed part: never left out.
  std::string head;
  if (limits.title_line) {
    std::string title =
        w.line(r.title.empty() ? "Runbook Responder report" : r.title, std::min(limits.title, limits.total / 8));
    head = d.title_prefix.empty() ? w.bold(title) : std::string(d.title_prefix) + title;
    head += "\n";
  }
  head += fmt::format("{} {} {}", severity_emoji(worst), w.bold(upper(severity_name(worst))),
                      w.line(r.verdict.empty() ? "(no verdict)" : r.verdict, std::min(limits.verdict, limits.total / 4)));
  std::string meta = w.line(r.status, 20) + " \xC2\xB7 " + std::string(report_kind_name(r.kind));  // middle dot
  if (!r.rule.empty()) meta += " \xC2\xB7 rule " + w.span(r.rule, 100);
  if (!r.cluster.empty()) meta += " \xC2\xB7 cluster " + w.span(r.cluster, 100);
  meta += fmt::format(" \xC2\xB7 {} alert{} \xC2\xB7 triage {}", r.alerts.size(), r.alerts.size() == 1 ? "" : "s",
                      format_duration(r.triage_duration));
  if (!r.id.empty()) meta += " \xC2\xB7 report " + w.span(r.id, 80);
  head += "\n" + meta;
  if (r.truncated_alerts > 0)
    head += fmt::format("\n{} Alertmanager left out {} more alert(s) of this group (max_alerts).", kWarning,
                        r.truncated_alerts);
  bool has_page = !r.url.empty() && is_web_url(r.url);
  if (has_page) head += "\n" + std::string(kPage) + " " + w.bold(w.link("Full report", r.url));
  std::string links;
  std::size_t links_shown = 0, links_left = 0;
  const std::size_t links_room = limits.total / 6;
  for (const Link& l : r.links) {
    if (!is_web_url(l.url) || (has_page && l.url == r.url)) continue;
    std::string item = w.link(l.title, l.url);
    if (links_shown == limits.links || links.size() + item.size() + 40 > links_room) {
      ++links_left;
      continue;
    }
    links += (links.empty() ? "" : " \xC2\xB7 ") + item;
    ++links_shown;
  }
  if (links_left > 0) links += fmt::format(" \xC2\xB7 \xE2\x80\xA6 {} more", links_left);
  if (!links.empty()) head += "\n" + w.bold("Links:") + " " + links;

  // The rest, most important first.
  std::vector<const Finding*> sorted;
  for (const Finding& f : r.findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity < b->severity; });
  Section findings("finding", "findings", 3, w.bold("Findings"), "\n\n");
  for (const Finding* f : sorted) findings.add(w.finding(*f));
  Section suggestions("suggestion", "suggestions", 3, w.bold("Suggested commands") + " (not run by the responder)",
                      "\n");
  for (const Suggestion& s : r.suggestions) suggestions.add(w.suggestion(s));
  Section alerts("alert", "alerts", 0, w.bold("Alerts"), "\n");
  for (const ReportAlert& a : r.alerts) alerts.add(w.alert(a));
  Section steps("step", "steps", 0, w.bold("Steps"), "\n");
  for (const StepResult& s : r.steps) steps.add(w.step(s));
  Section outputs("step output", "step outputs", 0, w.bold("Step outputs"), "\n");
  for (const StepResult& s : r.steps) outputs.add(w.output(s));
  std::vector<Section*> sections = {&findings, &suggestions, &alerts, &steps, &outputs};
  std::vector<Tier*> tiers;
  std::vector<const Tier*> const_tiers;
  for (Section* s : sections) {
    tiers.push_back(&s->tier);
    const_tiers.push_back(&s->tier);
  }

  // The note's room: its longest form, with every item of every tier left out.
  std::string page_link = has_page ? "; full report: " + w.link("open", r.url) : std::string();
  std::size_t all_counts = 0;
  for (const Tier* t : const_tiers) all_counts += t->plural.size() + 24;
  std::size_t note_room = 2 + kNoteSlack + all_counts + page_link.size();
  std::size_t fixed = head.size() + note_room;
  fit_tiers(tiers, limits.total > fixed ? limits.total - fixed : 0);

  std::string out = head;
  for (Section* s : sections)
    if (s->tier.taken > 0) out += "\n\n" + s->render();
  std::string left = left_out_summary(const_tiers);
  if (!left.empty()) out += "\n\n\xE2\x80\xA6 " + left + " left out of this message" + page_link + ".";
  if (out.size() > limits.total) out = truncate_utf8(out, limits.total);  // only with absurd limits
  return out;
}

}  // namespace rr
