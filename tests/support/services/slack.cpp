// Slack: incoming webhooks (/slack/...) and the Web API with a bot token
// (/slack-api/chat.postMessage, /slack-api/chat.update). Slack's documented
// limits: 50 blocks, header 150, section 3000, fields 10 x 2000, about 13,000
// characters of block text, a top-level `text` always, & < > escaped.

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

std::size_t chars(const std::string& s) { return utf8_chars(s); }

// mrkdwn must carry & < > only as the entities &amp; &lt; &gt;.
bool escaped(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<' || c == '>') return false;
    if (c == '&') {
      auto rest = std::string_view(text).substr(i + 1);
      if (!rest.starts_with("amp;") && !rest.starts_with("lt;") && !rest.starts_with("gt;")) return false;
    }
  }
  return true;
}

class SlackCheck {
 public:
  std::vector<std::string> problems;
  std::size_t total = 0;

  void fail(const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); }

  // A text object: {"type": "plain_text"|"mrkdwn", "text": "..."}.
  void text(const json& t, const std::string& where, std::size_t max, bool plain_only = false) {
    if (!t.is_object() || !t.contains("type") || !t.contains("text") || !t["text"].is_string()) {
      fail(where, "not a text object");
      return;
    }
    std::string type = t["type"].is_string() ? t["type"].get<std::string>() : "";
    if (type != "plain_text" && (plain_only || type != "mrkdwn")) fail(where, "bad text type \"" + type + "\"");
    std::string s = t["text"].get<std::string>();
    total += chars(s);
    if (s.empty()) fail(where, "empty text");
    if (chars(s) > max) fail(where, "text of " + std::to_string(chars(s)) + " characters > " + std::to_string(max));
    if (type == "mrkdwn" && !escaped(s)) fail(where, "mrkdwn with unescaped & < >");
  }

  void block(const json& b, const std::string& where) {
    if (!b.is_object() || !b.contains("type") || !b["type"].is_string()) {
      fail(where, "block without a type");
      return;
    }
    std::string type = b["type"].get<std::string>();
    if (type == "header") {
      text(b.value("text", json()), where + ".text", 150, true);
    } else if (type == "section") {
      if (!b.contains("text") && !b.contains("fields")) fail(where, "section without text or fields");
      if (b.contains("text")) text(b["text"], where + ".text", 3000);
      if (b.contains("fields")) {
        const json& f = b["fields"];
        if (!f.is_array() || f.size() > 10) fail(where, "more than 10 fields");
        if (f.is_array())
          for (std::size_t i = 0; i < f.size(); ++i) text(f[i], where + ".fields[" + std::to_string(i) + "]", 2000);
      }
    } else if (type == "context") {
      const json& e = b.value("elements", json());
      if (!e.is_array() || e.empty() || e.size() > 10) fail(where, "context needs 1 to 10 elements");
      if (e.is_array())
        for (std::size_t i = 0; i < e.size(); ++i) text(e[i], where + ".elements[" + std::to_string(i) + "]", 3000);
    } else if (type == "actions") {
      const json& e = b.value("elements", json());
      if (!e.is_array() || e.empty() || e.size() > 25) fail(where, "actions need 1 to 25 elements");
      if (!e.is_array()) return;
      for (std::size_t i = 0; i < e.size(); ++i) {
        std::string at = where + ".elements[" + std::to_string(i) + "]";
        if (!e[i].is_object() || e[i].value("type", "") != "button") {
          fail(at, "not a button");
          continue;
        }
        text(e[i].value("text", json()), at + ".text", 75, true);
        std::string url = e[i].value("url", "");
        if (url.size() > 3000) fail(at, "url longer than 3000");
        if (!url.starts_with("http://") && !url.starts_with("https://")) fail(at, "url is not http(s)");
      }
    } else if (type != "divider") {
      fail(where, "unexpected block type \"" + type + "\"");
    }
  }
};

}  // namespace

std::vector<std::string> slack_violations(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {"body: not a JSON object"};
  SlackCheck check;
  if (!doc.contains("text") || !doc["text"].is_string() || doc["text"].get<std::string>().empty())
    check.fail("text", "missing: mobile notifications would be empty");
  else if (chars(doc["text"].get<std::string>()) > 40000)
    check.fail("text", "longer than 40,000 characters");
  if (doc.contains("blocks")) {
    const json& blocks = doc["blocks"];
    if (!blocks.is_array()) {
      check.fail("blocks", "not an array");
    } else {
      if (blocks.size() > 50) check.fail("blocks", std::to_string(blocks.size()) + " blocks > 50");
      for (std::size_t i = 0; i < blocks.size(); ++i) check.block(blocks[i], "blocks[" + std::to_string(i) + "]");
      if (check.total > 13000) check.fail("blocks", std::to_string(check.total) + " characters of text > 13,000");
    }
  }
  return check.problems;
}

namespace {

std::vector<std::string> check_webhook(const SinkRequest& r) {
  if (r.method != "POST") return {"method " + r.method + ": incoming webhooks take POST"};
  return slack_violations(r.body);
}

// chat.postMessage and chat.update: a bot token, a channel, and (for
// update) the ts of the message; the same message rules as a webhook.
std::vector<std::string> check_api(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": the Web API takes POST");
  if (!r.header("Authorization").starts_with("Bearer xoxb-")) problems.push_back("Authorization: no bot token");
  if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object()) return {"body: not a JSON object"};
  if (!doc.contains("channel") || !doc["channel"].is_string() || doc["channel"].get<std::string>().empty())
    problems.push_back("channel: missing");
  bool update = r.path.ends_with("/chat.update");
  if (!update && !r.path.ends_with("/chat.postMessage")) problems.push_back("unknown method " + r.path);
  if (update && (!doc.contains("ts") || !doc["ts"].is_string())) problems.push_back("ts: chat.update needs the message's ts");
  if (doc.contains("thread_ts") && !doc["thread_ts"].is_string()) problems.push_back("thread_ts: not a string");
  for (auto& p : slack_violations(r.body)) problems.push_back(std::move(p));
  return problems;
}

// As Slack: {"ok":true,"channel":"C...","ts":"..."}; an update keeps its ts.
SinkResponse answer_api(const SinkRequest& r, std::size_t seq) {
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  std::string ts = r.path.ends_with("/chat.update") ? doc.value("ts", "") : "1790000000." + std::to_string(100000 + seq);
  nlohmann::json answer = {{"ok", true}, {"channel", "C0RESPONDER"}, {"ts", ts}};
  SinkResponse res(200, answer.dump());
  res.content_type = "application/json";
  return res;
}

}  // namespace

const ServiceModel kSlackWebhookService{"/slack", "invalid_blocks", 400, check_webhook, nullptr};
// The Web API reports errors as 200 {"ok":false}; this sink uses 400 so a refusal is loud.
const ServiceModel kSlackApiService{"/slack-api", R"({"ok":false,"error":"invalid_blocks"})", 400, check_api, answer_api};

}  // namespace rr::test
