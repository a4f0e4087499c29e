#pragma once
// The Mattermost target: an incoming webhook (https://HOST/hooks/KEY; the
// URL is a credential). The body is {"text": Markdown} with the optional
// `channel`, `username` and `icon_url` overrides; Mattermost answers 200
// with the body "ok". The text is the shared Markdown report
// (notify/markdown_report.h) kept under Mattermost's limit of about 16,000
// characters, trimmed with a note when the report is longer. Alert text is
// escaped (CommonMark backslashes, mentions defused), so it forms no
// @channel/@here/@all or @user mention, no link and no markup.

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

struct MattermostOptions {
  std::string channel;   // overrides the webhook's channel, when the webhook allows it
  std::string username;  // overrides the posting name, when the server allows it
  std::string icon_url;  // overrides the profile picture (an http(s) URL)
};

// Text budget in bytes: under the 16,000 characters to keep to, with margin.
inline constexpr std::size_t kMattermostTextBytes = 15000;

// The webhook body: {"text", and the options that are set}.
nlohmann::json render_mattermost(const Report& report, const MattermostOptions& options = {},
                                 std::size_t max_text = kMattermostTextBytes);

// `type: mattermost`: option `url` (required, a secret: prefer url_file),
// `channel`, `username`, `icon_url` (optional). One message a second: no
// figure is documented for webhooks (server-wide rate limiting is off by
// default, 10/s with a burst of 100 when an administrator enables it).
extern const TargetType kMattermostTarget;

}  // namespace rr
