#include <catch2/catch.hpp>

#include "notify/http_target.h"
#include "notify/mattermost/mattermost.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

TEST_CASE("the Mattermost sink refuses what Mattermost would") {
  CHECK(test::mattermost_violations(R"({"text":"ok **fine** \\<b\\> `<x>` @)" "\xE2\x80\x8B" R"(channel"})").empty());
  CHECK(mentions(test::mattermost_violations("[1]"), "not a JSON object"));
  CHECK(mentions(test::mattermost_violations(R"({"username":"x"})"), "text: missing"));
  CHECK(mentions(test::mattermost_violations(json{{"text", std::string(16001, 'x')}}.dump()), "16,000"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"hi @channel"})"), "mention @channel"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"hi @bob"})"), "user mention @bob"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"<b>x</b>"})"), "unescaped '<'"));
  CHECK(mentions(test::mattermost_violations(R"J({"text":"[x](javascript:alert(1))"})J"), "non-http(s)"));
  CHECK(mentions(test::mattermost_violations(R"J({"text":"[https://bank.example](https://evil.example)"})J"),
                 "looks like an address"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"```\nopen"})"), "never closed"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"x","attachments":[{"text":"y"}]})"), "no fallback"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"x","icon_url":"ftp://h/i.png"})"), "icon_url"));
  CHECK(mentions(test::mattermost_violations(R"({"text":"x","iconurl":"https://h/i.png"})"), "unknown field"));
  // Mentions and links inside code notify no one and link nowhere.
  CHECK(test::mattermost_violations(R"({"text":"`@channel` and\n```\n<b> @all [x](javascript:y)\n```"})").empty());

  test::HttpSink sink;
  auto bad = HttpTarget::make(sink.url("/mattermost/hooks/k"));
  REQUIRE(bad.ok());
  Delivery d = bad->post(R"({"text":"@here"})", "application/json", Deadline::after(5s));
  CHECK(d.http_status == 400);
  CHECK_FALSE(d.retryable);
  HttpCall put{.method = "PUT", .body = R"({"text":"fine"})"};
  CHECK(bad->call(put, Deadline::after(5s)).delivery.http_status == 400);
  auto seen = sink.violations();
  REQUIRE(seen.size() >= 2);
  CHECK(mentions(seen, "mention @here"));
  CHECK(mentions(seen, "method PUT"));
}

TEST_CASE("a small report renders as Mattermost Markdown with the options") {
  Report r = test_reports::small();
  json body = render_mattermost(r, MattermostOptions{"town-square", "Runbook Responder", "https://h/icon.png"});
  CHECK(test::mattermost_violations(dump(body)).empty());
  CHECK(body["channel"] == "town-square");
  CHECK(body["username"] == "Runbook Responder");
  CHECK(body["icon_url"] == "https://h/icon.png");
  std::string text = body["text"];
  CHECK(text.starts_with("#### \\[FIRING:1\\] NatsServerDown nats-west\n"));
  CHECK(text.find("**CRITICAL** nats-9 is down; the other 2 servers have quorum") != std::string::npos);
  CHECK(text.find("```\nsystemctl restart nats-server\n```") != std::string::npos);
  CHECK(text.find("[Runbook](https://runbooks.example.com/nats/server-down)") != std::string::npos);
  CHECK(json(render_mattermost(r)).size() == 1);  // only text without options
}

TEST_CASE("a huge report stays under 16,000 characters with the note, verdict, worst findings and commands") {
  Report r = test_reports::huge();
  r.url = "https://rr.example.com/r/r-1";
  json body = render_mattermost(r);
  auto problems = test::mattermost_violations(dump(body));
  INFO((problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  std::string text = body["text"];
  CHECK(text.size() <= kMattermostTextBytes);
  CHECK(text.find("VERDICT") != std::string::npos);
  CHECK(text.find("**CRITICAL** finding 0 ") != std::string::npos);
  CHECK(text.find("nats server check") != std::string::npos);
  CHECK(text.find("more findings") != std::string::npos);
  CHECK(text.find("left out of this message; full report: [open](https://rr.example.com/r/r-1)") !=
        std::string::npos);
  CHECK(text.find("[Full report](https://rr.example.com/r/r-1)") != std::string::npos);
}

TEST_CASE("hostile text reaches Mattermost escaped") {
  Report r = test_reports::small();
  r.verdict = "@channel " + test_reports::kHostile;
  r.alerts[0].summary = "@all [phish](https://evil.example) <!here>";
  std::string text = render_mattermost(r)["text"];
  CHECK(test::mattermost_violations(json{{"text", text}}.dump()).empty());
  CHECK(text.find("@channel") == std::string::npos);
  CHECK(text.find("@all") == std::string::npos);
  CHECK(text.find("\\[phish\\](https://evil.example)") != std::string::npos);
  CHECK(text.find("\\<!here\\>") != std::string::npos);
}

NotifyTarget target(const std::string& url, std::map<std::string, std::string> more = {}) {
  more["url"] = url;
  return NotifyTarget{"mm", "mattermost", std::move(more), {}, "/etc/rr.yaml", 3};
}

TEST_CASE("mattermost options are checked without echoing the URL") {
  CHECK_FALSE(make_notifier(target("ftp://SECRET@h/hooks/x")).ok());
  CHECK(make_notifier(target("ftp://SECRET@h/hooks/x")).error().to_string().find("SECRET") == std::string::npos);
  CHECK_FALSE(make_notifier(target("https://h/hooks/x", {{"icon_url", "javascript:x"}})).ok());
  CHECK_FALSE(make_notifier(target("https://h/hooks/x", {{"channel", "two words"}})).ok());
  CHECK_FALSE(make_notifier(target("https://h/hooks/x", {{"color", "red"}})).ok());
  CHECK(make_notifier(target("https://h/hooks/x", {{"channel", "ops"}, {"username", "Runbook Responder"}})).ok());
  CHECK(find_target_type("mattermost")->rate.per_second == 1.0);
}

TEST_CASE("the Mattermost notifier posts, and says what a refusal means") {
  test::HttpSink sink;
  const std::string path = "/mattermost/hooks/SECRETHOOKKEY";
  auto notifier = make_notifier(target(sink.url(path), {{"username", "rr"}}));
  REQUIRE(notifier.ok());
  Report r = test_reports::huge();
  Delivery ok = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(ok.ok);
  CHECK(ok.http_status == 200);
  CHECK_FALSE(ok.thread);
  auto seen = sink.requests(path);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(json::parse(seen[0].body)["username"] == "rr");
  CHECK(sink.violations().empty());

  sink.script(path, {test::SinkResponse{429, "rate limited", {{"Retry-After", "3"}}},
                     test::SinkResponse{500, "boom"},
                     test::SinkResponse{400, R"({"id":"web.incoming_webhook.text.app_error","message":"No text specified, )" +
                                                 sink.url(path) + R"("})"},
                     test::SinkResponse{200, "not ok"}});
  Delivery limited = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(limited.retryable);
  CHECK(limited.retry_after == Millis(3000));
  Delivery server = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(server.retryable);
  CHECK(server.http_status == 500);
  Delivery refused = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.retryable);
  CHECK(refused.error.find("No text specified") != std::string::npos);
  CHECK(refused.error.find("SECRETHOOKKEY") == std::string::npos);
  Delivery odd = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK_FALSE(odd.ok);  // Mattermost's success is the body "ok"
}

}  // namespace
}  // namespace rr
