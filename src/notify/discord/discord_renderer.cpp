// render_discord(): a report as a Discord webhook message.
#include <fmt/format.h>

#include "common/text.h"
#include "common/time.h"
#include "notify/discord/discord.h"
#include "notify/markdown_report.h"
#include "report/links.h"

namespace rr {

namespace {

using nlohmann::json;

int severity_color(Severity s) {
  switch (s) {
    case Severity::Critical:
      return 0xD32F2F;
    case Severity::Warning:
      return 0xF9A825;
    case Severity::Info:
      return 0x1E88E5;
    case Severity::Ok:
      return 0x43A047;
  }
  return 0x9E9E9E;
}

// Plain text (footers render no Markdown): one line, mentions defused.
std::string plain(std::string_view raw, std::size_t max) {
  return truncate_utf8(defuse_mentions(single_line(raw)), max);
}

std::string title_of(const Report& r) { return r.title.empty() ? "Runbook Responder report" : r.title; }

}  // namespace

json render_discord(const Report& r, const DiscordLimits& limits) {
  Severity worst = r.worst();
  std::string title = fit_text(single_line(title_of(r)), limits.title, escape_markdown);

  // What notifications show: severity, title, verdict.
  std::string content = fmt::format("{} **{}** {}", severity_emoji(worst), upper(severity_name(worst)),
                                    fit_text(single_line(title_of(r)), 400, escape_markdown));
  std::string verdict = r.verdict.empty() ? "(no verdict)" : r.verdict;
  std::size_t room = limits.content > content.size() + 8 ? limits.content - content.size() - 8 : 0;
  content += " \xE2\x80\x94 " + fit_text(single_line(verdict), std::min<std::size_t>(room, 1200), escape_markdown);

  MarkdownLimits md;
  md.total = limits.description;
  md.title_line = false;  // the embed's title
  md.verdict = 800;
  md.finding = 700;
  md.evidence = 3;
  md.suggestion = 600;
  md.list_line = 200;
  md.step_output = 500;
  md.step_output_lines = 8;
  md.links = 5;
  json embed = {{"title", title},
                {"description", render_markdown_report(r, kCommonMark, md)},
                {"color", severity_color(worst)}};
  if (!r.url.empty() && is_web_url(r.url)) embed["url"] = r.url;
  std::string footer = "Runbook Responder";
  if (!r.id.empty()) footer += " \xC2\xB7 report " + r.id;
  if (!r.rule.empty()) footer += " \xC2\xB7 rule " + r.rule;
  embed["footer"] = {{"text", plain(footer, limits.footer)}};
  if (r.created.time_since_epoch().count() > 0) embed["timestamp"] = format_rfc3339(r.created);

  return {{"content", std::move(content)},
          {"embeds", json::array({std::move(embed)})},
          {"allowed_mentions", {{"parse", json::array()}}}};
}

json render_discord_resolved_edit(const Report& r, const DiscordLimits& limits) {
  std::string content = "\xE2\x9C\x85 **RESOLVED** " + fit_text(single_line(title_of(r)), 400, escape_markdown);
  if (r.created.time_since_epoch().count() > 0) content += " \xC2\xB7 " + format_rfc3339(r.created);
  content += " \xE2\x80\x94 the resolution follows below.";
  return {{"content", truncate_utf8(content, limits.content)}, {"allowed_mentions", {{"parse", json::array()}}}};
}

}  // namespace rr
