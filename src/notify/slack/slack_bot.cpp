// The Slack target with a bot token (Web API): one message per incident.
//
// The first report of an alert group is posted (a "diagnosing" notice when
// the triage starts, then the report edits it in place with chat.update);
// later reports of the group reply in the message's thread; when the whole
// group resolves, the message is marked resolved and the resolution replies
// in its thread. What the target keeps per group (channel, ts, whether the
// report has replaced the notice, and the message as posted) comes back in
// Message::thread, stored by the delivery stage, so a restart continues the
// same thread.

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"
#include "notify/http_target.h"
#include "notify/slack/slack.h"

namespace rr {

namespace {

using nlohmann::json;

// The Web API's own errors that a retry can cure; every other is final.
bool retryable_error(const std::string& code) {
  return code == "ratelimited" || code == "internal_error" || code == "fatal_error" ||
         code == "service_unavailable" || code == "request_timeout";
}

// `doc[key]` when it is a string, else `fallback`: Slack's answers and our
// stored threads are read without ever throwing on a wrong type.
std::string text_field(const json& doc, const char* key, const std::string& fallback) {
  return doc.is_object() && doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : fallback;
}

struct Thread {
  std::string channel, ts;
  bool reported = false;  // the report has replaced the "diagnosing" notice
  json parent;            // the message as last posted or updated: {text, blocks}
};

Thread read_thread(const std::string& text) {
  Thread t;
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return t;
  t.channel = text_field(doc, "channel", "");
  t.ts = text_field(doc, "ts", "");
  t.reported = doc.contains("reported") && doc["reported"].is_boolean() && doc["reported"].get<bool>();
  if (doc.contains("parent") && doc["parent"].is_object()) t.parent = doc["parent"];
  if (t.channel.empty() || t.ts.empty()) return Thread{};
  return t;
}

std::string write_thread(const Thread& t) {
  return json{{"channel", t.channel}, {"ts", t.ts}, {"reported", t.reported}, {"parent", t.parent}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

class SlackBotNotifier final : public Notifier {
 public:
  SlackBotNotifier(HttpTarget api, std::string token, std::string channel)
      : api_(std::move(api)), token_(std::move(token)), channel_(std::move(channel)) {}

  // Progress notices too: this target edits its message.
  bool wants(const Report&) const override { return true; }

  Delivery send(const Message& m, Deadline deadline) override {
    const Report& r = m.report;
    Thread t = read_thread(m.thread);
    json message = render_slack(r);
    Delivery d;
    switch (r.kind) {
      case Report::Kind::Started:
        if (!t.ts.empty()) return done(t);  // an open incident: its next report says more
        return post_parent(message, false, deadline);
      case Report::Kind::Triage:
      case Report::Kind::Unmatched:
        if (t.ts.empty()) return post_parent(message, true, deadline);
        if (!t.reported) {
          d = call("chat.update", with(message, {{"channel", t.channel}, {"ts", t.ts}}), deadline);
          if (gone(d)) return post_parent(message, true, deadline);
          if (!d.ok) return d;
          t.reported = true;
          t.parent = message;
          return done(t);
        }
        d = call("chat.postMessage", with(message, {{"channel", t.channel}, {"thread_ts", t.ts}}), deadline);
        return d.ok ? done(t) : d;
      case Report::Kind::Resolution: {
        const bool whole_group = r.status == "resolved";
        if (t.ts.empty()) {
          d = call("chat.postMessage", with(message, {{"channel", channel_}}), deadline);
          if (d.ok && whole_group) d.thread = "";
          return d;
        }
        // The edit first: it can be repeated safely if the reply then fails.
        if (whole_group && t.parent.is_object()) {
          d = call("chat.update", with(resolved_parent(t.parent, r), {{"channel", t.channel}, {"ts", t.ts}}), deadline);
          if (!d.ok && !gone(d)) return d;
        }
        d = call("chat.postMessage", with(message, {{"channel", t.channel}, {"thread_ts", t.ts}}), deadline);
        if (!d.ok) return d;
        if (whole_group) {
          d.thread = "";  // the incident is over: its next firing starts a new message
          return d;
        }
        return done(t);
      }
    }
    return d;
  }

 private:
  static json with(json message, const json& fields) {
    for (const auto& [k, v] : fields.items()) message[k] = v;
    return message;
  }

  static Delivery done(const Thread& t) {
    Delivery d;
    d.ok = true;
    d.thread = write_thread(t);
    return d;
  }

  // The message was deleted or the channel is gone: start a new one.
  static bool gone(const Delivery& d) {
    return !d.ok && (d.error.find("message_not_found") != std::string::npos ||
                     d.error.find("cant_update_message") != std::string::npos);
  }

  Delivery post_parent(const json& message, bool reported, Deadline deadline) {
    json answer;
    Delivery d = call("chat.postMessage", with(message, {{"channel", channel_}}), deadline, &answer);
    if (!d.ok) return d;
    Thread t{text_field(answer, "channel", channel_), text_field(answer, "ts", ""), reported, message};
    if (t.ts.empty()) {
      d.thread = "";  // nothing to edit later; the next report posts anew
      return d;
    }
    return done(t);
  }

  // The parent as it was, marked resolved at the top.
  static json resolved_parent(json parent, const Report& resolution) {
    json blocks = parent.is_object() && parent.contains("blocks") ? parent["blocks"] : json::array();
    if (!blocks.is_array()) blocks = json::array();
    std::string header = truncate_utf8(":white_check_mark: " + resolution.title, 150);
    json resolved = {{"type", "section"},
                     {"text",
                      {{"type", "mrkdwn"},
                       {"text", "*Resolved* — " + escape_mrkdwn(truncate_utf8(resolution.verdict, 500))}}}};
    if (!blocks.empty() && text_field(blocks[0], "type", "") == "header") {
      blocks[0]["text"]["text"] = header;
      blocks.insert(blocks.begin() + 1, resolved);
    } else {
      blocks.insert(blocks.begin(), resolved);
    }
    while (blocks.size() > 50) blocks.erase(blocks.end() - 2);  // keep the last note
    parent["blocks"] = std::move(blocks);
    parent["text"] = escape_mrkdwn(truncate_utf8(resolution.title + " — " + resolution.verdict, 2000));
    return parent;
  }

  // One Web API call. Slack answers most errors as 200 {"ok": false, "error": "..."}.
  Delivery call(const std::string& method, const json& body, Deadline deadline, json* answer = nullptr) {
    HttpAnswer a = api_.call(
        HttpCall{.suffix = "/" + method,
                 .headers = {{"Authorization", "Bearer " + token_}},
                 .body = body.dump(-1, ' ', false, json::error_handler_t::replace),
                 .content_type = "application/json; charset=utf-8"},
        deadline);
    if (!a.delivery.ok) return a.delivery;
    json doc = json::parse(a.body, nullptr, false);
    // Whatever answers (a proxy, a wrong api_url) may send any types: only a
    // JSON true is success, and nothing here may throw.
    if (doc.is_object() && doc.contains("ok") && doc["ok"].is_boolean() && doc["ok"].get<bool>()) {
      if (answer) *answer = std::move(doc);
      return a.delivery;
    }
    Delivery d;
    d.http_status = a.delivery.http_status;
    std::string code = doc.is_object() && doc.contains("error") && doc["error"].is_string() ? doc["error"].get<std::string>() : "";
    // Slack's codes are snake_case words; anything else is not repeated (it could echo a credential).
    bool word = !code.empty() && code.size() <= 64 &&
                std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    d.retryable = retryable_error(code);
    d.error = fmt::format("{}: {} answered \"{}\"", api_.origin(), method, word ? code : std::string("not ok"));
    return d;
  }

  HttpTarget api_;
  std::string token_;    // secret
  std::string channel_;  // where new incidents go
};

}  // namespace

Result<std::unique_ptr<Notifier>> make_slack_bot_notifier(const NotifyTarget& target) {
  const std::string& channel = target.option("channel");
  if (channel.empty()) return Error{"channel", "a bot token needs the channel to post to"};
  if (target.option("token").rfind("xoxb-", 0) != 0) return Error{"token", "must be a bot token (xoxb-...)"};
  std::string api_url = target.option("api_url").empty() ? "https://slack.com/api" : target.option("api_url");
  auto api = HttpTarget::make(api_url);
  if (!api) return Error{"api_url", api.error().message};
  return std::unique_ptr<Notifier>(std::make_unique<SlackBotNotifier>(std::move(*api), target.option("token"), channel));
}

}  // namespace rr
