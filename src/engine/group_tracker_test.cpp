#include <catch2/catch.hpp>

#include "engine/bounded_queue.h"
#include "engine/group_tracker.h"
#include "support/fixtures.h"

using namespace rr;

namespace {

Notification sample(const std::string& name) {
  auto n = parse_notification(test::alertmanager_sample(name));
  REQUIRE(n);
  return n.value();
}

}  // namespace

TEST_CASE("Only changes in a group are acted on (the samples' sequence a→b→c→d)") {
  GroupTracker tracker;
  auto a = sample("a-first-notification.json");
  auto b = sample("b-alert-joins-group.json");
  auto c = sample("c-one-resolved.json");
  auto d = sample("d-all-resolved.json");

  auto ca = tracker.observe(a);
  REQUIRE(ca.newly_firing.size() == 1);
  CHECK(ca.newly_firing[0]->fingerprint == "59faf67534df0795");

  // A repeat or an HA duplicate (other externalURL) changes nothing.
  auto dup = a;
  dup.external_url = "http://other-member:9093";
  auto cdup = tracker.observe(dup);
  CHECK(cdup.newly_firing.empty());
  CHECK(cdup.unchanged == 1);

  auto cb = tracker.observe(b);
  REQUIRE(cb.newly_firing.size() == 1);
  CHECK(cb.newly_firing[0]->fingerprint == "56a0e47286b5d2fd");
  CHECK(cb.unchanged == 1);

  auto cc = tracker.observe(c);
  REQUIRE(cc.newly_resolved.size() == 1);
  CHECK(cc.newly_resolved[0]->fingerprint == "59faf67534df0795");
  CHECK(cc.newly_firing.empty());

  auto cd = tracker.observe(d);
  REQUIRE(cd.newly_resolved.size() == 1);
  CHECK(cd.newly_resolved[0]->fingerprint == "56a0e47286b5d2fd");
  CHECK(tracker.observe(d).newly_resolved.empty());
}

TEST_CASE("An alert that fires again with a new start time is new") {
  GroupTracker tracker;
  auto a = sample("a-first-notification.json");
  tracker.observe(a);
  a.alerts[0].starts_at += std::chrono::minutes(30);
  CHECK(tracker.observe(a).newly_firing.size() == 1);
}

TEST_CASE("Cooldown per fingerprint and rule") {
  GroupTracker tracker;
  auto t0 = std::chrono::time_point_cast<Nanos>(Clock::now());
  CHECK_FALSE(tracker.in_cooldown("fp", "rule", std::chrono::minutes(5), t0));
  CHECK(tracker.in_cooldown("fp", "rule", std::chrono::minutes(5), t0 + std::chrono::minutes(1)));
  CHECK_FALSE(tracker.in_cooldown("fp", "other-rule", std::chrono::minutes(5), t0 + std::chrono::minutes(1)));
  CHECK_FALSE(tracker.in_cooldown("fp", "rule", std::chrono::minutes(5), t0 + std::chrono::minutes(6)));
}

TEST_CASE("Memory is bounded: the least recently seen groups are forgotten") {
  GroupTracker tracker(3);
  auto a = sample("a-first-notification.json");
  for (int i = 0; i < 10; ++i) {
    a.group_key = "g" + std::to_string(i);
    tracker.observe(a);
  }
  CHECK(tracker.groups() == 3);
}

TEST_CASE("Memory stays flat over a million distinct alerts: groups keep their latest alerts, cooldowns are pruned") {
  GroupTracker tracker(50, 100, 1000);
  auto a = sample("a-first-notification.json");
  const Alert base = a.alerts.at(0);
  auto t = std::chrono::time_point_cast<Nanos>(Clock::now());
  // 10,000 notifications over 50 groups, each carrying its group's 100 current alerts: 1,000,000 distinct ones.
  for (int i = 0; i < 10000; ++i) {
    a.group_key = "g" + std::to_string(i % 50);
    a.alerts.assign(100, base);
    for (int k = 0; k < 100; ++k) a.alerts[k].fingerprint = std::to_string(i) + "-" + std::to_string(k);
    t += std::chrono::seconds(1);
    auto changes = tracker.compare(a);
    CHECK(changes.newly_firing.size() == 100);
    for (const Alert* f : changes.newly_firing) {
      if (!tracker.cooling(f->fingerprint, "rule", std::chrono::minutes(5), t)) tracker.triaged(f->fingerprint, "rule", t);
    }
    tracker.record(a, t);
  }
  CHECK(tracker.groups() == 50);
  CHECK(tracker.alerts() == 50 * 100);   // only each group's latest
  CHECK(tracker.cooldowns() <= 1000);    // max_cooldowns
  // What is kept still works: the latest alert is cooling, a repeat is unchanged.
  CHECK(tracker.cooling(a.alerts[0].fingerprint, "rule", std::chrono::minutes(5), t));
  CHECK(tracker.compare(a).unchanged == 100);
}

TEST_CASE("A truncated notification (Alertmanager's max_alerts) merges, bounded per group") {
  GroupTracker tracker(10, 3);
  auto a = sample("a-first-notification.json");
  const Alert base = a.alerts.at(0);
  a.truncated_alerts = 5;
  for (int i = 0; i < 5; ++i) {
    a.alerts.assign(1, base);
    a.alerts[0].fingerprint = "fp" + std::to_string(i);
    tracker.observe(a);
  }
  CHECK(tracker.alerts() == 3);
}

TEST_CASE("The bounded queue refuses instead of blocking") {
  BoundedQueue<int> q(2);
  CHECK(q.push(1) == BoundedQueue<int>::Push::Ok);
  CHECK(q.push(2) == BoundedQueue<int>::Push::Ok);
  CHECK(q.push(3) == BoundedQueue<int>::Push::Full);
  CHECK(q.pop() == 1);
  q.close();
  CHECK(q.push(4) == BoundedQueue<int>::Push::Closed);
  CHECK(q.pop() == 2);
  CHECK_FALSE(q.pop());
}

TEST_CASE("A repeat of an unchanged group needs no write until its stored state grows old") {
  GroupTracker tracker;
  auto a = sample("a-first-notification.json");
  auto b = sample("b-alert-joins-group.json");
  const TimePoint t0 = TimePoint(std::chrono::hours(1000));
  const Nanos refresh = std::chrono::hours(1);

  auto first = tracker.encode_changed(a, t0, refresh);
  REQUIRE(first);  // never stored
  tracker.record(a, t0);
  CHECK_FALSE(tracker.encode_changed(a, t0 + std::chrono::minutes(5), refresh));

  // Recorded without a write: the refresh still counts from t0.
  tracker.record(a, t0 + std::chrono::minutes(5), false);
  auto old = tracker.encode_changed(a, t0 + std::chrono::minutes(61), refresh);
  REQUIRE(old);
  CHECK(old->seen == t0 + std::chrono::minutes(61));
  CHECK(old->alerts == first->alerts);

  // Anything that changes the group is written: a new alert, one left out, a new status.
  CHECK(tracker.encode_changed(b, t0 + std::chrono::minutes(6), refresh));
  tracker.record(b, t0 + std::chrono::minutes(6));
  CHECK(tracker.encode_changed(a, t0 + std::chrono::minutes(7), refresh));
  auto resolved = b;
  resolved.alerts[0].status = "resolved";
  CHECK(tracker.encode_changed(resolved, t0 + std::chrono::minutes(7), refresh));

  // After a restart the stored time comes back with the state.
  GroupTracker restarted;
  restarted.restore({*tracker.encode_changed(b, t0 + std::chrono::minutes(6), Nanos(0))}, {});
  CHECK_FALSE(restarted.encode_changed(b, t0 + std::chrono::minutes(30), refresh));
  CHECK(restarted.encode_changed(b, t0 + std::chrono::minutes(70), refresh));
}
