// The Slack bot against the test sink playing Slack's Web API: one message
// per incident, edited in place, follow-ups and the resolution in its thread.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "notify/slack/slack.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const char* kToken = "xoxb-1111-2222-s3cretToken";

std::unique_ptr<Notifier> bot(const test::HttpSink& sink) {
  NotifyTarget t{"oncall", "slack", {{"token", kToken}, {"channel", "#nats-oncall"}, {"api_url", sink.url("/slack-api")}}, {}};
  auto n = make_notifier(t);
  REQUIRE(n);
  return std::move(*n);
}

Report of(Report::Kind kind, const std::string& status = "firing") {
  Report r = test_reports::small();
  r.kind = kind;
  r.status = status;
  if (kind == Report::Kind::Started) r.verdict = "Diagnosing: running 2 read-only checks of rule nats-server-down";
  if (kind == Report::Kind::Resolution) {
    r.title = "[RESOLVED] NatsServerDown nats-west";
    r.verdict = "Resolved: NatsServerDown after 10m";
    r.findings.clear();
    r.steps.clear();
  }
  return r;
}

// Sends `r` with what was kept, and keeps what comes back (as the outbox does).
Delivery send(Notifier& n, const Report& r, std::string& thread) {
  Delivery d = n.send(Message{r, thread}, Deadline::after(10s));
  if (d.ok && d.thread) thread = *d.thread;
  return d;
}

json body(const test::SinkRequest& r) { return json::parse(r.body); }

TEST_CASE("slack bot: one message per incident, from diagnosing to the report to resolved, follow-ups in its thread") {
  test::HttpSink sink;
  auto n = bot(sink);
  std::string thread;
  CHECK(n->wants(of(Report::Kind::Started)));

  REQUIRE(send(*n, of(Report::Kind::Started), thread).ok);
  REQUIRE(send(*n, of(Report::Kind::Triage), thread).ok);
  Report follow_up = of(Report::Kind::Triage);
  follow_up.verdict = "A second alert joined: nats-8 is down too";
  REQUIRE(send(*n, follow_up, thread).ok);
  REQUIRE(send(*n, of(Report::Kind::Resolution, "resolved"), thread).ok);
  CHECK(thread.empty());  // over: the next firing starts a new message

  auto seen = sink.requests();
  CHECK(sink.violations().empty());
  REQUIRE(seen.size() == 5);
  // 1: the notice, posted to the configured channel.
  CHECK(seen[0].path == "/slack-api/chat.postMessage");
  CHECK(seen[0].header("Authorization") == std::string("Bearer ") + kToken);
  CHECK(body(seen[0])["channel"] == "#nats-oncall");
  CHECK(body(seen[0])["text"].get<std::string>().find("Diagnosing") != std::string::npos);
  CHECK_FALSE(body(seen[0]).contains("thread_ts"));
  // 2: the report replaces it, in place.
  CHECK(seen[1].path == "/slack-api/chat.update");
  CHECK(body(seen[1])["channel"] == "C0RESPONDER");
  const std::string ts = body(seen[1])["ts"];
  CHECK(ts == "1790000000.100000");
  CHECK(body(seen[1])["text"].get<std::string>().find("nats-9 is down") != std::string::npos);
  // 3: a later report of the group replies in the thread.
  CHECK(seen[2].path == "/slack-api/chat.postMessage");
  CHECK(body(seen[2])["thread_ts"] == ts);
  CHECK(body(seen[2])["text"].get<std::string>().find("nats-8 is down too") != std::string::npos);
  // 4: resolved: the message is marked, and keeps its diagnosis ...
  CHECK(seen[3].path == "/slack-api/chat.update");
  CHECK(body(seen[3])["ts"] == ts);
  json blocks = body(seen[3])["blocks"];
  CHECK(blocks[0]["text"]["text"].get<std::string>().find("[RESOLVED]") != std::string::npos);
  CHECK(blocks[1]["text"]["text"].get<std::string>().find("Resolved: NatsServerDown after 10m") != std::string::npos);
  CHECK(body(seen[3]).dump().find("nats-9 does not answer") != std::string::npos);
  // 5: ... and the resolution replies in its thread.
  CHECK(seen[4].path == "/slack-api/chat.postMessage");
  CHECK(body(seen[4])["thread_ts"] == ts);
}

TEST_CASE("slack bot: a partial resolution replies in the thread and keeps the incident open") {
  test::HttpSink sink;
  auto n = bot(sink);
  std::string thread;
  REQUIRE(send(*n, of(Report::Kind::Triage), thread).ok);
  REQUIRE(send(*n, of(Report::Kind::Resolution, "firing"), thread).ok);
  CHECK_FALSE(thread.empty());
  auto seen = sink.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].path == "/slack-api/chat.postMessage");
  CHECK(body(seen[1]).contains("thread_ts"));
  // A second triage while the incident is open: no new notice, a reply.
  REQUIRE(send(*n, of(Report::Kind::Started), thread).ok);
  CHECK(sink.requests().size() == 2);
}

TEST_CASE("slack bot: a deleted message is posted again rather than lost") {
  test::HttpSink sink;
  auto n = bot(sink);
  std::string thread;
  REQUIRE(send(*n, of(Report::Kind::Started), thread).ok);
  sink.script("/slack-api/chat.update", {test::SinkResponse(200, R"({"ok":false,"error":"message_not_found"})")});
  REQUIRE(send(*n, of(Report::Kind::Triage), thread).ok);
  auto seen = sink.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].path == "/slack-api/chat.update");
  CHECK(seen[2].path == "/slack-api/chat.postMessage");
  CHECK_FALSE(body(seen[2]).contains("thread_ts"));
}

TEST_CASE("slack bot: answers with the wrong types are failures or ignored, never an exception") {
  test::HttpSink sink;
  auto n = bot(sink);
  Report r = of(Report::Kind::Triage);
  std::string thread;
  // "ok" not a boolean: not a success. "ts" not a string: delivered, but
  // nothing to edit later.
  sink.script("/slack-api/chat.postMessage", {test::SinkResponse(200, R"({"ok":"yes","ts":"1.2"})"),
                                              test::SinkResponse(200, R"({"ok":true,"ts":12,"channel":[1]})"),
                                              test::SinkResponse(200, R"({"ok":true,"ts":"3.4","channel":"C1"})")});
  Delivery odd = send(*n, r, thread);
  CHECK_FALSE(odd.ok);
  Delivery typed = send(*n, r, thread);
  CHECK(typed.ok);
  CHECK(thread.empty());
  // A stored thread that is not what we wrote starts a new message.
  thread = R"({"channel": 5, "ts": ["x"], "reported": "no"})";
  CHECK(send(*n, r, thread).ok);
  CHECK(sink.requests().back().path == "/slack-api/chat.postMessage");
}

TEST_CASE("slack bot: Web API errors: ratelimited and 429 are retried, the rest is final, and the token is never said") {
  test::HttpSink sink;
  auto n = bot(sink);
  Report r = of(Report::Kind::Triage);
  std::string thread;
  sink.script("/slack-api/chat.postMessage",
              {test::SinkResponse(429, "", {{"Retry-After", "7"}}),
               test::SinkResponse(200, R"({"ok":false,"error":"ratelimited"})"),
               test::SinkResponse(200, R"({"ok":false,"error":"invalid_auth"})"),
               test::SinkResponse(200, std::string(R"({"ok":false,"error":"not_in_channel )") + kToken + "\"}")});
  Delivery limited = send(*n, r, thread);
  CHECK_FALSE(limited.ok);
  CHECK(limited.retryable);
  CHECK(limited.retry_after == std::optional<Millis>(7000ms));
  Delivery soft = send(*n, r, thread);
  CHECK(soft.retryable);
  Delivery auth = send(*n, r, thread);
  CHECK_FALSE(auth.retryable);
  CHECK(auth.error.find("chat.postMessage answered \"invalid_auth\"") != std::string::npos);
  Delivery echoed = send(*n, r, thread);
  CHECK_FALSE(echoed.ok);
  CHECK(echoed.error.find("s3cretToken") == std::string::npos);
  for (const Delivery& d : {limited, soft, auth, echoed}) CHECK(d.error.find(kToken) == std::string::npos);
}

TEST_CASE("slack bot: a target is a webhook or a bot, never both, and a bot needs its channel") {
  auto error = [](std::map<std::string, std::string> options) {
    auto n = make_notifier(NotifyTarget{"s", "slack", std::move(options), {}});
    return n ? std::string() : n.error().message;
  };
  CHECK(error({{"url", "https://hooks.slack.com/services/T/B/X"}}).empty());
  CHECK(error({{"token", kToken}, {"channel", "C123"}}).empty());
  CHECK(error({}).find("set either url") != std::string::npos);
  CHECK(error({{"url", "https://hooks.slack.com/x"}, {"token", kToken}, {"channel", "C1"}}).find("set either url") !=
        std::string::npos);
  CHECK(error({{"token", kToken}}).find("needs the channel") != std::string::npos);
  CHECK(error({{"token", "xoxp-user-token"}, {"channel", "C1"}}).find("bot token") != std::string::npos);
  CHECK(error({{"url", "https://hooks.slack.com/x"}, {"channel", "C1"}}).find("go with a bot token") !=
        std::string::npos);
  for (const auto& e : {error({{"token", kToken}}), error({{"token", "xoxp-user-token"}, {"channel", "C1"}})})
    CHECK(e.find("s3cret") == std::string::npos);
}

}  // namespace
}  // namespace rr
