// Mattermost incoming webhooks (/mattermost/hooks/KEY). From
// Mattermost's webhook documentation: POST application/json, {"text":
// Markdown} with optional channel, username, icon_url, icon_emoji, props,
// priority and Slack-style attachments (each needs a `fallback`); text kept
// under 16,000 characters; success is 200 with the body "ok".
//
// The text is read as Mattermost reads it: outside code, an unescaped '<'
// (HTML, autolinks), an '@' starting a word (@channel, @here, @all, @user
// notify people), a masked link to anything but http(s) or whose text
// looks like an address, and an image are refused; so is a code block that
// is never closed (something broke out of it or was cut).

#include <cctype>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

bool word_byte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The word after position i ('@' excluded), for messages.
std::string word_at(const std::string& s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && (word_byte(s[j]) || s[j] == '-' || s[j] == '.')) ++j;
  return s.substr(i, j - i);
}

// One line outside code blocks, inline rules.
void scan_inline(const std::string& line, std::size_t line_no, std::vector<std::string>& problems) {
  auto fail = [&](const std::string& what) { problems.push_back("text line " + std::to_string(line_no) + ": " + what); };
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\') {  // an escaped character is literal
      ++i;
      continue;
    }
    if (c == '`') {  // a code span: skip to the closing run of as many backticks
      std::size_t run = 0;
      while (i + run < line.size() && line[i + run] == '`') ++run;
      std::string fence(run, '`');
      auto close = line.find(fence, i + run);
      if (close == std::string::npos) {
        fail("unmatched backtick");
        i += run - 1;
        continue;
      }
      i = close + run - 1;
      continue;
    }
    if (c == '<') fail("unescaped '<' (HTML or autolink)");
    if (c == '@' && i + 1 < line.size() && word_byte(line[i + 1]) && (i == 0 || !word_byte(line[i - 1]))) {
      std::string word = word_at(line, i + 1);
      if (word == "channel" || word == "here" || word == "all")
        fail("mention @" + word);
      else
        fail("user mention @" + word);
    }
    if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') fail("image markup");
    if (c == '[') {
      // A masked link: [text](url) with the brackets unescaped.
      std::size_t j = i + 1;
      int depth = 1;
      for (; j < line.size() && depth > 0; ++j) {
        if (line[j] == '\\') {
          ++j;
          continue;
        }
        if (line[j] == '[') ++depth;
        if (line[j] == ']') --depth;
      }
      if (depth != 0 || j >= line.size() || line[j] != '(') continue;
      std::string text = line.substr(i + 1, j - i - 2);
      auto close = line.find(')', j);
      std::string url = line.substr(j + 1, close == std::string::npos ? std::string::npos : close - j - 1);
      if (!url.starts_with("https://") && !url.starts_with("http://")) fail("link to a non-http(s) URL");
      if (url.find_first_of(" <>\"") != std::string::npos) fail("link URL with spaces or brackets");
      if (text.find("://") != std::string::npos || text.find("www.") != std::string::npos)
        fail("link text that looks like an address");
    }
  }
}

// The whole text: fenced blocks skipped, inline rules elsewhere.
void scan_markdown(const std::string& text, std::vector<std::string>& problems) {
  bool in_fence = false;
  std::size_t line_no = 0, start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    ++line_no;
    std::size_t indent = line.find_first_not_of(' ');
    bool fence = indent != std::string::npos && indent < 4 && line.compare(indent, 3, "```") == 0;
    if (fence) {
      in_fence = !in_fence;
    } else if (!in_fence) {
      scan_inline(line, line_no, problems);
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (in_fence) problems.push_back("text: a code block is never closed");
}

const std::set<std::string> kKeys = {"text",  "channel", "username",    "icon_url", "icon_emoji",
                                     "props", "type",    "attachments", "priority"};

}  // namespace

std::vector<std::string> mattermost_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  json doc = json::parse(body);
  std::vector<std::string> problems;
  for (const auto& [key, value] : doc.items())
    if (!kKeys.count(key)) problems.push_back("unknown field " + key);
  bool has_attachments = doc.contains("attachments");
  if (!doc.contains("text") && !has_attachments) problems.push_back("text: missing (and no attachments)");
  if (doc.contains("text")) {
    if (!doc["text"].is_string() || doc["text"].get<std::string>().empty()) {
      problems.push_back("text: not a non-empty string");
    } else {
      const std::string text = doc["text"].get<std::string>();
      if (utf8_chars(text) > 16000)
        problems.push_back("text: " + std::to_string(utf8_chars(text)) + " characters > 16,000");
      scan_markdown(text, problems);
    }
  }
  for (const char* key : {"channel", "username", "icon_url", "icon_emoji"})
    if (doc.contains(key) && (!doc[key].is_string() || doc[key].get<std::string>().empty()))
      problems.push_back(std::string(key) + ": not a non-empty string");
  if (doc.contains("icon_url") && doc["icon_url"].is_string()) {
    std::string url = doc["icon_url"];
    if (!url.starts_with("https://") && !url.starts_with("http://")) problems.push_back("icon_url: not http(s)");
  }
  if (has_attachments) {
    const json& a = doc["attachments"];
    if (!a.is_array()) {
      problems.push_back("attachments: not an array");
    } else {
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!a[i].is_object() || !a[i].contains("fallback") || !a[i]["fallback"].is_string())
          problems.push_back("attachments[" + std::to_string(i) + "]: no fallback");
    }
  }
  return problems;
}

namespace {

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": incoming webhooks take POST");
  if (!r.header("Content-Type").starts_with("application/json"))
    problems.push_back("Content-Type: not application/json (Mattermost would read a payload= form)");
  for (auto& p : mattermost_violations(r.body)) problems.push_back(std::move(p));
  return problems;
}

}  // namespace

// Refusals carry Mattermost's error object; success is 200 "ok" (the default answer).
const ServiceModel kMattermostService{
    "/mattermost",
    R"({"id":"web.incoming_webhook.parse.app_error","message":"Unable to parse incoming data.","detailed_error":"","status_code":400})",
    400, check, nullptr};

}  // namespace rr::test
