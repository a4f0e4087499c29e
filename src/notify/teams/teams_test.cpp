#include <catch2/catch.hpp>

#include "notify/http_target.h"
#include "notify/teams/teams.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kFlow = "/teams/workflows/abc/triggers/manual/paths/invoke";
const std::string kQuery = "?api-version=2016-06-01&sig=SIGSECRET0123456789";

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

json card_with(json body, json actions = nullptr) {
  json card = {{"type", "AdaptiveCard"}, {"version", "1.2"}, {"body", std::move(body)}};
  if (!actions.is_null()) card["actions"] = std::move(actions);
  return {{"type", "message"},
          {"attachments", {{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"contentUrl", nullptr}, {"content", card}}}}};
}

json text_block(const std::string& text) { return {{"type", "TextBlock"}, {"text", text}}; }

std::vector<std::string> problems_with(json payload) { return test::teams_violations(payload.dump()); }

TEST_CASE("the Teams sink refuses what Teams would, and what could mention or link") {
  CHECK(problems_with(card_with({text_block("fine \\[x\\]\\(y\\)")})).empty());
  CHECK(mentions(test::teams_violations("x"), "not JSON"));
  json payload = card_with({text_block("x")});
  payload["type"] = "MessageCard";
  CHECK(mentions(problems_with(payload), "type: not \"message\""));
  payload = card_with({text_block("x")});
  payload["attachments"][0]["contentType"] = "application/vnd.microsoft.teams.card.o365connector";
  CHECK(mentions(problems_with(payload), "contentType"));
  payload = card_with({text_block("x")});
  payload["attachments"][0]["content"].erase("version");
  CHECK(mentions(problems_with(payload), "version"));
  payload = card_with({text_block("x")});
  payload["attachments"][0]["content"]["version"] = "1.0";
  CHECK(mentions(problems_with(payload), "version"));
  CHECK(mentions(problems_with(card_with(json::array())), "body: missing or empty"));
  CHECK(mentions(problems_with(card_with({text_block("[click](https://evil.example)")})), "link syntax"));
  CHECK(mentions(problems_with(card_with({text_block("<at>All</at>")})), "<at> mention markup"));
  CHECK(mentions(problems_with(card_with({text_block("a <b>bold</b>")})), "unescaped '<'"));
  CHECK(mentions(problems_with(card_with({text_block("hi @channel")})), "mention word @channel"));
  CHECK(mentions(problems_with(card_with({{{"type", "Input.Text"}, {"id", "x"}}})), "Input.Text"));
  CHECK(mentions(problems_with(card_with({text_block("x")}, {{{"type", "Action.Submit"}, {"title", "go"}}})),
                 "Action.Submit"));
  CHECK(mentions(problems_with(card_with({text_block("x")}, {{{"type", "Action.OpenUrl"}, {"url", "javascript:x"}}})),
                 "not http(s)"));
  json seven = json::array();
  for (int i = 0; i < 7; ++i) seven.push_back({{"type", "Action.OpenUrl"}, {"title", "l"}, {"url", "https://h/"}});
  CHECK(mentions(problems_with(card_with({text_block("x")}, seven)), "7 actions > 6"));
  CHECK(mentions(problems_with(card_with({{{"type", "TextBlock"}, {"text", "x"}, {"color", "Red"}}})), "color"));
  CHECK(mentions(problems_with(card_with({text_block(std::string(28001, 'x'))})), "28,000"));
  payload = card_with({text_block("x")});
  payload["attachments"][0]["content"]["msteams"] = {{"entities", {{{"type", "mention"}, {"text", "<at>x</at>"}}}}};
  CHECK(mentions(problems_with(payload), "a mention"));
  // TextRuns are literal: link syntax is only text there; monospace may say @all.
  CHECK(problems_with(card_with({{{"type", "RichTextBlock"},
                                  {"inlines", {{{"type", "TextRun"}, {"text", "[x](y) <b>"}},
                                               {{"type", "TextRun"}, {"text", "@all"}, {"fontType", "Monospace"}}}}}}))
            .empty());

  test::HttpSink sink;
  auto raw = HttpTarget::make(sink.url(kFlow + kQuery));
  REQUIRE(raw.ok());
  CHECK(raw->post(card_with({text_block("@here")}).dump(), "application/json", Deadline::after(5s)).http_status == 400);
  CHECK(raw->post(card_with({text_block("ok")}).dump(), "application/json", Deadline::after(5s)).http_status == 202);
  CHECK(mentions(sink.violations(), "mention word @here"));
}

const json& card_of(const json& payload) { return payload["attachments"][0]["content"]; }

// Every text of the card, joined.
void collect(const json& j, std::string& out) {
  if (j.is_object()) {
    if (j.contains("text") && j["text"].is_string()) out += j["text"].get<std::string>() + "\n";
    if (j.contains("title") && j["title"].is_string()) out += j["title"].get<std::string>() + "\n";
    for (const auto& [k, v] : j.items()) collect(v, out);
  } else if (j.is_array()) {
    for (const json& v : j) collect(v, out);
  }
}

std::string texts(const json& payload) {
  std::string out;
  collect(payload, out);
  return out;
}

bool has_monospace_run(const json& j, const std::string& text) {
  if (j.is_object()) {
    if (j.value("type", "") == "TextRun" && j.value("fontType", "") == "Monospace" && j.value("text", "") == text)
      return true;
    for (const auto& [k, v] : j.items())
      if (has_monospace_run(v, text)) return true;
  } else if (j.is_array()) {
    for (const json& v : j)
      if (has_monospace_run(v, text)) return true;
  }
  return false;
}

TEST_CASE("a small report as an Adaptive Card") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/r/r-1";
  r.links.insert(r.links.begin(), Link{"Report", r.url});
  json payload = render_teams(r);
  CHECK(test::teams_violations(dump(payload)).empty());
  const json& card = card_of(payload);
  CHECK(card["type"] == "AdaptiveCard");
  CHECK(card["version"] == "1.2");
  CHECK(payload["attachments"][0]["contentUrl"].is_null());
  const json& body = card["body"];
  CHECK(body[0]["text"] == "[FIRING:1] NatsServerDown nats-west");
  CHECK(body[1]["type"] == "TextBlock");
  CHECK(body[1]["size"] == "Large");
  CHECK(body[1]["weight"] == "Bolder");
  CHECK(body[1]["color"] == "Attention");
  CHECK(body[1]["text"].get<std::string>().find("CRITICAL \xE2\x80\x94 nats-9 is down; the other 2 servers have quorum") !=
        std::string::npos);
  std::string all = texts(payload);
  CHECK(all.find("nats-9 does not answer") != std::string::npos);
  CHECK(all.find("\xE2\x80\xA2 health: nats-9 connection refused") != std::string::npos);
  CHECK(has_monospace_run(card, "systemctl restart nats-server"));
  CHECK(has_monospace_run(card, "nats-9 connection refused"));
  CHECK(all.find("left out") == std::string::npos);
  const json& actions = card["actions"];
  REQUIRE(actions.size() == 3);
  CHECK(actions[0] == json({{"type", "Action.OpenUrl"}, {"title", "Full report"}, {"url", r.url}}));
  CHECK(actions[1]["title"] == "Runbook");
  CHECK(actions[2]["title"] == "Silence");
}

TEST_CASE("a huge report stays under Teams' limit with the note, verdict, worst findings and commands") {
  Report r = test_reports::huge();
  for (std::size_t max : {kTeamsPayloadBytes, std::size_t{12000}}) {
    INFO(max);
    json payload = render_teams(r, max);
    std::string text = dump(payload);
    auto problems = test::teams_violations(text);
    INFO((problems.empty() ? "" : problems[0]));
    CHECK(problems.empty());
    CHECK(text.size() <= max);
    std::string all = texts(payload);
    CHECK(card_of(payload)["body"][1]["text"].get<std::string>().find("VERDICT") != std::string::npos);
    CHECK(all.find("finding 0 ") != std::string::npos);
    CHECK(all.find("nats server check") != std::string::npos);
    CHECK(all.find("more findings") != std::string::npos);
    CHECK(all.find("left out of this card") != std::string::npos);
    CHECK(all.find("Alertmanager left out 3 more alert(s)") != std::string::npos);
    CHECK(all.find("javascript") == std::string::npos);
    CHECK(card_of(payload)["actions"].size() == 6);
  }
}

TEST_CASE("hostile text cannot mention or link in a Teams card") {
  Report r = test_reports::small();
  r.title = "@channel [click](https://evil.example) <at>All</at>";
  r.verdict = test_reports::kHostile + " @everyone";
  r.findings[0].title = "<at>x</at> @here";
  r.links = {Link{"https://bank.example", "https://evil.example/"}};
  json payload = render_teams(r);
  auto problems = test::teams_violations(dump(payload));
  INFO((problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  std::string all = texts(payload);
  for (const char* word : {"@channel", "@everyone", "@here"}) CHECK(all.find(word) == std::string::npos);
  CHECK(card_of(payload)["body"][0]["text"] ==
        "@\xE2\x80\x8B" "channel [click\\](https://evil.example) \\<at\\>All\\</at\\>");
  CHECK(card_of(payload)["actions"][0]["title"] == "Link");
}

NotifyTarget target(const std::string& url) { return NotifyTarget{"ms", "teams", {{"url", url}}, {}, "/etc/rr.yaml", 5}; }

TEST_CASE("Office 365 connector URLs are refused, Workflows URLs taken") {
  for (const char* url : {"https://outlook.office.com/webhook/SECRET", "https://acme.webhook.office.com/webhookb2/SECRET"}) {
    auto n = make_notifier(target(url));
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().to_string().find("retired") != std::string::npos);
    CHECK(n.error().to_string().find("SECRET") == std::string::npos);
  }
  CHECK(make_notifier(target("https://prod-01.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s")).ok());
}

TEST_CASE("the Teams notifier posts the card; 429, 5xx and 400 without the signature") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kFlow + kQuery)));
  REQUIRE(notifier.ok());
  Report r = test_reports::huge();
  Delivery ok = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(ok.ok);
  CHECK(ok.http_status == 202);
  REQUIRE(sink.requests(kFlow).size() == 1);
  CHECK(sink.requests(kFlow)[0].query.at("sig") == "SIGSECRET0123456789");
  CHECK(sink.violations().empty());
  CHECK_FALSE((*notifier)->wants([] {
    Report started = test_reports::small();
    started.kind = Report::Kind::Started;
    return started;
  }()));

  sink.script(kFlow, {test::SinkResponse{429, "", {{"Retry-After", "5"}}}, test::SinkResponse{500, "oops"},
                      test::SinkResponse{400, R"({"error":{"code":"TriggerInputSchemaMismatch","message":"bad input for )" +
                                                  sink.url(kFlow + kQuery) + R"("}})"}});
  Delivery limited = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(limited.retryable);
  CHECK(limited.retry_after == Millis(5000));
  CHECK((*notifier)->send(Message{r, ""}, Deadline::after(5s)).retryable);
  Delivery refused = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.retryable);
  CHECK(refused.error.find("TriggerInputSchemaMismatch") != std::string::npos);
  CHECK(refused.error.find("SIGSECRET") == std::string::npos);
}

}  // namespace
}  // namespace rr
