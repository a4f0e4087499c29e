// render_mattermost(): the webhook body, the shared Markdown report within Mattermost's limit.
#include "notify/markdown_report.h"
#include "notify/mattermost/mattermost.h"

namespace rr {

nlohmann::json render_mattermost(const Report& report, const MattermostOptions& options, std::size_t max_text) {
  MarkdownLimits limits;
  limits.total = max_text;
  nlohmann::json body = {{"text", render_markdown_report(report, kCommonMark, limits)}};
  if (!options.channel.empty()) body["channel"] = options.channel;
  if (!options.username.empty()) body["username"] = options.username;
  if (!options.icon_url.empty()) body["icon_url"] = options.icon_url;
  return body;
}

}  // namespace rr
