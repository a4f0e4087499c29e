#pragma once
// The Google Chat target: a space's incoming webhook
// (https://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN;
// the whole URL is a credential).
//
// One alert group is one thread: every report is POSTed to
// URL&threadKey=<googlechat_thread_key(group_key)>&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD,
// with the same key in the body's thread.threadKey, so the first report of
// a group starts a thread and the later ones (more alerts, resolution)
// reply in it. The body is {"text": ...} in Google Chat's own formatting
// (*bold*, _italic_, `code`, ``` blocks, <url|text> links): the shared
// report (notify/markdown_report.h) kept within 32,000 bytes (the whole
// body), trimmed with a note when longer. Google Chat has no escape
// character, so in alert text '<' becomes '‹' (U+2039) and mentions are
// defused: nothing from an alert can form <users/all>, <users/ID> or a
// <url|text> link. Google Chat answers 200 with the message it made.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "notify/markdown_report.h"
#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// The thread key of an alert group: "rr-" and 16 hex digits of the 64-bit
// FNV-1a hash of `group_key`. Stable across restarts and versions.
std::string googlechat_thread_key(std::string_view group_key);

// Google Chat's text formatting, with the escaping above.
extern const MarkdownDialect kGoogleChatText;

// The whole body's budget in bytes: under Google Chat's 32,000 with margin.
inline constexpr std::size_t kGoogleChatBodyBytes = 30000;

// {"text", "thread": {"threadKey"}}, its JSON within `max_body` bytes.
nlohmann::json render_googlechat(const Report& report, std::size_t max_body = kGoogleChatBodyBytes);

// `type: googlechat`, option `url`. Google Chat allows 60 writes a minute
// per space, shared by everything posting there: one a second.
extern const TargetType kGooglechatTarget;

}  // namespace rr
