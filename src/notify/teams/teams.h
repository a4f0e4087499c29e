#pragma once
// The Microsoft Teams target: a Workflows webhook (the "When a Teams
// webhook request is received" trigger of a Power Automate flow that posts
// the card to a channel or chat; its URL, with its sig=..., is a
// credential). Teams answers 202 and posts the card a moment later, so a
// card Teams cannot show fails there and not here: render_teams() keeps to
// what Teams documents.
//
// Not supported: the retired Office 365 connectors (outlook.office.com /
// *.webhook.office.com URLs taking "MessageCard" JSON). Create a Workflows
// webhook for the channel instead.
//
// The body:
//   {"type": "message", "attachments": [{"contentType":
//    "application/vnd.microsoft.card.adaptive", "contentUrl": null,
//    "content": <AdaptiveCard 1.2>}]}
// The card: the title and the verdict (a large TextBlock in the worst
// severity's colour), a status line, the truncated-alerts note, findings
// (worst first, with evidence), suggested commands in monospace, alerts,
// steps and step outputs, a note of what was left out, and the links as
// Action.OpenUrl buttons (http(s) only, the full report page first). The
// whole payload stays under Teams' message limit of about 28 KB; the least
// important content goes first, as notify/markdown_report.h decides.
//
// Alert text: TextBlocks render Markdown, so in the title and the verdict
// '\', '<', '>' and a ']' before '(' are backslash-escaped (no link, no
// HTML, no <at>) and mentions are defused; every other text is a TextRun
// of a RichTextBlock, which Teams shows literally. No `msteams.entities`,
// so no mention can notify anyone.

#include <cstddef>

#include <nlohmann/json.hpp>

#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// The payload's budget in bytes: Teams refuses messages above about 28 KB.
inline constexpr std::size_t kTeamsPayloadBytes = 26000;

// The webhook body, its JSON within `max_bytes`.
nlohmann::json render_teams(const Report& report, std::size_t max_bytes = kTeamsPayloadBytes);

// `type: teams`, option `url`. Teams throttles webhooks above four
// requests a second: 1/s with a burst of 4.
extern const TargetType kTeamsTarget;

}  // namespace rr
