#include <catch2/catch.hpp>

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "notify/dispatcher.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using Kind = TargetOutcome::Kind;

RetryPolicy fast_policy() {
  RetryPolicy p;
  p.first_backoff = 50ms;
  p.max_backoff = 200ms;
  return p;
}

std::unique_ptr<Dispatcher> make_dispatcher(const std::vector<NotifyTarget>& targets, Metrics& metrics,
                                            RetryPolicy policy = fast_policy()) {
  auto d = Dispatcher::make(targets, metrics, policy);
  REQUIRE(d.ok());
  return std::move(*d);
}

double counted(Metrics& m, const std::string& target, const std::string& outcome) {
  return m.counter("rr_notifications_total", "", {"target", "outcome"}).value({target, outcome});
}

Matcher matcher(const std::string& text) {
  auto m = Matcher::parse(text);
  REQUIRE(m.ok());
  return *m;
}

TEST_CASE("delivers to a webhook and a Slack target, within their limits") {
  test::HttpSink sink;
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"json", "webhook", {{"url", sink.url("/webhook-json/a")}}, {}},
                                     {"chat", "slack", {{"url", sink.url("/slack/b")}}, {}}},
                                    metrics);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].target == "json");
  CHECK(outcomes[1].target == "chat");
  for (const auto& o : outcomes) {
    CHECK(o.outcome == Kind::Sent);
    CHECK(o.attempts == 1);
  }
  CHECK(sink.requests("/webhook-json/a").size() == 1);
  CHECK(sink.requests("/slack/b").size() == 1);
  CHECK(sink.violations().empty());
  CHECK(counted(metrics, "json", "sent") == 1);
  CHECK(counted(metrics, "chat", "sent") == 1);
  CHECK(metrics.expose().find("rr_notification_duration_seconds_count{target=\"chat\"} 1") != std::string::npos);
}

TEST_CASE("retries after 500 and then succeeds") {
  test::HttpSink sink;
  sink.script("/webhook-json/r", {test::SinkResponse{500, "boom"}, test::SinkResponse{502, "bad gateway"}});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"r", "webhook", {{"url", sink.url("/webhook-json/r")}}, {}}}, metrics);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].outcome == Kind::Sent);
  CHECK(outcomes[0].attempts == 3);
  auto seen = sink.requests("/webhook-json/r");
  REQUIRE(seen.size() == 3);
  // Exponential backoff: 50 ms, then 100 ms.
  CHECK(seen[1].received - seen[0].received >= 45ms);
  CHECK(seen[2].received - seen[1].received >= 95ms);
  CHECK(counted(metrics, "r", "sent") == 1);
  CHECK(counted(metrics, "r", "failed") == 0);
}

TEST_CASE("a 400 is final and not retried") {
  test::HttpSink sink;
  sink.script("/webhook-json/f", {}, test::SinkResponse{400, "invalid_payload"});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"f", "webhook", {{"url", sink.url("/webhook-json/f")}}, {}}}, metrics);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].outcome == Kind::Failed);
  CHECK(outcomes[0].attempts == 1);
  CHECK(outcomes[0].last.http_status == 400);
  CHECK(sink.requests().size() == 1);
  CHECK(counted(metrics, "f", "failed") == 1);
}

TEST_CASE("retryable failures stop after `attempts`") {
  test::HttpSink sink;
  sink.script("/webhook-json/d", {}, test::SinkResponse{503, "down"});
  Metrics metrics;
  RetryPolicy policy = fast_policy();
  policy.attempts = 3;
  auto dispatcher = make_dispatcher({{"d", "webhook", {{"url", sink.url("/webhook-json/d")}}, {}}}, metrics, policy);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  CHECK(outcomes.at(0).outcome == Kind::Failed);
  CHECK(outcomes.at(0).attempts == 3);
  CHECK(sink.requests().size() == 3);
}

TEST_CASE("Retry-After is honoured") {
  test::HttpSink sink;
  sink.script("/slack/limited", {test::SinkResponse{429, "rate_limited", {{"Retry-After", "1"}}}});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"s", "slack", {{"url", sink.url("/slack/limited")}}, {}}}, metrics);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  CHECK(outcomes.at(0).outcome == Kind::Sent);
  auto seen = sink.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].received - seen[0].received >= 950ms);
}

TEST_CASE("a Retry-After beyond the deadline gives up at once") {
  test::HttpSink sink;
  sink.script("/slack/limited", {}, test::SinkResponse{429, "rate_limited", {{"Retry-After", "25"}}});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"s", "slack", {{"url", sink.url("/slack/limited")}}, {}}}, metrics);
  auto started = std::chrono::steady_clock::now();
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(20s));
  // Waiting would take the whole 20 s deadline; giving up takes one request.
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(sink.requests().size() == 1);
  CHECK(outcomes.at(0).outcome == Kind::Dropped);
  CHECK(counted(metrics, "s", "dropped") == 1);
}

TEST_CASE("the deadline holds when the target never answers, and other targets are not delayed") {
  test::HttpSink sink;
  sink.script("/webhook-json/hang", {}, test::SinkResponse{200, "ok", {}, 60s});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"hang", "webhook", {{"url", sink.url("/webhook-json/hang")}}, {}},
                                     {"fast", "slack", {{"url", sink.url("/slack/fast")}}, {}}},
                                    metrics);
  auto started = std::chrono::steady_clock::now();
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(3s));
  auto took = std::chrono::steady_clock::now() - started;
  // The hanging target would hold the call for 60 s without the deadline.
  CHECK(took < 20s);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].outcome == Kind::Dropped);
  CHECK(outcomes[1].outcome == Kind::Sent);
  CHECK(outcomes[1].attempts == 1);
  // Served in parallel: the fast target is reached before the deadline the
  // hanging one uses up, not after it.
  auto fast = sink.requests("/slack/fast");
  REQUIRE(fast.size() == 1);
  CHECK(fast[0].received - started < 3s);
  CHECK(counted(metrics, "hang", "dropped") == 1);
}

TEST_CASE("targets are chosen by their matchers on the report's common labels") {
  test::HttpSink sink;
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"crit", "webhook", {{"url", sink.url("/webhook-json/crit")}}, {matcher("severity=\"critical\"")}},
                                     {"warn", "webhook", {{"url", sink.url("/webhook-json/warn")}}, {matcher("severity=warning")}},
                                     {"west", "webhook", {{"url", sink.url("/webhook-json/west")}},
                                      {matcher("cluster=~\"nats-.*\""), matcher("team!=\"db\"")}},
                                     {"all", "webhook", {{"url", sink.url("/webhook-json/all")}}, {}}},
                                    metrics);
  Report r = test_reports::small();  // severity=critical, cluster=nats-west
  auto outcomes = dispatcher->deliver(r, Deadline::after(5s));
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].target == "crit");
  CHECK(outcomes[1].target == "west");
  CHECK(outcomes[2].target == "all");
  CHECK(sink.requests("/webhook-json/warn").empty());
  CHECK(sink.requests().size() == 3);

  r.common_labels = {{"severity", "info"}, {"team", "db"}};
  outcomes = dispatcher->deliver(r, Deadline::after(5s));
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].target == "all");
}

TEST_CASE("a huge hostile report still passes Slack's limits") {
  test::HttpSink sink;
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"chat", "slack", {{"url", sink.url("/slack/huge")}}, {}},
                                     {"json", "webhook", {{"url", sink.url("/webhook-json/huge")}}, {}}},
                                    metrics);
  auto outcomes = dispatcher->deliver(test_reports::huge(), Deadline::after(10s));
  CHECK(sink.violations().empty());
  for (const auto& v : sink.violations()) INFO(v);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].outcome == Kind::Sent);
  CHECK(outcomes[1].outcome == Kind::Sent);
}

TEST_CASE("a Slack body that breaks the limits is refused by the sink") {
  // Guards the guard: the sink's checks must be able to fail.
  CHECK_FALSE(test::slack_violations(R"({"blocks":[]})").empty());
  CHECK_FALSE(test::slack_violations(R"({"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<!channel>"}}]})").empty());
  CHECK_FALSE(test::slack_violations(R"({"text":"x","blocks":[{"type":"header","text":{"type":"plain_text","text":")" +
                                     std::string(151, 'h') + R"("}}]})").empty());
  CHECK_FALSE(test::slack_violations("not json").empty());
  CHECK_FALSE(test::webhook_json_violations(R"({"version":1})").empty());
  test::HttpSink sink;
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"json", "webhook", {{"url", sink.url("/slack/not-really")}}, {}}}, metrics);
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  CHECK(outcomes.at(0).outcome == Kind::Failed);
  CHECK(outcomes.at(0).last.http_status == 400);
  CHECK_FALSE(sink.violations().empty());
}

TEST_CASE("failures are logged and counted without the URL") {
  test::HttpSink sink;
  const std::string path = "/webhook-json/T0/B0/VERYSECRET";
  sink.script(path, {}, test::SinkResponse{404, "no_service " + sink.url(path)});
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"hook", "webhook", {{"url", sink.url(path)}}, {}}}, metrics);

  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  auto outcomes = dispatcher->deliver(test_reports::small(), Deadline::after(5s));
  spdlog::set_default_logger(previous);

  CHECK(outcomes.at(0).outcome == Kind::Failed);
  CHECK(log.str().find("hook") != std::string::npos);
  CHECK(log.str().find("HTTP 404") != std::string::npos);
  CHECK(log.str().find("VERYSECRET") == std::string::npos);
  CHECK(outcomes[0].last.error.find("VERYSECRET") == std::string::npos);
  CHECK(metrics.expose().find("VERYSECRET") == std::string::npos);
}

TEST_CASE("Dispatcher::make refuses unknown types and bad URLs, naming the target only") {
  Metrics metrics;
  auto unknown = Dispatcher::make({{"pager", "pager2", {{"url", "https://x.example/SECRET"}}, {}}}, metrics);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().where == "notify.pager");
  CHECK(unknown.error().message.find("unknown type \"pager2\"") != std::string::npos);
  auto bad = Dispatcher::make({{"chat", "slack", {{"url", "hooks.slack.com/services/SECRET"}}, {}}}, metrics);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string().find("SECRET") == std::string::npos);
  auto console = Dispatcher::make({{"stdout", "console", {}, {}}}, metrics);
  REQUIRE(console.ok());
  CHECK((*console)->size() == 1);
}

TEST_CASE("no matching target means no delivery") {
  Metrics metrics;
  auto dispatcher = make_dispatcher({{"x", "webhook", {{"url", "http://127.0.0.1:9/never"}}, {matcher("team=\"none\"")}}}, metrics);
  CHECK(dispatcher->deliver(test_reports::small(), Deadline::after(1s)).empty());
}

}  // namespace
}  // namespace rr
