// Engine::process on the test thread (no workers): what each notification
// of a group delivers, with a fake step kind, a fake judge, an in-memory
// state store and a route that keeps the reports it is asked about.

#include <catch2/catch.hpp>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "state/sqlite_store.h"
#include "support/fixtures.h"
#include "support/wait.h"

namespace rr {
namespace {

using namespace std::chrono_literals;
using test::at_minute;
using test::firing_alert;
using test::notification;
using test::resolved;

const char* kRules = R"Y(rules:
  - name: server-down
    match: {alertname: ServerDown}
    steps:
      - id: probe
        kind: test.probe
        with: {server: "{{ labels.server }}"}
)Y";

Alert server_down(std::string fingerprint, std::string server, TimePoint starts_at = at_minute(0)) {
  return firing_alert(std::move(fingerprint), {{"alertname", "ServerDown"}, {"server", std::move(server)}}, starts_at);
}

// An engine whose only step kind finds every server down, and the reports it delivered.
class Harness {
 public:
  // `shared`: a store that outlives this harness (a restart); else its own, in memory.
  explicit Harness(Nanos cooldown = 5min, StateStore* shared = nullptr) {
    StepRegistry registry;
    calls = test::add_fake(
        registry, "test.probe",
        [](const StepInput& in) {
          return test::ok_result(in.param("server") + " is down", {{"server", in.param("server")}});
        },
        {{"server", {ValueType::Host, true}}});
    Judges judges;
    judges.add(std::make_unique<test::FakeJudge>(
        [](const std::vector<StepResult>& steps, const JudgeContext&, std::vector<Finding>& out) {
          for (const auto& r : steps) {
            if (r.status != StepStatus::Ok) continue;
            std::string server = r.facts.value("server", "");
            out.push_back(Finding{Severity::Critical, "test.server_down", "Server " + server + " is down", "", {}, {}});
          }
        }));
    Config config;
    config.engine.cooldown = cooldown;
    if (!shared) {
      auto opened = SqliteStore::open(":memory:");
      REQUIRE(opened);
      own_store = std::move(*opened);
      shared = own_store.get();
    }
    store = shared;
    ReportRoute route{[this](const Report& r) {
                        // No target here takes progress notices.
                        if (r.kind == Report::Kind::Started) return std::vector<std::string>{};
                        std::lock_guard lock(mu);
                        delivered.push_back(r);
                        return std::vector<std::string>{"t"};
                      },
                      [this] { ++wakes; }};
    engine = std::make_unique<Engine>(test::make_context(config, kRules, std::move(registry), std::move(judges)),
                                      *store, std::move(route), metrics);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void process(const Notification& n) { engine->process(n, std::chrono::time_point_cast<Nanos>(Clock::now())); }

  // rr_alerts_total{action}: what the engine did with each alert.
  double alerts(const std::string& action) {
    return metrics.counter("rr_alerts_total", "Alerts seen in accepted webhooks, by what the engine did with them.",
                           {"action"})
        .value({action});
  }

  std::size_t delivered_count() {
    std::lock_guard lock(mu);
    return delivered.size();
  }

  std::shared_ptr<std::atomic<int>> calls;  // of test.probe
  std::mutex mu;                            // delivered, when workers run
  std::vector<Report> delivered;
  std::atomic<int> wakes{0};
  Metrics metrics;  // outlives the engine
  std::unique_ptr<StateStore> own_store;
  StateStore* store = nullptr;
  std::unique_ptr<Engine> engine;
};

}  // namespace

TEST_CASE("engine: the first notification of a group is triaged into one report") {
  Harness h;
  h.process(notification("g1", {server_down("fp1", "n1")}));

  REQUIRE(h.delivered.size() == 1);
  const Report& r = h.delivered[0];
  CHECK(r.kind == Report::Kind::Triage);
  CHECK(r.group_key == "g1");
  CHECK(r.status == "firing");
  CHECK(r.rule == "server-down");
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts[0].fingerprint == "fp1");
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].status == StepStatus::Ok);
  CHECK(r.verdict == "Server n1 is down");
  CHECK(r.worst() == Severity::Critical);
  CHECK(*h.calls == 1);
  CHECK(h.alerts("triaged") == 1);
}

TEST_CASE("engine: the same notification again, or from the other member of an HA pair, delivers nothing") {
  Harness h;
  auto n = notification("g1", {server_down("fp1", "n1")});
  h.process(n);
  h.process(n);
  auto from_peer = n;
  from_peer.external_url = "http://alertmanager-2.example:9093";
  h.process(from_peer);

  CHECK(h.delivered.size() == 1);
  CHECK(*h.calls == 1);
  CHECK(h.alerts("duplicate") == 2);
  CHECK(h.alerts("triaged") == 1);
}

TEST_CASE("engine: an alert that resolves gets a resolution report, once, and runs no steps") {
  Harness h;
  h.process(notification("g1", {server_down("fp1", "n1")}));
  auto gone = notification("g1", {resolved(server_down("fp1", "n1"), at_minute(5))});
  h.process(gone);
  h.process(gone);  // repeated: already said

  REQUIRE(h.delivered.size() == 2);
  const Report& r = h.delivered[1];
  CHECK(r.kind == Report::Kind::Resolution);
  CHECK(r.status == "resolved");
  CHECK(r.group_key == "g1");
  CHECK(r.rule == "server-down");
  CHECK(r.verdict == "Resolved: ServerDown after 5m");
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts[0].status == "resolved");
  CHECK(r.steps.empty());
  CHECK(*h.calls == 1);  // only the first triage ran the step
  CHECK(h.alerts("resolved") == 1);
}

TEST_CASE("engine: an alert resolved that was never seen firing delivers nothing") {
  Harness h;  // e.g. just restarted
  h.process(notification("g1", {resolved(server_down("fp1", "n1"), at_minute(5))}));

  CHECK(h.delivered.empty());
  CHECK(*h.calls == 0);
}

TEST_CASE("engine: an alert that fires again within the cooldown is not triaged again") {
  Harness h;  // cooldown 5m: longer than the test
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(0))}));
  h.process(notification("g1", {resolved(server_down("fp1", "n1", at_minute(0)), at_minute(5))}));
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(10))}));  // a new startsAt: fires again

  REQUIRE(h.delivered.size() == 2);
  CHECK(h.delivered[0].kind == Report::Kind::Triage);
  CHECK(h.delivered[1].kind == Report::Kind::Resolution);
  CHECK(*h.calls == 1);
  CHECK(h.alerts("cooldown") == 1);
}

TEST_CASE("engine: with no cooldown an alert that fires again is triaged again") {
  Harness h(0s);
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(0))}));
  h.process(notification("g1", {resolved(server_down("fp1", "n1", at_minute(0)), at_minute(5))}));
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(10))}));

  REQUIRE(h.delivered.size() == 3);
  CHECK(h.delivered[2].kind == Report::Kind::Triage);
  CHECK(h.delivered[2].verdict == "Server n1 is down");
  CHECK(*h.calls == 2);
  CHECK(h.alerts("cooldown") == 0);
}

TEST_CASE("engine: the cooldown is per alert: a new alert beside one in cooldown is triaged alone") {
  Harness h;
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(0))}));
  h.process(notification("g1", {server_down("fp1", "n1", at_minute(10)), server_down("fp2", "n2", at_minute(10))}));

  REQUIRE(h.delivered.size() == 2);
  const Report& r = h.delivered[1];
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts[0].fingerprint == "fp2");
  CHECK(r.verdict == "Server n2 is down");
  CHECK(*h.calls == 2);
  CHECK(h.alerts("cooldown") == 1);
}

TEST_CASE("engine: the cooldown spans groups: the same alert routed to another group is not triaged again") {
  Harness h;
  h.process(notification("g1", {server_down("fp1", "n1")}));
  h.process(notification("g2", {server_down("fp1", "n1")}));

  CHECK(h.delivered.size() == 1);
  CHECK(*h.calls == 1);
  CHECK(h.alerts("cooldown") == 1);
}

TEST_CASE("engine: what a triage changed is committed with its reports and their deliveries") {
  Harness h;
  h.process(notification("g1", {server_down("fp1", "n1")}));
  REQUIRE(h.delivered.size() == 1);
  auto owed = h.store->pending("t", 10);
  REQUIRE(owed);
  REQUIRE(owed->size() == 1);
  CHECK(owed->at(0).report_id == h.delivered[0].id);
  auto kept = h.store->report(h.delivered[0].id);
  REQUIRE(kept);
  REQUIRE(*kept);
  CHECK((*kept)->verdict == "Server n1 is down");
  CHECK(h.store->groups()->size() == 1);
  CHECK(h.store->cooldowns()->size() == 1);
  CHECK(h.wakes == 1);
}

TEST_CASE("engine: after a restart, groups and cooldowns come back from the store: repeats stay duplicates") {
  auto opened = SqliteStore::open(":memory:");
  REQUIRE(opened);
  auto n = notification("g1", {server_down("fp1", "n1")});
  {
    Harness before(5min, opened->get());
    before.process(n);
    REQUIRE(before.delivered.size() == 1);
  }
  Harness after(5min, opened->get());
  after.engine->recover();
  after.process(n);  // Alertmanager repeats the group
  CHECK(after.delivered.empty());
  CHECK(*after.calls == 0);
  CHECK(after.alerts("duplicate") == 1);
  // The same alert firing anew is still in its cooldown.
  after.process(notification("g1", {server_down("fp1", "n1", at_minute(10))}));
  CHECK(after.delivered.empty());
  CHECK(after.alerts("cooldown") == 1);
}

TEST_CASE("engine: a notification journaled and never committed is triaged after the next start") {
  auto opened = SqliteStore::open(":memory:");
  REQUIRE(opened);
  StateStore& store = **opened;
  // Accepted (journaled, answered 200), then the process died.
  REQUIRE(store.journal(test::alertmanager_sample("a-first-notification.json"), at_minute(0)));
  Harness h(5min, &store);
  h.engine->recover();
  CHECK(h.engine->depth() == 1);
  h.engine->start();
  REQUIRE(test::wait_until([&] { return h.delivered_count() == 1 && store.journaled()->empty(); }, 30s));
  h.engine->stop();
  std::lock_guard lock(h.mu);
  CHECK(h.delivered[0].kind == Report::Kind::Unmatched);  // no rule here for NatsJetStreamConsumerLag
  CHECK(h.delivered[0].group_key == "{}:{alertname=\"NatsJetStreamConsumerLag\", cluster=\"nats-east\"}");
  CHECK(h.engine->depth() == 0);
}

TEST_CASE("engine: a newer notification of a group replaces its older one still queued; all are committed") {
  auto opened = SqliteStore::open(":memory:");
  REQUIRE(opened);
  Harness h(5min, opened->get());
  // Three states of one group arrive before a worker is free: n1 down, then n1 and n2, then n2 only.
  const std::vector<std::vector<Alert>> states = {{server_down("a", "n1")},
                                                  {server_down("a", "n1"), server_down("b", "n2")},
                                                  {server_down("b", "n2")}};
  for (const auto& alerts : states) {
    Notification n = notification("g", alerts);
    CHECK(h.engine->accept(n, "{}", at_minute(0)) == WebhookSink::Admission::Queued);
  }
  // Another group is not touched.
  CHECK(h.engine->accept(notification("other", {server_down("c", "n3")}), "{}", at_minute(0)) ==
        WebhookSink::Admission::Queued);
  CHECK(h.engine->depth() == 2);
  CHECK((*opened)->journaled()->size() == 4);
  h.engine->start();
  REQUIRE(test::wait_until([&] { return h.delivered_count() == 2 && (*opened)->journaled()->empty(); }, 30s));
  h.engine->stop();
  std::lock_guard lock(h.mu);
  const Report& g = h.delivered[0].group_key == "g" ? h.delivered[0] : h.delivered[1];
  REQUIRE(g.alerts.size() == 1);  // the latest state only: n2
  CHECK(g.alerts[0].fingerprint == "b");
  CHECK(h.metrics.expose().find("rr_journal_total{event=\"coalesced\"} 2") != std::string::npos);
}

TEST_CASE("engine: accept journals before it queues, and a store that cannot write means 503") {
  auto opened = SqliteStore::open(":memory:");
  REQUIRE(opened);
  Harness h(5min, opened->get());
  auto body = test::alertmanager_sample("b-alert-joins-group.json");
  auto n = parse_notification(body);
  REQUIRE(n);
  CHECK(h.engine->accept(*n, body, at_minute(0)) == WebhookSink::Admission::Queued);
  REQUIRE((*opened)->journaled()->size() == 1);
  CHECK((*opened)->journaled()->at(0).body == body);
  CHECK(h.engine->not_ready().empty());

  UnavailableStore broken(Error{"state", "database or disk is full (SQLITE_FULL)"});
  Harness full(5min, &broken);
  CHECK(full.engine->accept(*n, body, at_minute(0)) == WebhookSink::Admission::Unrecorded);
  CHECK(full.engine->depth() == 0);
  CHECK(full.engine->not_ready() == "state store: state: database or disk is full (SQLITE_FULL)");
}

TEST_CASE("engine: pruning runs on its tick without any webhook, at most every ten minutes") {
  Harness h;
  const TimePoint now = std::chrono::time_point_cast<Nanos>(Clock::now());
  auto stale = [&] {
    TriageCommit c;
    c.group = GroupRecord{"old", now - std::chrono::hours(24 * 30), "{}"};
    REQUIRE(h.store->commit(c));
    return h.store->groups()->size();
  };
  REQUIRE(stale() == 1);
  h.engine->prune_if_due(now);
  CHECK(h.store->groups()->empty());
  REQUIRE(stale() == 1);
  h.engine->prune_if_due(now + 5min);  // too soon
  CHECK(h.store->groups()->size() == 1);
  h.engine->prune_if_due(now + 11min);
  CHECK(h.store->groups()->empty());
}

TEST_CASE("engine: a repeat that changes nothing writes nothing of its own; its journal row goes with the next write") {
  Harness h;
  auto n = notification("g1", {server_down("fp1", "n1")});
  const TimePoint now = std::chrono::time_point_cast<Nanos>(Clock::now());
  const std::int64_t first = *h.store->journal("first", now);
  h.engine->process(n, now, {first});
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.store->journaled()->empty());  // the triage's commit took it

  const std::int64_t repeat = *h.store->journal("repeat", now);
  h.engine->process(n, now, {repeat});
  CHECK(h.delivered.size() == 1);
  auto left = h.store->journaled();
  REQUIRE(left);
  REQUIRE(left->size() == 1);  // deferred: a crash now replays it as the duplicate it is
  CHECK(left->front().id == repeat);
  const std::int64_t next = *h.store->journal("next", now);
  left = h.store->journaled();
  REQUIRE(left->size() == 1);
  CHECK(left->front().id == next);
}

}  // namespace rr
