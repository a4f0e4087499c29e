#pragma once
// The Slack target: an incoming webhook (https://hooks.slack.com/services/...)
// that receives a Block Kit message. The URL is a credential.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "notify/notifier.h"
#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// Slack's documented limits, with margin where Slack counts
// characters and we count bytes (a byte count is never below the character count).
struct SlackLimits {
  std::size_t max_blocks = 50;
  std::size_t max_block_text = 12000;  // all block text; ~13,000 reported as Slack's cap
  std::size_t header = 150;
  std::size_t section = 3000;
  std::size_t top_text = 2000;      // the notification text phones show
  std::size_t max_buttons = 10;     // an actions block takes 25
  std::size_t button_text = 75;
  std::size_t button_url = 3000;
  std::size_t finding = 1400;       // one finding's section
  std::size_t suggestion = 1200;    // one suggestion's section
  std::size_t list_line = 300;      // one alert or step line
  std::size_t step_output = 1200;   // one step's output block
  std::size_t step_output_lines = 15;
};

// Escapes & < > for mrkdwn, so no text from an alert or a server can form a
// link, a mention (<!channel>) or a broken entity.
std::string escape_mrkdwn(std::string_view text);

// The webhook body: top-level `text` (title and verdict) and `blocks`:
// header, verdict, context, findings, suggestions (commands in code blocks),
// alerts, steps, step outputs, link buttons and notes. When the limits do
// not allow everything, the least important content goes first (step
// outputs, then step lines, alerts, suggestions, findings; never the
// verdict) and a note says what was left out.
nlohmann::json render_slack(const Report& report, const SlackLimits& limits = {});

// `type: slack`, either
//   url                 an incoming webhook (a secret): one message per
//                       report; succeeds only on 200 with the body "ok"; or
//   token, channel      a bot token (xoxb-..., chat:write) and the channel
//                       for new incidents: one message per alert group,
//                       edited from "diagnosing" to the report to resolved,
//                       later reports in its thread (slack_bot.cpp);
//   api_url             the Web API's base (default https://slack.com/api).
extern const TargetType kSlackTarget;

// The bot form of the target; `target` has token and channel.
Result<std::unique_ptr<Notifier>> make_slack_bot_notifier(const NotifyTarget& target);

}  // namespace rr
