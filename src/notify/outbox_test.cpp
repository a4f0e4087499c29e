// The delivery stages against real local sinks and a real (in-memory)
// state store: route, outbox, rate limit, retry with backoff, record.

#include "notify/outbox.h"

#include <catch2/catch.hpp>

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "notify/test_reports.h"
#include "report/report_json.h"
#include "state/sqlite_store.h"
#include "support/http_sink.h"
#include "support/services/services.h"
#include "support/wait.h"

namespace rr {
namespace {

using namespace std::chrono_literals;

DeliveryOptions fast() {
  DeliveryOptions o;
  o.backoff = BackoffPolicy{50ms, 200ms};
  o.attempt_timeout = 5000ms;
  return o;
}

NotifyTarget target(std::string name, std::string type, std::string url, std::vector<Matcher> match = {},
                    std::map<std::string, std::string> more = {}) {
  NotifyTarget t{std::move(name), std::move(type), std::move(more), std::move(match)};
  if (!url.empty()) t.options["url"] = std::move(url);
  return t;
}

std::unique_ptr<StateStore> memory_store() {
  auto s = SqliteStore::open(":memory:");
  REQUIRE(s);
  return std::move(*s);
}

// A report committed for `targets`, as the engine does after a triage.
void commit(StateStore& store, const Report& r, const std::vector<std::string>& targets) {
  TriageCommit c;
  c.reports.push_back(StoredReport{r.id, r.created, r.group_key, std::string(report_kind_name(r.kind)),
                                   std::string(severity_name(r.worst())), r.title, r.verdict, report_to_json_text(r)});
  for (const auto& t : targets) c.deliveries.emplace_back(r.id, t);
  REQUIRE(store.commit(c));
}

Report report(const std::string& id, Nanos age = 0s) {
  Report r = test_reports::small();
  r.id = id;
  r.created = std::chrono::time_point_cast<Nanos>(Clock::now()) - age;
  return r;
}

std::size_t owed(StateStore& store, const std::string& target) {
  auto p = store.pending(target, 1000);
  REQUIRE(p);
  return p->size();
}

bool drained(StateStore& store, const std::string& target) {
  return test::wait_until([&] { return owed(store, target) == 0; }, 30s);
}

double counted(Metrics& m, const std::string& target, const std::string& outcome) {
  return m.counter("rr_notifications_total", "", {"target", "outcome"}).value({target, outcome});
}

std::unique_ptr<Outbox> make(const std::vector<NotifyTarget>& targets, StateStore& store, Metrics& metrics,
                             DeliveryOptions options = fast()) {
  auto o = Outbox::make(targets, store, metrics, options);
  REQUIRE(o.ok());
  return std::move(*o);
}

Matcher matcher(const std::string& text) {
  auto m = Matcher::parse(text);
  REQUIRE(m.ok());
  return *m;
}

// Records what it was given; answers from a script of Delivery values.
class FakeNotifier final : public Notifier {
 public:
  struct Seen {
    std::string report_id;
    std::string thread;
  };
  Delivery send(const Message& m, Deadline) override {
    std::lock_guard lock(mu);
    seen.push_back(Seen{m.report.id, m.thread});
    Delivery d;
    d.ok = true;
    d.thread = "thread-after-" + m.report.id;
    return d;
  }
  std::vector<Seen> got() {
    std::lock_guard lock(mu);
    return seen;
  }
  std::mutex mu;
  std::vector<Seen> seen;
};

TEST_CASE("outbox: a committed report reaches a webhook and a Slack target, within their limits") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("json", "webhook", sink.url("/webhook-json/a")), target("chat", "slack", sink.url("/slack/b"))},
                     *store, metrics);
  Report r = report("r1");
  CHECK(outbox->route(r) == std::vector<std::string>{"json", "chat"});
  commit(*store, r, outbox->route(r));
  outbox->start();
  outbox->wake();
  REQUIRE(drained(*store, "json"));
  REQUIRE(drained(*store, "chat"));
  CHECK(sink.requests("/webhook-json/a").size() == 1);
  CHECK(sink.requests("/slack/b").size() == 1);
  CHECK(sink.violations().empty());
  CHECK(counted(metrics, "json", "sent") == 1);
  CHECK(counted(metrics, "chat", "sent") == 1);
  std::string exposed = metrics.expose();
  CHECK(exposed.find("rr_delivery_latency_seconds_count{target=\"chat\"} 1") != std::string::npos);
  CHECK(exposed.find("rr_outbox_pending{target=\"chat\"} 0") != std::string::npos);
}

TEST_CASE("outbox: one built and thrown away (a refused reload) leaves the running one's gauges") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  auto running = make({target("chat", "slack", sink.url("/slack/g"))}, *store, metrics);
  running->start();
  make({target("other", "slack", sink.url("/slack/h"))}, *store, metrics).reset();
  std::string exposed = metrics.expose();
  CHECK(exposed.find("rr_outbox_pending{target=\"chat\"} 0") != std::string::npos);
  CHECK(exposed.find("rr_outbox_oldest_seconds{target=\"chat\"} 0") != std::string::npos);
  CHECK(exposed.find("target=\"other\"") == std::string::npos);
}

TEST_CASE("outbox: 5xx is retried with backoff until it succeeds") {
  test::HttpSink sink;
  sink.script("/webhook-json/r", {test::SinkResponse{500, "boom"}, test::SinkResponse{502, "bad gateway"}});
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("r", "webhook", sink.url("/webhook-json/r"))}, *store, metrics);
  commit(*store, report("r1"), {"r"});
  outbox->start();
  REQUIRE(drained(*store, "r"));
  auto seen = sink.requests("/webhook-json/r");
  REQUIRE(seen.size() == 3);
  // Backoff with jitter: at least half of 50 ms, then half of 100 ms.
  CHECK(seen[1].received - seen[0].received >= 25ms);
  CHECK(seen[2].received - seen[1].received >= 50ms);
  CHECK(counted(metrics, "r", "retried") == 2);
  CHECK(counted(metrics, "r", "sent") == 1);
  CHECK(counted(metrics, "r", "failed") == 0);
}

TEST_CASE("outbox: a 400 is final: logged with the service's answer, counted, not retried") {
  test::HttpSink sink;
  const std::string path = "/webhook-json/T0/B0/VERYSECRET";
  sink.script(path, {}, test::SinkResponse{400, "invalid_payload " + sink.url(path)});
  Metrics metrics;
  auto store = memory_store();
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  {
    auto outbox = make({target("hook", "webhook", sink.url(path))}, *store, metrics);
    commit(*store, report("r1"), {"hook"});
    outbox->start();
    REQUIRE(drained(*store, "hook"));
  }
  spdlog::set_default_logger(previous);
  CHECK(sink.requests().size() == 1);
  CHECK(counted(metrics, "hook", "failed") == 1);
  CHECK(log.str().find("hook (webhook): report r1 refused, not retried") != std::string::npos);
  CHECK(log.str().find("HTTP 400: invalid_payload") != std::string::npos);
  CHECK(log.str().find("VERYSECRET") == std::string::npos);
  CHECK(metrics.expose().find("VERYSECRET") == std::string::npos);
}

TEST_CASE("outbox: a 429 waits for its Retry-After") {
  test::HttpSink sink;
  sink.script("/slack/limited", {test::SinkResponse{429, "rate_limited", {{"Retry-After", "1"}}}});
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("s", "slack", sink.url("/slack/limited"))}, *store, metrics);
  commit(*store, report("r1"), {"s"});
  outbox->start();
  REQUIRE(drained(*store, "s"));
  auto seen = sink.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].received - seen[0].received >= 950ms);
  CHECK(counted(metrics, "s", "sent") == 1);
}

TEST_CASE("outbox: a report older than max_age is dropped, logged and counted, never sent") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  DeliveryOptions o = fast();
  o.max_age = 30min;
  auto outbox = make({target("json", "webhook", sink.url("/webhook-json/old"))}, *store, metrics, o);
  commit(*store, report("stale", 2h), {"json"});
  commit(*store, report("fresh"), {"json"});
  outbox->start();
  REQUIRE(drained(*store, "json"));
  auto seen = sink.requests();
  REQUIRE(seen.size() == 1);
  CHECK(nlohmann::json::parse(seen[0].body)["id"] == "fresh");
  CHECK(counted(metrics, "json", "dropped") == 1);
  // A target's own max_age overrides the delivery's.
  auto store2 = memory_store();
  Metrics metrics2;
  auto strict = make({target("json", "webhook", sink.url("/webhook-json/old"), {}, {{"max_age", "1m"}})}, *store2,
                     metrics2);
  commit(*store2, report("five-minutes", 5min), {"json"});
  strict->start();
  REQUIRE(drained(*store2, "json"));
  CHECK(counted(metrics2, "json", "dropped") == 1);
}

TEST_CASE("outbox: a target that hangs never delays another") {
  test::HttpSink sink;
  sink.script("/webhook-json/hang", {}, test::SinkResponse{200, "ok", {}, 60s});
  Metrics metrics;
  auto store = memory_store();
  DeliveryOptions o = fast();
  o.attempt_timeout = 1000ms;
  auto outbox = make({target("hang", "webhook", sink.url("/webhook-json/hang")), target("fast", "slack", sink.url("/slack/fast"))},
                     *store, metrics, o);
  commit(*store, report("r1"), {"hang", "fast"});
  commit(*store, report("r2"), {"fast"});
  outbox->start();
  REQUIRE(drained(*store, "fast"));
  CHECK(sink.requests("/slack/fast").size() == 2);
  CHECK(owed(*store, "hang") == 1);  // still being retried
  outbox->stop();                    // within the attempt timeout
  CHECK(owed(*store, "hang") == 1);  // kept for the next start
}

TEST_CASE("outbox: a target down for a while gets the report once it is back, and what stop() left is sent after a restart") {
  test::HttpSink sink;
  sink.script("/webhook-json/down", {}, test::SinkResponse{503, "down"});
  Metrics metrics;
  auto store = memory_store();
  {
    auto outbox = make({target("json", "webhook", sink.url("/webhook-json/down"))}, *store, metrics);
    commit(*store, report("r1"), {"json"});
    outbox->start();
    REQUIRE(sink.wait_for(3, 30s));  // failed three times: down
    outbox->stop();
  }
  CHECK(owed(*store, "json") == 1);
  sink.script("/webhook-json/down", {});  // back up
  Metrics again;
  auto restarted = make({target("json", "webhook", sink.url("/webhook-json/down"))}, *store, again);
  restarted->start();
  REQUIRE(drained(*store, "json"));
  CHECK(counted(again, "json", "sent") == 1);
  auto seen = sink.requests();
  CHECK(nlohmann::json::parse(seen.back().body)["id"] == "r1");
}

TEST_CASE("outbox: a target down for many minutes' worth of attempts gets the report once it is back, once") {
  // 30 failures in a row: at the default backoff (1 s doubling to 5 min,
  // jittered into [half, full]) they span at least this long.
  constexpr int kFailures = 30;
  Millis least{0};
  for (int i = 1; i <= kFailures; ++i) least += backoff(BackoffPolicy{}, i, 0.0);
  CHECK(least > 30min);

  test::HttpSink sink;
  // Down for kFailures attempts, then back: the same process, no restart.
  sink.script("/webhook-json/long", std::vector<test::SinkResponse>(kFailures, test::SinkResponse{503, "down"}));
  Metrics metrics;
  auto store = memory_store();
  DeliveryOptions o = fast();
  o.backoff = BackoffPolicy{1ms, 4ms};  // the same attempts, minutes shortened to milliseconds
  auto outbox = make({target("json", "webhook", sink.url("/webhook-json/long"))}, *store, metrics, o);
  commit(*store, report("r1"), {"json"});
  outbox->start();
  REQUIRE(sink.wait_for(kFailures - 1, 30s));
  CHECK(owed(*store, "json") == 1);  // never given up while younger than max_age
  REQUIRE(drained(*store, "json"));
  CHECK(sink.requests("/webhook-json/long").size() == static_cast<std::size_t>(kFailures) + 1);
  CHECK(counted(metrics, "json", "sent") == 1);
  CHECK(counted(metrics, "json", "retried") == kFailures);
  CHECK(counted(metrics, "json", "dropped") == 0);
}

TEST_CASE("outbox: what is owed to a target no longer configured is dropped at start, logged and counted") {
  test::HttpSink sink;
  auto store = memory_store();
  commit(*store, report("r1"), {"old-name", "kept"});
  commit(*store, report("r2"), {"old-name"});
  std::ostringstream log;
  auto sink_log = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto logger = std::make_shared<spdlog::logger>("outbox-test", sink_log);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  Metrics metrics;
  auto outbox = make({target("kept", "webhook", sink.url("/webhook-json/kept"))}, *store, metrics);
  outbox->start();
  REQUIRE(drained(*store, "kept"));
  outbox->stop();
  spdlog::set_default_logger(previous);
  CHECK(owed(*store, "old-name") == 0);
  CHECK(counted(metrics, "old-name", "dropped") == 2);
  CHECK(counted(metrics, "kept", "sent") == 1);
  CHECK(log.str().find("2 report(s) owed to target old-name, which is no longer configured, are dropped") !=
        std::string::npos);
}

TEST_CASE("outbox: targets posting to one destination share its rate limit; others keep their own") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  const std::map<std::string, std::string> hourly{{"rate_limit", "1/h"}};
  // Two targets (say, one per severity) on one Slack webhook: the service
  // counts per webhook, so the second message waits for the hour.
  auto shared = make({target("crit", "slack", sink.url("/slack/same"), {}, hourly),
                      target("warn", "slack", sink.url("/slack/same"), {}, hourly),
                      target("other", "slack", sink.url("/slack/other"), {}, hourly)},
                     *store, metrics);
  commit(*store, report("r1"), {"crit", "warn", "other"});
  shared->start();
  REQUIRE(drained(*store, "other"));  // its own pace: not held back by the shared one
  REQUIRE(test::wait_until([&] { return owed(*store, "crit") + owed(*store, "warn") == 1; }, 30s));
  CHECK_FALSE(sink.wait_for(3, 500ms));
  CHECK(sink.requests("/slack/same").size() == 1);
  shared->stop();
}

TEST_CASE("outbox: each target's messages go in the order the reports were made") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("json", "webhook", sink.url("/webhook-json/o"))}, *store, metrics);
  for (int i = 0; i < 5; ++i) commit(*store, report("r" + std::to_string(i)), {"json"});
  outbox->start();
  REQUIRE(drained(*store, "json"));
  auto seen = sink.requests();
  REQUIRE(seen.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(nlohmann::json::parse(seen[i].body)["id"] == "r" + std::to_string(i));
}

TEST_CASE("outbox: what a target keeps for a group comes back with the group's next message") {
  auto store = memory_store();
  Metrics metrics;
  auto fake = std::make_unique<FakeNotifier>();
  FakeNotifier* notifier = fake.get();
  std::vector<Outbox::Target> targets;
  targets.push_back(Outbox::Target{"fake", "fake", {}, std::move(fake), RateLimit{}, Nanos(0)});
  Outbox outbox(std::move(targets), *store, metrics, fast());
  Report a = report("a1");
  Report b = report("b1");
  b.group_key = "{}:{alertname=\"Other\"}";
  Report a2 = report("a2");
  commit(*store, a, {"fake"});
  commit(*store, b, {"fake"});
  commit(*store, a2, {"fake"});
  outbox.start();
  REQUIRE(drained(*store, "fake"));
  auto got = notifier->got();
  REQUIRE(got.size() == 3);
  CHECK(got[0].thread.empty());
  CHECK(got[1].thread.empty());             // another group
  CHECK(got[2].thread == "thread-after-a1");  // a2 follows a1
  auto kept = store->thread("fake", a.group_key);
  REQUIRE(kept);
  CHECK(*kept == "thread-after-a2");
}

TEST_CASE("outbox: targets are chosen by their matchers and by what they want") {
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("crit", "webhook", "http://127.0.0.1:9/c", {matcher("severity=\"critical\"")}),
                      target("warn", "webhook", "http://127.0.0.1:9/w", {matcher("severity=warning")}),
                      target("west", "webhook", "http://127.0.0.1:9/x", {matcher("cluster=~\"nats-.*\""), matcher("team!=\"db\"")}),
                      target("chat", "slack", "http://127.0.0.1:9/s")},
                     *store, metrics);
  Report r = test_reports::small();  // severity=critical, cluster=nats-west
  CHECK(outbox->route(r) == std::vector<std::string>{"crit", "west", "chat"});
  r.common_labels = {{"severity", "info"}, {"team", "db"}};
  CHECK(outbox->route(r) == std::vector<std::string>{"chat"});
  r.kind = Report::Kind::Started;  // a progress notice: chat webhooks cannot edit, so they skip it
  CHECK(outbox->route(r).empty());
}

TEST_CASE("outbox: a huge hostile report still passes Slack's limits") {
  test::HttpSink sink;
  Metrics metrics;
  auto store = memory_store();
  auto outbox = make({target("chat", "slack", sink.url("/slack/huge")), target("json", "webhook", sink.url("/webhook-json/huge"))},
                     *store, metrics);
  Report huge = test_reports::huge();
  huge.created = std::chrono::time_point_cast<Nanos>(Clock::now());
  commit(*store, huge, {"chat", "json"});
  outbox->start();
  REQUIRE(drained(*store, "chat"));
  REQUIRE(drained(*store, "json"));
  for (const auto& v : sink.violations()) INFO(v);
  CHECK(sink.violations().empty());
  CHECK(counted(metrics, "chat", "sent") == 1);
  CHECK(counted(metrics, "json", "sent") == 1);
}

TEST_CASE("outbox: the sink's checks can fail") {
  // Guards the guard: a check that cannot fail proves nothing.
  CHECK_FALSE(test::slack_violations(R"({"blocks":[]})").empty());
  CHECK_FALSE(test::slack_violations(R"({"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<!channel>"}}]})").empty());
  CHECK_FALSE(test::slack_violations(R"({"text":"x","blocks":[{"type":"header","text":{"type":"plain_text","text":")" +
                                     std::string(151, 'h') + R"("}}]})").empty());
  CHECK_FALSE(test::slack_violations("not json").empty());
  CHECK_FALSE(test::webhook_json_violations(R"({"version":1})").empty());
}

TEST_CASE("Outbox::make refuses unknown types and bad URLs, naming the target only") {
  Metrics metrics;
  auto store = memory_store();
  auto unknown = Outbox::make({target("pager", "pager2", "https://x.example/SECRET")}, *store, metrics);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("unknown type \"pager2\"") != std::string::npos);
  auto bad = Outbox::make({target("chat", "slack", "hooks.slack.com/services/SECRET")}, *store, metrics);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string().find("SECRET") == std::string::npos);
  auto console = Outbox::make({target("stdout", "console", "")}, *store, metrics);
  REQUIRE(console.ok());
  CHECK((*console)->size() == 1);
}

}  // namespace
}  // namespace rr
