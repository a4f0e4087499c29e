// Discord webhooks (/discord/api/webhooks/ID/TOKEN). From
// Discord's webhook documentation:
// - POST URL (execute): JSON with `content` and/or `embeds`; 204 with no
//   body, or 200 with the message (its `id`) when the query has wait=true.
// - PATCH URL/messages/ID (edit): 200 with the message. DELETE: 204.
// - Query: wait=true|false and thread_id=<snowflake> only.
// - content <= 2000 characters; <= 10 embeds; title 256, description 4096,
//   <= 25 fields of name 256 / value 1024, footer 2048, author 256, and
//   6000 characters over all embeds; colour 0..0xFFFFFF; http(s) URLs.
// - The responder always sends "allowed_mentions": {"parse": []}.
// Message text (content, embed title, description, fields) is read as
// Discord reads Markdown: outside code, an unescaped '<' (<@user>, <@&role>,
// <#channel>, <t:...>, custom emoji), @everyone or @here, a masked link to
// anything but http(s) or whose text looks like an address, and a code
// block never closed are refused.

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

std::size_t chars(const std::string& s) { return utf8_chars(s); }

void scan_markdown(const std::string& text, const std::string& where, std::vector<std::string>& problems) {
  auto fail = [&](const std::string& what) { problems.push_back(where + ": " + what); };
  bool in_block = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "```") == 0) {  // Discord opens and closes blocks anywhere
      in_block = !in_block;
      i += 2;
      continue;
    }
    if (in_block) continue;
    char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '`') {
      auto close = text.find('`', i + 1);
      if (close == std::string::npos) {
        fail("unmatched backtick");
        continue;
      }
      i = close;
      continue;
    }
    if (c == '<') fail("unescaped '<' (mention, channel, role, timestamp or emoji syntax)");
    if (c == '@' && (text.compare(i + 1, 8, "everyone") == 0 || text.compare(i + 1, 4, "here") == 0))
      fail("mention " + text.substr(i, text.compare(i + 1, 4, "here") == 0 ? 5 : 9));
    if (c == '[') {
      std::size_t j = i + 1;
      int depth = 1;
      for (; j < text.size() && depth > 0 && text[j] != '\n'; ++j) {
        if (text[j] == '\\') {
          ++j;
          continue;
        }
        if (text[j] == '[') ++depth;
        if (text[j] == ']') --depth;
      }
      if (depth != 0 || j >= text.size() || text[j] != '(') continue;
      std::string label = text.substr(i + 1, j - i - 2);
      auto close = text.find(')', j);
      std::string url = text.substr(j + 1, close == std::string::npos ? std::string::npos : close - j - 1);
      if (!url.starts_with("https://") && !url.starts_with("http://")) fail("masked link to a non-http(s) URL");
      if (label.find("://") != std::string::npos || label.find("www.") != std::string::npos)
        fail("masked link text that looks like an address");
    }
  }
  if (in_block) fail("a code block is never closed");
}

// Plain text fields (footer, author): no markup, but no mention words either.
void scan_plain(const std::string& text, const std::string& where, std::vector<std::string>& problems) {
  if (text.find("@everyone") != std::string::npos || text.find("@here") != std::string::npos)
    problems.push_back(where + ": mention");
}

bool http_url(const json& j) {
  if (!j.is_string()) return false;
  std::string s = j;
  return s.starts_with("https://") || s.starts_with("http://");
}

class DiscordCheck {
 public:
  std::vector<std::string> problems;
  std::size_t total = 0;  // characters over all embeds

  void fail(const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); }

  // A string field: present or not, within `max`, counted into the embed total.
  void text(const json& parent, const char* key, const std::string& where, std::size_t max, bool required,
            bool markdown, bool counted = true) {
    if (!parent.contains(key)) {
      if (required) fail(where, "missing");
      return;
    }
    const json& v = parent[key];
    if (!v.is_string()) {
      fail(where, "not a string");
      return;
    }
    std::string s = v;
    if (s.empty()) fail(where, "empty");
    if (chars(s) > max) fail(where, std::to_string(chars(s)) + " characters > " + std::to_string(max));
    if (counted) total += chars(s);
    if (markdown)
      scan_markdown(s, where, problems);
    else
      scan_plain(s, where, problems);
  }

  void embed(const json& e, const std::string& at) {
    if (!e.is_object()) {
      fail(at, "not an object");
      return;
    }
    if (e.contains("type") && e["type"] != "rich") fail(at + ".type", "webhook embeds are \"rich\"");
    text(e, "title", at + ".title", 256, false, true);
    text(e, "description", at + ".description", 4096, false, true);
    if (e.contains("url") && !http_url(e["url"])) fail(at + ".url", "not http(s)");
    if (e.contains("color") && (!e["color"].is_number_integer() || e["color"].get<long long>() < 0 ||
                                e["color"].get<long long>() > 0xFFFFFF))
      fail(at + ".color", "not an integer 0..0xFFFFFF");
    if (e.contains("timestamp")) {
      std::string ts = e["timestamp"].is_string() ? e["timestamp"].get<std::string>() : "";
      if (ts.size() < 20 || ts[4] != '-' || ts[10] != 'T') fail(at + ".timestamp", "not ISO 8601");
    }
    if (e.contains("footer")) text(e["footer"], "text", at + ".footer.text", 2048, true, false);
    if (e.contains("author")) text(e["author"], "name", at + ".author.name", 256, true, false);
    if (e.contains("fields")) {
      const json& f = e["fields"];
      if (!f.is_array() || f.size() > 25) fail(at + ".fields", "not an array of at most 25");
      if (f.is_array())
        for (std::size_t i = 0; i < f.size(); ++i) {
          std::string fat = at + ".fields[" + std::to_string(i) + "]";
          if (!f[i].is_object()) {
            fail(fat, "not an object");
            continue;
          }
          text(f[i], "name", fat + ".name", 256, true, true);
          text(f[i], "value", fat + ".value", 1024, true, true);
        }
    }
  }

  void message(const json& doc, bool edit) {
    static const std::set<std::string> keys = {
        "content",     "username", "avatar_url",   "tts",   "embeds",       "allowed_mentions", "components",
        "attachments", "flags",    "thread_name",  "poll",  "applied_tags", "payload_json"};
    for (const auto& [key, value] : doc.items())
      if (!keys.count(key)) fail(key, "unknown field");
    const json& am = doc.contains("allowed_mentions") ? doc["allowed_mentions"] : json();
    if (!am.is_object() || !am.contains("parse") || !am["parse"].is_array() || !am["parse"].empty())
      fail("allowed_mentions", "must be present with \"parse\": [] (alert text must ping no one)");
    for (const char* list : {"users", "roles"})
      if (am.is_object() && am.contains(list) && (!am[list].is_array() || !am[list].empty()))
        fail(std::string("allowed_mentions.") + list, "must be empty");
    if (doc.contains("content")) {
      if (!doc["content"].is_string()) {
        fail("content", "not a string");
      } else {
        std::string c = doc["content"];
        if (chars(c) > 2000) fail("content", std::to_string(chars(c)) + " characters > 2000");
        scan_markdown(c, "content", problems);
      }
    }
    bool has_content = doc.contains("content") && doc["content"].is_string() && !doc["content"].get<std::string>().empty();
    bool has_embeds = doc.contains("embeds") && doc["embeds"].is_array() && !doc["embeds"].empty();
    if (!edit && !has_content && !has_embeds) fail("body", "needs content or embeds");
    if (doc.contains("username") && (!doc["username"].is_string() || chars(doc["username"]) > 80))
      fail("username", "not a string of at most 80 characters");
    if (doc.contains("avatar_url") && !http_url(doc["avatar_url"])) fail("avatar_url", "not http(s)");
    if (doc.contains("embeds")) {
      const json& e = doc["embeds"];
      if (!e.is_array() || e.size() > 10) {
        fail("embeds", "not an array of at most 10");
        return;
      }
      for (std::size_t i = 0; i < e.size(); ++i) embed(e[i], "embeds[" + std::to_string(i) + "]");
      if (total > 6000) fail("embeds", std::to_string(total) + " characters over all embeds > 6000");
    }
  }
};

std::vector<std::string> message_violations(const std::string& body, bool edit) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  DiscordCheck check;
  check.message(json::parse(body), edit);
  return check.problems;
}

bool digits(const std::string& s) {
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "/discord/.../messages/ID" -> "ID", else "".
std::string edited_id(const std::string& path) {
  auto pos = path.rfind("/messages/");
  return pos == std::string::npos ? "" : path.substr(pos + 10);
}

}  // namespace

std::vector<std::string> discord_violations(const std::string& body) { return message_violations(body, false); }

namespace {

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  bool on_message = r.path.find("/messages/") != std::string::npos;
  for (const auto& [key, value] : r.query) {
    if (key == "wait" && value != "true" && value != "false") problems.push_back("query wait: not true or false");
    else if (key == "thread_id" && !digits(value)) problems.push_back("query thread_id: not a snowflake");
    else if (key != "wait" && key != "thread_id") problems.push_back("query " + key + ": not a webhook parameter");
  }
  if (on_message && !digits(edited_id(r.path))) problems.push_back("path: message id is not a snowflake");
  if (r.method == "POST") {
    if (on_message) problems.push_back("POST to a message: edits are PATCH");
  } else if (r.method == "PATCH" || r.method == "DELETE" || r.method == "GET") {
    if (!on_message) problems.push_back(r.method + " without /messages/ID");
    if (r.query.count("wait")) problems.push_back("wait= is for executing a webhook only");
  } else {
    problems.push_back("method " + r.method + ": not a webhook method");
  }
  if (r.method == "POST" || r.method == "PATCH") {
    if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
    for (auto& p : message_violations(r.body, r.method == "PATCH")) problems.push_back(std::move(p));
  }
  return problems;
}

// As Discord: the message with an id unique per request, when asked to wait.
SinkResponse answer(const SinkRequest& r, std::size_t seq) {
  if (r.method == "DELETE" || (r.method == "POST" && (!r.query.count("wait") || r.query.at("wait") != "true")))
    return SinkResponse(204, "");
  json sent = json::parse(r.body, nullptr, false);
  std::string id = r.method == "POST" ? std::to_string(1300000000000000000ULL + seq) : edited_id(r.path);
  json message = {{"id", id},
                  {"type", 0},
                  {"channel_id", "1200000000000000000"},
                  {"webhook_id", "1100000000000000000"},
                  {"content", sent.is_object() ? sent.value("content", "") : ""},
                  {"embeds", sent.is_object() && sent.contains("embeds") ? sent["embeds"] : json::array()},
                  {"timestamp", "2026-11-23T00:33:20.000000+00:00"}};
  SinkResponse res(200, message.dump());
  res.content_type = "application/json";
  return res;
}

}  // namespace

const ServiceModel kDiscordService{"/discord", R"({"message": "Invalid Form Body", "code": 50035})", 400, check,
                                   answer};

}  // namespace rr::test
