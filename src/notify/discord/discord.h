#pragma once
// The Discord target: a channel webhook (https://discord.com/api/webhooks/ID/TOKEN;
// the URL is a credential, and may carry ?thread_id=... to post in a thread).
//
// Each report is POSTed to URL?wait=true, so Discord answers 200 with the
// message it made; its `id` is returned as Delivery::thread and the
// delivery stage keeps it per alert group. The message: `content` (title
// and verdict, what notifications show) and one embed whose title links
// to the full report page (report.url), whose description is the shared
// Markdown report (notify/markdown_report.h) and whose colour is the worst
// severity. Always `"allowed_mentions": {"parse": []}`, and alert text is
// escaped (CommonMark backslashes, mentions defused), so nothing pings and
// no text makes a link.
//
// When the group is resolved (report.status "resolved") and a message id
// is kept, that message is edited first (PATCH URL/messages/ID: its
// content says RESOLVED, its embed stays), then the resolution is posted
// as a new message and the id is forgotten. An edit that fails finally
// (404: the message was deleted) does not stop the new message; one worth
// retrying (429, 5xx) is retried with it.
//
// Limits (Discord's, in characters; counted here in bytes, which are never
// fewer): content 2000, 10 embeds, title 256, description 4096, 25 fields
// of name 256 / value 1024, footer 2048, 6000 characters over all embeds.
// A 429 says how long to wait in Retry-After and in the JSON body's
// `retry_after` (seconds, fractional); both are read.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "notify/notifier.h"
#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

struct DiscordLimits {
  std::size_t content = 2000;
  std::size_t title = 256;
  std::size_t description = 4000;  // of 4096, with margin
  std::size_t footer = 300;        // of 2048
};

// The message: content, one embed, allowed_mentions.
nlohmann::json render_discord(const Report& report, const DiscordLimits& limits = {});

// The edit that marks the group's earlier message resolved: new content
// only (the embed stays as it was), allowed_mentions.
nlohmann::json render_discord_resolved_edit(const Report& resolution, const DiscordLimits& limits = {});

// `retry_after` (seconds) of a 429's JSON body, capped at an hour; nullopt
// when the body has none.
std::optional<Millis> discord_retry_after(std::string_view body);

// `type: discord`, option `url`. Discord publishes no fixed webhook rate (it
// sends its buckets in headers); about 30 messages a minute per channel is
// what webhooks get, so 0.5/s with a burst of 5.
extern const TargetType kDiscordTarget;

}  // namespace rr
