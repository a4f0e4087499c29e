#include <catch2/catch.hpp>

#include "notify/googlechat/googlechat.h"
#include "notify/http_target.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kSpace = "/googlechat/v1/spaces/AAAAresponder/messages";
const std::string kQuery = "?key=KEYSECRET123456&token=TOKENSECRET654321";

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

std::vector<std::string> text_problems(const std::string& text) {
  return test::googlechat_violations(json{{"text", text}}.dump());
}

TEST_CASE("the Google Chat sink refuses what Google Chat would, and what could mention") {
  CHECK(text_problems("*bold* _it_ `code` <https://ok.example/x|Runbook>\n```\nx\n```").empty());
  CHECK(mentions(test::googlechat_violations("[]"), "not a JSON object"));
  CHECK(mentions(test::googlechat_violations(R"({"thread":{"threadKey":"k"}})"), "needs text or cardsV2"));
  CHECK(mentions(text_problems("hi <users/all>"), "mention <users/all>"));
  CHECK(mentions(text_problems("hi <users/1234567>"), "mention <users/1234567>"));
  CHECK(mentions(text_problems("<javascript:alert(1)|click>"), "not a <url|text> link"));
  CHECK(mentions(text_problems("a < b"), "not a <url|text> link"));
  CHECK(mentions(text_problems("<https://evil.example|https://bank.example>"), "looks like an address"));
  CHECK(mentions(text_problems("```\nopen"), "never closed"));
  CHECK(mentions(text_problems("hi @all"), "mention word @all"));
  CHECK(mentions(text_problems(std::string(32001, 'x')), "bytes > 32,000"));
  CHECK(mentions(test::googlechat_violations(R"({"text":"x","thread":{}})"), "thread: needs threadKey or name"));
  CHECK(mentions(test::googlechat_violations(R"({"text":"x","cards":[]})"), "unknown field cards"));

  test::HttpSink sink;
  auto raw = HttpTarget::make(sink.url(kSpace + kQuery));
  REQUIRE(raw.ok());
  const std::string body = R"({"text":"x","thread":{"threadKey":"k1"}})";
  CHECK(raw->call(HttpCall{.suffix = "&threadKey=k1", .body = body}, Deadline::after(5s)).delivery.http_status == 400);
  CHECK(raw->call(HttpCall{.suffix = "&threadKey=k2&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", .body = body},
                  Deadline::after(5s))
            .delivery.http_status == 400);
  auto no_token = HttpTarget::make(sink.url(kSpace + "?key=KEYSECRET123456"));
  REQUIRE(no_token.ok());
  CHECK(no_token->post(R"({"text":"x"})", "application/json", Deadline::after(5s)).http_status == 400);
  auto seen = sink.violations();
  CHECK(mentions(seen, "threadKey without messageReplyOption"));
  CHECK(mentions(seen, "query and body disagree"));
  CHECK(mentions(seen, "query token: missing"));
}

TEST_CASE("thread keys are stable per alert group") {
  CHECK(googlechat_thread_key("{}:{alertname=\"A\"}") == googlechat_thread_key("{}:{alertname=\"A\"}"));
  CHECK(googlechat_thread_key("{}:{alertname=\"A\"}") != googlechat_thread_key("{}:{alertname=\"B\"}"));
  CHECK(googlechat_thread_key("") == "rr-cbf29ce484222325");  // FNV-1a's offset basis: the hash is the documented one
  CHECK(googlechat_thread_key("a") == "rr-af63dc4c8601ec8c");
}

TEST_CASE("a small report in Google Chat's formatting") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/r/r-1";
  json body = render_googlechat(r);
  CHECK(test::googlechat_violations(dump(body)).empty());
  CHECK(body["thread"]["threadKey"] == googlechat_thread_key(r.group_key));
  std::string text = body["text"];
  CHECK(text.starts_with("*[FIRING:1] NatsServerDown nats-west*\n"));
  CHECK(text.find("*CRITICAL* nats-9 is down; the other 2 servers have quorum") != std::string::npos);
  CHECK(text.find("*CRITICAL* nats-9 does not answer `nats.server_down`") != std::string::npos);
  CHECK(text.find("```\nsystemctl restart nats-server\n```") != std::string::npos);
  CHECK(text.find("*<https://rr.example.com/r/r-1|Full report>*") != std::string::npos);
  CHECK(text.find("<https://runbooks.example.com/nats/server-down|Runbook>") != std::string::npos);
  CHECK(text.find("**") == std::string::npos);  // Google Chat's bold is one star
}

TEST_CASE("a huge report stays within 32,000 bytes with the note, verdict, worst findings and commands") {
  Report r = test_reports::huge();
  for (std::size_t max : {kGoogleChatBodyBytes, std::size_t{6000}}) {
    INFO(max);
    json body = render_googlechat(r, max);
    std::string all = dump(body);
    auto problems = test::googlechat_violations(all);
    INFO((problems.empty() ? "" : problems[0]));
    CHECK(problems.empty());
    CHECK(all.size() <= max);
    std::string text = body["text"];
    CHECK(text.find("VERDICT") != std::string::npos);
    CHECK(text.find("*CRITICAL* finding 0 ") != std::string::npos);
    CHECK(text.find("nats server check") != std::string::npos);
    CHECK(text.find("more findings") != std::string::npos);
    CHECK(text.find("left out of this message") != std::string::npos);
  }
  // Quotes and backslashes double in JSON: the body still fits.
  Report quoted = test_reports::small();
  quoted.steps[0].output = std::string(60000, '"');
  CHECK(dump(render_googlechat(quoted)).size() <= kGoogleChatBodyBytes);
}

TEST_CASE("hostile text cannot mention or link in Google Chat") {
  Report r = test_reports::small();
  r.title = "<users/all> " + test_reports::kHostile;
  r.verdict = "<https://evil.example|your bank> @all";
  r.findings[0].evidence = {"<users/1234> ```x"};
  r.suggestions = {Suggestion{"echo '<users/all>' @here ```", "why <users/all>", "low"}};
  json body = render_googlechat(r);
  CHECK(test::googlechat_violations(dump(body)).empty());
  std::string text = body["text"];
  CHECK(text.find("<users/") == std::string::npos);
  CHECK(text.find("\xE2\x80\xB9users/all>") != std::string::npos);
  CHECK(text.find("<https://evil") == std::string::npos);
  CHECK(text.find("@all") == std::string::npos);
  CHECK(text.find("@here") == std::string::npos);
}

NotifyTarget target(const std::string& url) { return NotifyTarget{"gc", "googlechat", {{"url", url}}, {}, "/etc/rr.yaml", 4}; }

TEST_CASE("one alert group is one Google Chat thread") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kSpace + kQuery)));
  REQUIRE(notifier.ok());
  Report first = test_reports::small();
  Report second = test_reports::small();
  second.title = "[FIRING:2] NatsServerDown nats-west";
  Report other = test_reports::small();
  other.group_key = "{}:{alertname=\"StreamFull\"}";
  for (const Report* r : {&first, &second, &other}) {
    Delivery d = (*notifier)->send(Message{*r, ""}, Deadline::after(5s));
    CHECK(d.ok);
    CHECK(d.http_status == 200);
    CHECK_FALSE(d.thread);
  }
  auto seen = sink.requests(kSpace);
  REQUIRE(seen.size() == 3);
  for (const auto& req : seen) {
    CHECK(req.query.at("key") == "KEYSECRET123456");
    CHECK(req.query.at("token") == "TOKENSECRET654321");
    CHECK(req.query.at("messageReplyOption") == "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    CHECK(json::parse(req.body)["thread"]["threadKey"] == req.query.at("threadKey"));
  }
  CHECK(seen[0].query.at("threadKey") == seen[1].query.at("threadKey"));
  CHECK(seen[0].query.at("threadKey") != seen[2].query.at("threadKey"));
  CHECK(sink.violations().empty());
}

TEST_CASE("Google Chat's 429, 5xx and 400 answers, without the key or token") {
  test::HttpSink sink;
  auto notifier = make_notifier(target(sink.url(kSpace + kQuery)));
  REQUIRE(notifier.ok());
  Report r = test_reports::small();
  sink.script(kSpace, {test::SinkResponse{429, R"({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}})", {{"Retry-After", "7"}}},
                       test::SinkResponse{503, "unavailable"},
                       test::SinkResponse{400, R"({"error": {"code": 400, "message": "Invalid JSON payload received for token TOKENSECRET654321", "status": "INVALID_ARGUMENT"}})"}});
  Delivery limited = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(limited.retryable);
  CHECK(limited.retry_after == Millis(7000));
  Delivery server = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK(server.retryable);
  Delivery refused = (*notifier)->send(Message{r, ""}, Deadline::after(5s));
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.retryable);
  CHECK(refused.error.find("Invalid JSON payload") != std::string::npos);
  CHECK(refused.error.find("TOKENSECRET") == std::string::npos);
  CHECK(refused.error.find("KEYSECRET") == std::string::npos);
  CHECK_FALSE(make_notifier(target(sink.url(kSpace + kQuery + "&threadKey=x"))).ok());
}

}  // namespace
}  // namespace rr
