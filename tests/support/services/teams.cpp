// Microsoft Teams Workflows webhooks (/teams/...). From
// Microsoft's Teams and Adaptive Cards documentation:
// - POST JSON {"type": "message", "attachments": [{"contentType":
//   "application/vnd.microsoft.card.adaptive", "contentUrl": null,
//   "content": <AdaptiveCard>}]}; one card per message here.
// - The card: "type": "AdaptiveCard", "version" 1.2 to 1.5 (what Teams
//   shows), "body" (a non-empty array of known elements); actions are
//   Action.OpenUrl (http(s)) or Action.ShowCard, at most six (Teams shows
//   no more); no Action.Submit/Execute (no bot receives them), no inputs.
// - The whole message under Teams' limit of about 28 KB (28,000 bytes here).
// - Success: 202 with an empty body.
// Text Teams renders as Markdown (TextBlock.text, Fact.title, Fact.value)
// must hold no unescaped link syntax ("](") and no unescaped '<' (<at>
// mention markup, HTML); no text may hold a mention word (@channel, @here,
// @all, @everyone) outside monospace; the card may carry no mention
// entities (without them Teams notifies no one).

#include <cctype>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/services/services.h"

namespace rr::test {

namespace {

using nlohmann::json;

const std::set<std::string> kSizes = {"Default", "Small", "Medium", "Large", "ExtraLarge"};
const std::set<std::string> kWeights = {"Default", "Lighter", "Bolder"};
const std::set<std::string> kColors = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"};
const std::set<std::string> kFonts = {"Default", "Monospace"};
const std::set<std::string> kSpacings = {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"};
const std::set<std::string> kStyles = {"default", "emphasis", "good", "attention", "warning", "accent"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class CardCheck {
 public:
  std::vector<std::string> problems;

  void fail(const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); }

  void enumerated(const json& e, const char* key, const std::set<std::string>& allowed, const std::string& where) {
    if (!e.contains(key)) return;
    if (!e[key].is_string() || !allowed.count(e[key].get<std::string>()))
      fail(where + "." + key, "not one of the schema's values");
  }

  void mentions(const std::string& text, const std::string& where) {
    for (const char* word : {"@channel", "@here", "@all", "@everyone"})
      if (text.find(word) != std::string::npos) fail(where, std::string("mention word ") + word);
  }

  // Text Teams reads as Markdown.
  void markdown(const std::string& text, const std::string& where) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
        continue;
      }
      if (text[i] == '<')
        fail(where, lower(text.substr(i, 3)) == "<at" ? "<at> mention markup" : "unescaped '<'");
      if (text[i] == ']' && i + 1 < text.size() && text[i + 1] == '(') fail(where, "unescaped link syntax ](");
    }
    mentions(text, where);
  }

  void string_field(const json& e, const char* key, const std::string& where, bool required) {
    if (!e.contains(key)) {
      if (required) fail(where + "." + key, "missing");
      return;
    }
    if (!e[key].is_string() || e[key].get<std::string>().empty()) fail(where + "." + key, "not a non-empty string");
  }

  void text_style(const json& e, const std::string& where) {
    enumerated(e, "size", kSizes, where);
    enumerated(e, "weight", kWeights, where);
    enumerated(e, "color", kColors, where);
    enumerated(e, "fontType", kFonts, where);
  }

  void element(const json& e, const std::string& where) {
    if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) {
      fail(where, "element without a type");
      return;
    }
    std::string type = e["type"];
    enumerated(e, "spacing", kSpacings, where);
    if (type == "TextBlock") {
      string_field(e, "text", where, true);
      text_style(e, where);
      if (e.contains("text") && e["text"].is_string()) markdown(e["text"], where + ".text");
    } else if (type == "RichTextBlock") {
      const json& inl = e.value("inlines", json());
      if (!inl.is_array() || inl.empty()) {
        fail(where + ".inlines", "not a non-empty array");
        return;
      }
      for (std::size_t i = 0; i < inl.size(); ++i) {
        std::string at = where + ".inlines[" + std::to_string(i) + "]";
        if (inl[i].is_string()) {
          mentions(inl[i], at);
          continue;
        }
        if (!inl[i].is_object() || inl[i].value("type", "") != "TextRun") {
          fail(at, "not a TextRun");
          continue;
        }
        string_field(inl[i], "text", at, true);
        text_style(inl[i], at);
        // TextRuns are literal: only mentions matter, and not in monospace.
        if (inl[i].contains("text") && inl[i]["text"].is_string() && inl[i].value("fontType", "") != "Monospace")
          mentions(inl[i]["text"], at + ".text");
        if (inl[i].contains("selectAction")) action(inl[i]["selectAction"], at + ".selectAction");
      }
    } else if (type == "Container") {
      enumerated(e, "style", kStyles, where);
      items(e.value("items", json()), where + ".items");
    } else if (type == "ColumnSet") {
      const json& cols = e.value("columns", json::array());
      if (!cols.is_array()) fail(where + ".columns", "not an array");
      for (std::size_t i = 0; cols.is_array() && i < cols.size(); ++i) {
        std::string at = where + ".columns[" + std::to_string(i) + "]";
        if (!cols[i].is_object() || cols[i].value("type", "") != "Column")
          fail(at, "not a Column");
        else
          items(cols[i].value("items", json()), at + ".items");
      }
    } else if (type == "FactSet") {
      const json& facts = e.value("facts", json());
      if (!facts.is_array() || facts.empty()) fail(where + ".facts", "not a non-empty array");
      for (std::size_t i = 0; facts.is_array() && i < facts.size(); ++i) {
        std::string at = where + ".facts[" + std::to_string(i) + "]";
        for (const char* key : {"title", "value"}) {
          if (!facts[i].is_object() || !facts[i].contains(key) || !facts[i][key].is_string())
            fail(at + "." + key, "missing");
          else
            markdown(facts[i][key], at + "." + key);
        }
      }
    } else if (type == "ActionSet") {
      actions(e.value("actions", json()), where + ".actions");
    } else if (type == "Image") {
      std::string url = e.value("url", "");
      if (!url.starts_with("https://") && !url.starts_with("http://")) fail(where + ".url", "not http(s)");
    } else {
      fail(where, "element type \"" + type + "\" is not one Teams shows from a webhook");
    }
  }

  void items(const json& list, const std::string& where) {
    if (!list.is_array()) {
      fail(where, "not an array");
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) element(list[i], where + "[" + std::to_string(i) + "]");
  }

  void action(const json& a, const std::string& where) {
    std::string type = a.is_object() ? a.value("type", "") : "";
    if (type == "Action.OpenUrl") {
      std::string url = a.value("url", "");
      if (!url.starts_with("https://") && !url.starts_with("http://")) fail(where + ".url", "not http(s)");
      if (a.contains("title")) {
        if (!a["title"].is_string()) fail(where + ".title", "not a string");
        else mentions(a["title"], where + ".title");
      }
    } else if (type == "Action.ShowCard") {
      if (a.contains("card")) card(a["card"], where + ".card", false);
    } else {
      fail(where, "action \"" + type + "\" cannot work from a webhook");
    }
  }

  void actions(const json& list, const std::string& where) {
    if (!list.is_array()) {
      fail(where, "not an array");
      return;
    }
    if (list.size() > 6) fail(where, std::to_string(list.size()) + " actions > 6");
    for (std::size_t i = 0; i < list.size(); ++i) action(list[i], where + "[" + std::to_string(i) + "]");
  }

  void card(const json& c, const std::string& where, bool top) {
    if (!c.is_object()) {
      fail(where, "not an object");
      return;
    }
    if (c.value("type", "") != "AdaptiveCard") fail(where + ".type", "not \"AdaptiveCard\"");
    if (top) {
      std::string version = c.contains("version") && c["version"].is_string() ? c["version"].get<std::string>() : "";
      static const std::set<std::string> versions = {"1.2", "1.3", "1.4", "1.5"};
      if (!versions.count(version)) fail(where + ".version", "missing or not 1.2 to 1.5");
    }
    const json& body = c.value("body", json());
    if (!body.is_array() || body.empty())
      fail(where + ".body", "missing or empty");
    else
      items(body, where + ".body");
    if (c.contains("actions")) actions(c["actions"], where + ".actions");
    if (c.contains("msteams") && c["msteams"].is_object() && c["msteams"].contains("entities")) {
      for (const json& ent : c["msteams"]["entities"])
        if (ent.is_object() && ent.value("type", "") == "mention") fail(where + ".msteams.entities", "a mention");
    }
  }
};

}  // namespace

std::vector<std::string> teams_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  json doc = json::parse(body);
  CardCheck check;
  if (body.size() > 28000) check.fail("body", std::to_string(body.size()) + " bytes > 28,000 (Teams' message limit)");
  if (doc.value("type", "") != "message") check.fail("type", "not \"message\"");
  const json& a = doc.value("attachments", json());
  if (!a.is_array() || a.size() != 1) {
    check.fail("attachments", "not an array of one card");
    return check.problems;
  }
  const json& att = a[0];
  if (!att.is_object() || att.value("contentType", "") != "application/vnd.microsoft.card.adaptive")
    check.fail("attachments[0].contentType", "not application/vnd.microsoft.card.adaptive");
  if (att.is_object() && att.contains("contentUrl") && !att["contentUrl"].is_null())
    check.fail("attachments[0].contentUrl", "not null");
  if (!att.is_object() || !att.contains("content"))
    check.fail("attachments[0].content", "missing");
  else
    check.card(att["content"], "attachments[0].content", true);
  return check.problems;
}

namespace {

std::vector<std::string> check(const SinkRequest& r) {
  std::vector<std::string> problems;
  if (r.method != "POST") problems.push_back("method " + r.method + ": webhooks take POST");
  if (!r.header("Content-Type").starts_with("application/json")) problems.push_back("Content-Type: not JSON");
  for (auto& p : teams_violations(r.body)) problems.push_back(std::move(p));
  return problems;
}

SinkResponse accepted(const SinkRequest&, std::size_t) { return SinkResponse(202, ""); }

}  // namespace

const ServiceModel kTeamsService{
    "/teams",
    R"({"error":{"code":"TriggerInputSchemaMismatch","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}})",
    400, check, accepted};

}  // namespace rr::test
