#include <catch2/catch.hpp>

#include "notify/discord/discord.h"
#include "notify/http_target.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kHook = "/discord/api/webhooks/1100000000000000000/SECRETTOKENxyz";

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

json valid() { return {{"content", "hello"}, {"allowed_mentions", {{"parse", json::array()}}}}; }

std::vector<std::string> problems_with(const std::function<void(json&)>& change) {
  json body = valid();
  change(body);
  return test::discord_violations(body.dump());
}

TEST_CASE("the Discord sink refuses what Discord would, and what could ping") {
  CHECK(test::discord_violations(valid().dump()).empty());
  CHECK(mentions(test::discord_violations("nope"), "not JSON"));
  CHECK(mentions(problems_with([](json& b) { b.erase("allowed_mentions"); }), "allowed_mentions"));
  CHECK(mentions(problems_with([](json& b) { b["allowed_mentions"]["parse"] = {"everyone"}; }), "allowed_mentions"));
  CHECK(mentions(problems_with([](json& b) { b["allowed_mentions"]["users"] = {"1"}; }), "allowed_mentions.users"));
  CHECK(mentions(problems_with([](json& b) { b["content"] = std::string(2001, 'x'); }), "2001 characters > 2000"));
  CHECK(mentions(problems_with([](json& b) { b.erase("content"); }), "needs content or embeds"));
  CHECK(mentions(problems_with([](json& b) { b["content"] = "hi <@123>"; }), "unescaped '<'"));
  CHECK(mentions(problems_with([](json& b) { b["content"] = "hi @everyone"; }), "mention @everyone"));
  CHECK(mentions(problems_with([](json& b) { b["content"] = "[x](javascript:alert(1))"; }), "non-http(s)"));
  CHECK(mentions(problems_with([](json& b) { b["content"] = "```open"; }), "never closed"));
  CHECK(problems_with([](json& b) { b["content"] = "\\<@123\\> `<@1> @everyone`"; }).empty());
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = json::array(); for (int i = 0; i < 11; ++i) b["embeds"].push_back({{"title", "t"}}); }),
                 "at most 10"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"title", std::string(257, 't')}}}; }), "257 characters > 256"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"description", std::string(4097, 'd')}}}; }), "> 4096"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"footer", {{"text", std::string(2049, 'f')}}}}}; }), "> 2048"));
  CHECK(mentions(problems_with([](json& b) {
                   json fields = json::array();
                   for (int i = 0; i < 26; ++i) fields.push_back({{"name", "n"}, {"value", "v"}});
                   b["embeds"] = {{{"fields", fields}}};
                 }),
                 "at most 25"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"fields", {{{"name", "n"}, {"value", std::string(1025, 'v')}}}}}}; }),
                 "> 1024"));
  CHECK(mentions(problems_with([](json& b) {
                   b["embeds"] = {{{"description", std::string(4000, 'a')}}, {{"description", std::string(2500, 'b')}}};
                 }),
                 "6500 characters over all embeds > 6000"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"title", "t"}, {"url", "javascript:x"}}}; }), "url: not http(s)"));
  CHECK(mentions(problems_with([](json& b) { b["embeds"] = {{{"title", "t"}, {"color", 0x1000000}}}; }), "color"));

  test::HttpSink sink;
  auto raw = HttpTarget::make(sink.url(kHook));
  REQUIRE(raw.ok());
  CHECK(raw->call(HttpCall{.suffix = "/messages/1", .body = valid().dump()}, Deadline::after(5s)).delivery.http_status == 400);
  CHECK(raw->call(HttpCall{.method = "PATCH", .body = valid().dump()}, Deadline::after(5s)).delivery.http_status == 400);
  CHECK(raw->call(HttpCall{.suffix = "?wait=yes", .body = valid().dump()}, Deadline::after(5s)).delivery.http_status == 400);
  CHECK(raw->call(HttpCall{.suffix = "?wait=true", .body = valid().dump()}, Deadline::after(5s)).delivery.http_status == 200);
  CHECK(raw->call(HttpCall{.body = valid().dump()}, Deadline::after(5s)).delivery.http_status == 204);
  auto seen = sink.violations();
  CHECK(mentions(seen, "POST to a message"));
  CHECK(mentions(seen, "PATCH without /messages/ID"));
  CHECK(mentions(seen, "query wait"));
}

TEST_CASE("a small report: content for notifications, an embed with the report, no pings") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/r/r-1";
  json body = render_discord(r);
  CHECK(test::discord_violations(dump(body)).empty());
  CHECK(body["allowed_mentions"] == json({{"parse", json::array()}}));
  std::string content = body["content"];
  CHECK(content.find("**CRITICAL** \\[FIRING:1\\] NatsServerDown nats-west") != std::string::npos);
  CHECK(content.find("nats-9 is down; the other 2 servers have quorum") != std::string::npos);
  REQUIRE(body["embeds"].size() == 1);
  const json& e = body["embeds"][0];
  CHECK(e["title"] == "\\[FIRING:1\\] NatsServerDown nats-west");
  CHECK(e["url"] == r.url);
  CHECK(e["color"] == 0xD32F2F);
  CHECK(e["timestamp"] == "2026-11-23T00:33:20.000Z");
  CHECK(e["footer"]["text"] == "Runbook Responder \xC2\xB7 report r-1 \xC2\xB7 rule nats-server-down");
  std::string d = e["description"];
  CHECK(d.find("**CRITICAL** nats-9 does not answer `nats.server_down`") != std::string::npos);
  CHECK(d.find("```\nsystemctl restart nats-server\n```") != std::string::npos);
  CHECK(d.find("[Full report](https://rr.example.com/r/r-1)") != std::string::npos);
  CHECK(d.find("#### ") == std::string::npos);  // the title is the embed's
}

TEST_CASE("a huge report fits Discord's limits, keeping the verdict, worst findings and commands") {
  Report r = test_reports::huge();
  json body = render_discord(r);
  auto problems = test::discord_violations(dump(body));
  INFO((problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  std::string d = body["embeds"][0]["description"];
  CHECK(d.size() <= 4000);
  CHECK(body["content"].get<std::string>().find("VERDICT") != std::string::npos);
  CHECK(d.find("VERDICT") != std::string::npos);
  CHECK(d.find("**CRITICAL** finding 0 ") != std::string::npos);
  CHECK(d.find("nats server check") != std::string::npos);
  CHECK(d.find("more findings") != std::string::npos);
  CHECK(d.find("left out of this message") != std::string::npos);
  CHECK(d.find("Alertmanager left out 3 more alert(s)") != std::string::npos);
}

TEST_CASE("hostile text cannot mention, link or break out on Discord") {
  Report r = test_reports::small();
  r.title = "@everyone " + test_reports::kHostile;
  r.verdict = "<@&123> @here [free](https://evil.example)";
  r.findings[0].evidence = {"<#456> <t:1:R> <:pepe:789>"};
  r.id = "@everyone";
  json body = render_discord(r);
  CHECK(test::discord_violations(dump(body)).empty());
  std::string all = dump(body);
  CHECK(all.find("@everyone") == std::string::npos);
  CHECK(all.find("@here") == std::string::npos);
  CHECK(all.find("\\\\[free\\\\](https://evil.example)") != std::string::npos);  // JSON-escaped backslashes
  CHECK(test::discord_violations(dump(render_discord_resolved_edit(r))).empty());
}

TEST_CASE("discord_retry_after reads the body's fractional seconds") {
  CHECK(discord_retry_after(R"({"message": "You are being rate limited.", "retry_after": 1.234, "global": false})") ==
        Millis(1234));
  CHECK(discord_retry_after(R"({"retry_after": 0.0001})") == Millis(1));
  CHECK(discord_retry_after(R"({"retry_after": 1e9})") == Millis(3600 * 1000));
  CHECK_FALSE(discord_retry_after(R"({"retry_after": "soon"})"));
  CHECK_FALSE(discord_retry_after("not json"));
}

NotifyTarget target(const std::string& url) { return NotifyTarget{"dc", "discord", {{"url", url}}, {}, "/etc/rr.yaml", 9}; }

Report resolved_report() {
  Report r = test_reports::small();
  r.kind = Report::Kind::Resolution;
  r.status = "resolved";
  r.title = "[RESOLVED] NatsServerDown nats-west";
  r.verdict = "All alerts of the group resolved";
  r.findings.clear();
  r.steps.clear();
  r.suggestions.clear();
  return r;
}

TEST_CASE("the Discord notifier posts with wait=true and keeps the message id") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kHook)));
  REQUIRE(notifier.ok());
  Report r = test_reports::huge();
  Delivery d = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(d.ok);
  CHECK(d.http_status == 200);
  CHECK(d.thread == std::optional<std::string>("1300000000000000000"));
  auto seen = sink.requests(kHook);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].query.at("wait") == "true");
  CHECK(json::parse(seen[0].body)["allowed_mentions"]["parse"].empty());
  CHECK(sink.violations().empty());

  // A second report of the group is a new message with its own id.
  Delivery again = (*notifier)->send(Message{test_reports::small(), *d.thread}, Deadline::after(5s));
  CHECK(again.thread == std::optional<std::string>("1300000000000000001"));
}

TEST_CASE("a resolution edits the kept message, then posts itself and forgets the id") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kHook)));
  REQUIRE(notifier.ok());
  Delivery first = (*notifier)->send(Message{test_reports::small(), ""}, Deadline::after(5s));
  REQUIRE(first.thread);
  Report done = resolved_report();
  Delivery d = (*notifier)->send(Message{done, *first.thread}, Deadline::after(5s));
  CHECK(d.ok);
  CHECK(d.thread == std::optional<std::string>(""));
  auto all = sink.requests();
  REQUIRE(all.size() == 3);
  CHECK(all[1].method == "PATCH");
  CHECK(all[1].path == kHook + "/messages/" + *first.thread);
  json edit = json::parse(all[1].body);
  CHECK(edit["content"].get<std::string>().find("**RESOLVED** \\[RESOLVED\\] NatsServerDown") != std::string::npos);
  CHECK_FALSE(edit.contains("embeds"));  // the triage embed stays
  CHECK(edit["allowed_mentions"]["parse"].empty());
  CHECK(all[2].method == "POST");
  CHECK(json::parse(all[2].body)["content"].get<std::string>().find("All alerts of the group resolved") !=
        std::string::npos);
  CHECK(sink.violations().empty());
}

TEST_CASE("a deleted message does not stop the resolution; a rate-limited edit is retried with it") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kHook)));
  REQUIRE(notifier.ok());
  Report done = resolved_report();
  const std::string gone = "1299999999999999999";
  sink.script(kHook + "/messages/" + gone, {test::SinkResponse{404, R"({"message": "Unknown Message", "code": 10008})"}});
  Delivery d = (*notifier)->send(Message{done, gone}, Deadline::after(5s));
  CHECK(d.ok);
  CHECK(d.thread == std::optional<std::string>(""));
  REQUIRE(sink.requests().size() == 2);
  CHECK(sink.requests()[1].method == "POST");

  const std::string busy = "1299999999999999998";
  sink.script(kHook + "/messages/" + busy,
              {test::SinkResponse{429, R"({"message": "You are being rate limited.", "retry_after": 0.25, "global": false})"}});
  Delivery limited = (*notifier)->send(Message{done, busy}, Deadline::after(5s));
  CHECK_FALSE(limited.ok);
  CHECK(limited.retryable);
  CHECK(limited.retry_after == Millis(250));
  CHECK(sink.requests().size() == 3);  // nothing posted: the retry does both

  // A partial resolution (the group still firing) keeps the triage message's id.
  Report partial = resolved_report();
  partial.status = "firing";
  Delivery kept = (*notifier)->send(Message{partial, "1299999999999999997"}, Deadline::after(5s));
  CHECK(kept.ok);
  CHECK_FALSE(kept.thread);
  CHECK(sink.requests().back().method == "POST");
  CHECK(sink.violations().empty());
}

TEST_CASE("Discord's 429, 5xx and 400 answers, without the token") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kHook)));
  REQUIRE(notifier.ok());
  Report r = test_reports::small();
  sink.script(kHook, {test::SinkResponse{429, R"({"message": "You are being rate limited.", "retry_after": 2.5, "global": false})",
                                         {{"Retry-After", "3"}}},
                      test::SinkResponse{429, R"({"message": "You are being rate limited.", "retry_after": 2.5, "global": false})"},
                      test::SinkResponse{502, "bad gateway"},
                      test::SinkResponse{400, R"({"message": "Invalid Webhook Token )" + sink.url(kHook) + R"(", "code": 50027})"}});
  Delivery header = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(header.retryable);
  CHECK(header.retry_after == Millis(3000));
  Delivery body = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(body.retryable);
  CHECK(body.retry_after == Millis(2500));
  Delivery server = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(server.retryable);
  CHECK(server.http_status == 502);
  Delivery refused = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.retryable);
  CHECK_FALSE(refused.thread);
  CHECK(refused.error.find("Invalid Webhook Token") != std::string::npos);
  CHECK(refused.error.find("SECRETTOKENxyz") == std::string::npos);
}

TEST_CASE("a Discord URL's thread_id is kept on every call; wait= and fragments are refused") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kHook) + "?thread_id=1400000000000000000"));
  REQUIRE(notifier.ok());
  Delivery first = (*notifier)->send(Message{test_reports::small(), ""}, Deadline::after(5s));
  REQUIRE(first.thread);
  (*notifier)->send(Message{resolved_report(), *first.thread}, Deadline::after(5s));
  for (const auto& req : sink.requests()) CHECK(req.query.at("thread_id") == "1400000000000000000");
  CHECK(sink.requests().size() == 3);
  CHECK(sink.violations().empty());
  CHECK_FALSE(make_notifier(target(sink.url(kHook) + "?wait=false")).ok());
  CHECK_FALSE(make_notifier(target(sink.url(kHook) + "#x")).ok());
  // A kept value that is not a message id never reaches a URL.
  Delivery odd = (*notifier)->send(Message{resolved_report(), "../../x"}, Deadline::after(5s));
  CHECK(odd.ok);
  CHECK(sink.requests().back().method == "POST");
}

}  // namespace
}  // namespace rr
