// Google Chat incoming webhooks (/googlechat/v1/spaces/SPACE/messages?key=K&token=T).
// From Google's Chat API documentation:
// - POST JSON with `text` and/or `cardsV2`; the message (text and cards)
//   within 32,000 bytes (checked here on the whole body).
// - Threads: `thread.threadKey` in the body and/or the threadKey query
//   parameter, with messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD
//   (or REPLY_MESSAGE_OR_FAIL); without one of those the key is ignored
//   and every message starts a new thread. A key is at most 4000 characters.
// - Text formatting is Google Chat's own: *bold*, _italic_, ~strike~,
//   `code`, ``` blocks, <url|text> links, <users/ID> and <users/all>
//   mentions. The text is refused if it holds any '<' that is not an
//   http(s) link whose text looks like no address, any mention, or a code
//   block never closed.
// - Success: 200 with the message, its `thread.name` the same for the same key.

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

void scan_text(const std::string& text, std::vector<std::string>& problems) {
  auto fail = [&](const std::string& what) { problems.push_back("text: " + what); };
  std::size_t fences = 0;
  for (auto pos = text.find("```"); pos != std::string::npos; pos = text.find("```", pos + 3)) ++fences;
  if (fences % 2 != 0) fail("a code block is never closed");
  for (std::size_t i = text.find('<'); i != std::string::npos; i = text.find('<', i + 1)) {
    auto close = text.find('>', i);
    std::string token = text.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
    if (token.starts_with("users/")) {
      fail("mention <" + token + ">");
      continue;
    }
    auto bar = token.find('|');
    std::string url = token.substr(0, bar);
    bool web = url.starts_with("https://") || url.starts_with("http://");
    if (close == std::string::npos || bar == std::string::npos || !web ||
        url.find_first_of(" \n<") != std::string::npos) {
      fail("'<' that is not a <url|text> link: <" + token.substr(0, 40));
      continue;
    }
    std::string label = token.substr(bar + 1);
    if (label.find('<') != std::string::npos || label.find('|') != std::string::npos)
      fail("link text with '<' or '|'");
    if (label.find("://") != std::string::npos || label.find("www.") != std::string::npos)
      fail("link text that looks like an address");
  }
  for (const char* word : {"@all", "@here", "@channel", "@everyone"})
    if (text.find(word) != std::string::npos) fail(std::string("mention word ") + word);
}

std::string fnv_hex(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::vector<std::string> googlechat_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  json doc = json::parse(body);
  std::vector<std::string> problems;
  if (body.size() > 32000) problems.push_back("body: " + std::to_string(body.size()) + " bytes > 32,000");
  static const std::set<std::string> keys = {"text", "cardsV2", "thread", "fallbackText", "accessoryWidgets",
                                             "privateMessageViewer"};
  for (const auto& [key, value] : doc.items())
    if (!keys.count(key)) problems.push_back("unknown field " + key);
  if (!doc.contains("text") && !doc.contains("cardsV2")) problems.push_back("body: needs text or cardsV2");
  if (doc.contains("text")) {
    if (!doc["text"].is_string() || doc["text"].get<std::string>().empty())
      problems.push_back("text: not a non-empty string");
    else
      scan_text(doc["text"], problems);
  }
  if (doc.contains("thread")) {
    const json& t = doc["thread"];
    if (!t.is_object() || (!t.contains("threadKey") && !t.contains("name"))) {
      problems.push_back("thread: needs threadKey or name");
    } else if (t.contains("threadKey")) {
      if (!t["threadKey"].is_string() || t["threadKey"].get<std::string>().empty() ||
          utf8_chars(t["threadKey"].get<std::string>()) > 4000)
        problems.push_back("thread.threadKey: not a string of 1 to 4000 characters");
    }
  }
  return problems;
}

namespace {

const std::set<std::string> kReplyOptions = {"MESSAGE_REPLY_OPTION_UNSPECIFIED", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
                                             "REPLY_MESSAGE_OR_FAIL"};

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": webhooks take POST");
  if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
  if (!r.path.ends_with("/messages")) problems.push_back("path: not a space's messages");
  for (const char* key : {"key", "token"})
    if (!r.query.count(key) || r.query.at(key).empty()) problems.push_back(std::string("query ") + key + ": missing");
  static const std::set<std::string> params = {"key", "token", "threadKey", "messageReplyOption", "messageId"};
  for (const auto& [key, value] : r.query)
    if (!params.count(key)) problems.push_back("query " + key + ": not a webhook parameter");
  std::string option = r.query.count("messageReplyOption") ? r.query.at("messageReplyOption") : "";
  if (!option.empty() && !kReplyOptions.count(option)) problems.push_back("query messageReplyOption: unknown value");
  json doc = json::parse(r.body, nullptr, false);
  std::string body_key;
  if (doc.is_object() && doc.contains("thread") && doc["thread"].is_object() && doc["thread"].contains("threadKey") &&
      doc["thread"]["threadKey"].is_string())
    body_key = doc["thread"]["threadKey"];
  std::string query_key = r.query.count("threadKey") ? r.query.at("threadKey") : "";
  if (query_key.size() > 4000) problems.push_back("query threadKey: longer than 4000");
  if (!query_key.empty() && !body_key.empty() && query_key != body_key)
    problems.push_back("threadKey: query and body disagree");
  if ((!query_key.empty() || !body_key.empty()) && option != "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD" &&
      option != "REPLY_MESSAGE_OR_FAIL")
    problems.push_back("threadKey without messageReplyOption=REPLY_...: Google Chat starts a new thread anyway");
  for (auto& p : googlechat_violations(r.body)) problems.push_back(std::move(p));
  return problems;
}

// As Google Chat: the message, in the thread its key names (or a new one).
SinkResponse answer(const SinkRequest& r, std::size_t seq) {
  json doc = json::parse(r.body, nullptr, false);
  std::string key = r.query.count("threadKey") ? r.query.at("threadKey") : "";
  if (key.empty() && doc.is_object() && doc.contains("thread") && doc["thread"].is_object())
    key = doc["thread"].value("threadKey", "");
  std::string space = "spaces/AAAAresponder";
  std::string thread = space + "/threads/" + (key.empty() ? "new" + std::to_string(seq) : fnv_hex(key));
  json message = {{"name", space + "/messages/m" + std::to_string(seq)},
                  {"sender", {{"name", "users/114022495153014004089"}, {"type", "BOT"}}},
                  {"text", doc.is_object() ? doc.value("text", "") : ""},
                  {"thread", {{"name", thread}}},
                  {"space", {{"name", space}, {"type", "ROOM"}}},
                  {"createTime", "2026-11-23T00:33:20.000000Z"}};
  if (!key.empty()) message["thread"]["threadKey"] = key;
  SinkResponse res(200, message.dump());
  res.content_type = "application/json";
  return res;
}

}  // namespace

const ServiceModel kGooglechatService{
    "/googlechat",
    R"({"error": {"code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT"}})", 400,
    check, answer};

}  // namespace rr::test
