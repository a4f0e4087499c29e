#pragma once
// What the size-limited chat targets share: a report as Markdown-like text
// (Mattermost, Discord, Google Chat), the escaping that keeps alert text
// inert, and the budget that decides what to leave out when a message would
// be too long (Teams' cards use it too).
//
// Everything that comes from an alert (labels, annotations), a rule's
// values or a server's reply is untrusted: it reaches a message only
// through a dialect's `escape` or `code_*` functions, so it can form no
// mention (@channel, @here, @all, @everyone, <@user>, <users/all>), no link
// (masked [text](url), <url|text>, HTML) and no markup that breaks out of
// its place.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/report.h"

namespace rr {

// ---- Leaving out the least important content first ----

// One kind of report content. Renderers list tiers most important first:
// findings, suggestions, alerts, steps, step outputs.
struct Tier {
  Tier(std::string singular_, std::string plural_, std::size_t guaranteed_ = 0)
      : singular(std::move(singular_)), plural(std::move(plural_)), guaranteed(guaranteed_) {}

  std::string singular, plural;    // for "3 more findings"
  std::size_t guaranteed = 0;      // taken before any tier gets more than its share
  std::size_t heading = 0;         // cost paid once, with the first item taken
  std::vector<std::size_t> costs;  // each item's cost, in the renderer's unit, in order
  std::size_t taken = 0;           // the first `taken` items are shown

  std::size_t left_out() const { return costs.size() - taken; }
};

// Takes items within `budget`: first one item of each tier with a
// guaranteed share, then each tier's share (in order of importance), then
// more of each tier in order of importance,
// stopping at the first tier that does not fit entirely, so less important
// content never displaces more important content beyond those shares.
// Within a tier items are taken in order; the first that does not fit ends
// the tier. Returns the budget left.
std::size_t fit_tiers(const std::vector<Tier*>& tiers, std::size_t budget);

// "195 more findings, 1 more step output" for the tiers that left some
// out; "" when none did.
std::string left_out_summary(const std::vector<const Tier*>& tiers);

// ---- Text helpers ----

// Sanitised (valid UTF-8, no control characters) and on one line.
std::string single_line(std::string_view raw);

// Puts U+200B (zero width space) after every '@' followed by an ASCII
// letter, digit or '_', so "@channel", "@here", "@all", "@everyone" and
// "@someone" read the same but mention no one: Mattermost and Discord end
// a mention's word there, and no service matches the words after it.
std::string defuse_mentions(std::string_view text);

// defuse_mentions() for the words that notify a whole channel only:
// "@channel", "@here", "@all", "@everyone". For code, where "user@host"
// must stay as it is and no service reads a user mention.
std::string defuse_broadcasts(std::string_view text);

// Text for inside code: sanitised, defuse_broadcasts(), and "```" broken
// up as "` ` `" so it cannot close a block; in a span (`span`), on one line
// with backticks made quotes. Services show code literally.
std::string code_text(std::string_view raw, bool span);

// `fn(raw)` cut to at most `max` bytes. The cut is made in the raw text, so
// it never splits an escape sequence, an entity or a UTF-8 character.
std::string fit_text(std::string_view raw, std::size_t max, std::string (*fn)(std::string_view));

// CommonMark escaping as Mattermost and Discord read it: sanitised,
// defuse_mentions(), and a backslash before every character that could
// start markup (\ ` * _ ~ | [ ] < > # &, and - + = or "1." at the start of
// a line). Both show it as the original text.
std::string escape_markdown(std::string_view raw);

// `url` with the characters that could end or break out of a link (( ) < >
// | \ " ` and whitespace) percent-encoded. For URLs that passed is_web_url().
std::string link_safe_url(std::string_view url);

// The text for a link to another address: the title on one line, or
// "Link" when it is empty or itself looks like an address (so no text can
// show one place and lead to another).
std::string link_title(std::string_view title);

// Severity and step-status markers (Unicode emoji: every service shows them).
std::string_view severity_emoji(Severity s);
std::string_view step_emoji(StepStatus s);
std::string upper(std::string_view s);

// ---- A report as Markdown-like text ----

// How one service writes the few constructs a report uses. Every function
// takes untrusted raw text, except `link`, whose text is already escaped
// and whose URL passed is_web_url().
struct MarkdownDialect {
  std::string (*escape)(std::string_view raw);      // inline text that forms no markup
  std::string (*code_span)(std::string_view raw);   // `code`, markers included
  std::string (*code_block)(std::string_view raw);  // a fenced block, fences included
  std::string (*link)(std::string_view escaped_text, std::string_view url);
  std::string_view bold;          // "**" (Markdown) or "*" (Google Chat)
  std::string_view title_prefix;  // before the title line, e.g. "#### "; "" makes it bold
};

// Markdown as Mattermost and Discord read it: escape_markdown(), `code`,
// ``` blocks on their own lines, [text](url) links, **bold**, "#### " title.
std::string markdown_code_span(std::string_view raw);
std::string markdown_code_block(std::string_view raw);
std::string markdown_link(std::string_view escaped_text, std::string_view url);
extern const MarkdownDialect kCommonMark;

// Sizes are bytes of rendered text (a character is at least one byte, so
// byte limits keep character limits too). The title, verdict, links, one
// finding and one suggestion get at most an eighth, a quarter, a sixth, a
// quarter and a fifth of `total`, so the rest has room.
struct MarkdownLimits {
  std::size_t total = 15000;  // the whole text
  std::size_t title = 250;
  std::size_t verdict = 1000;
  std::size_t finding = 1200;  // one finding with its detail and evidence
  std::size_t evidence = 5;    // evidence lines per finding
  std::size_t suggestion = 1000;
  std::size_t list_line = 300;  // one alert or step line
  std::size_t step_output = 1200;
  std::size_t step_output_lines = 15;
  std::size_t links = 8;    // at most this many links besides the full report's
  bool title_line = true;   // false: the caller shows the title itself (Discord's embed title)
};

// The report: title, verdict with the worst severity, a status line, the
// truncated-alerts note, a link to the full report page (when report.url
// is a web URL), the other links, then findings (worst first, with
// evidence), suggested commands in code blocks, alerts, steps and step
// outputs. When limits.total does not allow everything, step outputs go
// first, then step lines, alerts, suggestions and findings (never the
// verdict), and a last line says what was left out. Never longer than
// limits.total.
std::string render_markdown_report(const Report& report, const MarkdownDialect& dialect,
                                   const MarkdownLimits& limits);

}  // namespace rr
