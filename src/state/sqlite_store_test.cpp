// The embedded state store on a real SQLite file: what is written survives
// reopening, a transaction is all or nothing, and a full or broken database
// is an error that problem() reports, never a crash.

#include "state/sqlite_store.h"

#include <catch2/catch.hpp>
#include <thread>
#include <set>
#include <algorithm>

#include "support/process.h"

namespace rr {
namespace {

using namespace std::chrono_literals;

TimePoint at(int minute) { return TimePoint(std::chrono::minutes(29000000 + minute)); }

std::unique_ptr<SqliteStore> open(const std::string& path, SqliteOptions o = {}) {
  auto s = SqliteStore::open(path, o);
  INFO((s ? "" : s.error().to_string()));
  REQUIRE(s);
  return std::move(*s);
}

StoredReport stored(const std::string& id, int minute, const std::string& group = "g1") {
  return StoredReport{id, at(minute), group, "triage", "critical", "[FIRING:1] A", "A is down", "{\"id\":\"" + id + "\"}"};
}

TEST_CASE("state: the journal keeps accepted webhooks until their triage is committed, across a reopen") {
  test::TempDir dir;
  const std::string path = (dir / "responder.db").string();
  std::int64_t first = 0;
  {
    auto store = open(path);
    auto a = store->journal("{\"a\":1}", at(0));
    auto b = store->journal("{\"b\":2}", at(1));
    REQUIRE(a);
    REQUIRE(b);
    first = *a;
    CHECK(*b > *a);
    REQUIRE(store->commit(TriageCommit{{*a}, std::nullopt, {}, {}, {}}));
  }
  auto store = open(path);
  auto left = store->journaled();
  REQUIRE(left);
  REQUIRE(left->size() == 1);
  CHECK(left->at(0).id != first);
  CHECK(left->at(0).body == "{\"b\":2}");
  CHECK(left->at(0).received == at(1));
  CHECK(store->problem().empty());
}

TEST_CASE("state: webhooks journaled from many threads at once each get their own row, in batches") {
  test::TempDir dir;
  auto store = open((dir / "responder.db").string());
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::vector<std::int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = store->journal("{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}", at(i));
        if (id) ids[t].push_back(*id);
      }
    });
  for (auto& th : threads) th.join();
  std::set<std::int64_t> all;
  for (const auto& v : ids) {
    CHECK(v.size() == kEach);
    CHECK(std::is_sorted(v.begin(), v.end()));  // one caller's rows in its order
    all.insert(v.begin(), v.end());
  }
  CHECK(all.size() == static_cast<std::size_t>(kThreads * kEach));  // distinct ids
  auto rows = store->journaled();
  REQUIRE(rows);
  REQUIRE(rows->size() == static_cast<std::size_t>(kThreads * kEach));
  // Each id holds the body its caller wrote.
  for (const auto& row : *rows) {
    for (int t = 0; t < kThreads; ++t) {
      auto it = std::find(ids[t].begin(), ids[t].end(), row.id);
      if (it == ids[t].end()) continue;
      const auto i = it - ids[t].begin();
      CHECK(row.body == "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}");
    }
  }
}

TEST_CASE("state: journal rows forgotten go with the next write, or when the store closes") {
  test::TempDir dir;
  const std::string path = (dir / "r.db").string();
  auto ids = [](Result<std::vector<Journaled>> rows) {
    REQUIRE(rows);
    std::vector<std::int64_t> out;
    for (const Journaled& j : *rows) out.push_back(j.id);
    return out;
  };
  std::int64_t c = 0;
  {
    auto store = open(path);
    const std::int64_t a = *store->journal("a", at(0)), b = *store->journal("b", at(1));
    store->forget({a});
    CHECK(ids(store->journaled()) == std::vector<std::int64_t>{a, b});  // deferred, not yet written
    c = *store->journal("c", at(2));
    CHECK(ids(store->journaled()) == std::vector<std::int64_t>{b, c});  // with the next webhook's row
    store->forget({b});
    REQUIRE(store->commit(TriageCommit{}));
    CHECK(ids(store->journaled()) == std::vector<std::int64_t>{c});  // or with the next commit
    store->forget({c});
  }
  CHECK(ids(open(path)->journaled()).empty());  // or when it closes
}

TEST_CASE("state: rows forgotten stay deferred when the write carrying them fails") {
  test::TempDir dir;
  const std::string path = (dir / "r.db").string();
  auto store = open(path, SqliteOptions{.busy_timeout = 50ms});
  const std::int64_t a = *store->journal("a", at(0));
  store->forget({a});
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite::DbHandle other(raw);
  REQUIRE(sqlite::exec(other.get(), "BEGIN EXCLUSIVE"));
  REQUIRE_FALSE(store->journal("b", at(1)));  // rolled back, a's deletion with it
  REQUIRE(sqlite::exec(other.get(), "COMMIT"));
  CHECK(store->journaled()->size() == 1);
  const std::int64_t c = *store->journal("c", at(2));
  auto rows = store->journaled();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().id == c);
}

TEST_CASE("state: a commit writes group, cooldowns, reports and deliveries together") {
  test::TempDir dir;
  auto store = open((dir / "r.db").string());
  auto id = store->journal("{}", at(0));
  REQUIRE(id);
  TriageCommit c;
  c.journal_ids = {*id};
  c.group = GroupRecord{"g1", at(1), "{\"fp\":[\"firing\",1]}"};
  c.cooldowns = {CooldownRecord{"fp", "rule", at(1)}};
  c.reports = {stored("r1", 1), stored("r2", 2)};
  c.deliveries = {{"r1", "slack"}, {"r1", "pager"}, {"r2", "slack"}};
  REQUIRE(store->commit(c));

  CHECK(store->journaled()->empty());
  REQUIRE(store->groups()->size() == 1);
  CHECK(store->groups()->at(0).alerts == "{\"fp\":[\"firing\",1]}");
  REQUIRE(store->cooldowns()->size() == 1);
  CHECK(store->cooldowns()->at(0).at == at(1));
  auto slack = store->pending("slack", 10);
  REQUIRE(slack);
  REQUIRE(slack->size() == 2);
  CHECK(slack->at(0).report_id == "r1");
  CHECK(slack->at(1).report_id == "r2");
  CHECK(slack->at(0).group_key == "g1");
  CHECK(slack->at(0).created == at(1));
  auto depths = store->outbox_depths();
  REQUIRE(depths);
  CHECK(depths->size() == 2);

  // The group's new state replaces the old one.
  c = TriageCommit{};
  c.group = GroupRecord{"g1", at(3), "{}"};
  REQUIRE(store->commit(c));
  CHECK(store->groups()->at(0).alerts == "{}");
}

TEST_CASE("state: a commit that fails changes nothing") {
  test::TempDir dir;
  auto store = open((dir / "r.db").string());
  auto id = store->journal("{}", at(0));
  REQUIRE(id);
  TriageCommit c;
  c.journal_ids = {*id};
  c.reports = {stored("r1", 1)};
  c.deliveries = {{"r1", "slack"}, {"no-such-report", "slack"}};
  auto r = store->commit(c);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("no-such-report") != std::string::npos);
  CHECK(store->journaled()->size() == 1);
  CHECK(store->pending("slack", 10)->empty());
  CHECK_FALSE(*store->report("r1"));
}

TEST_CASE("state: delivered removes the delivery and keeps, replaces or forgets the target's thread") {
  test::TempDir dir;
  auto store = open((dir / "r.db").string());
  TriageCommit c;
  c.reports = {stored("r1", 1), stored("r2", 2)};
  c.deliveries = {{"r1", "slack"}, {"r2", "slack"}};
  REQUIRE(store->commit(c));
  auto owed = *store->pending("slack", 10);
  REQUIRE(store->delivered(owed[0], std::string("C1/1.0001")));
  CHECK(*store->thread("slack", "g1") == "C1/1.0001");
  REQUIRE(store->delivered(owed[1], std::nullopt));  // keeps what was kept
  CHECK(*store->thread("slack", "g1") == "C1/1.0001");
  CHECK(store->pending("slack", 10)->empty());
  TriageCommit more;
  more.reports = {stored("r3", 3)};
  more.deliveries = {{"r3", "slack"}};
  REQUIRE(store->commit(more));
  REQUIRE(store->delivered(store->pending("slack", 1)->at(0), std::string()));
  CHECK(store->thread("slack", "g1")->empty());
  CHECK(store->thread("other", "g1")->empty());
}

TEST_CASE("state: reports are listed newest first and pruned by count and age, never while owed") {
  test::TempDir dir;
  auto store = open((dir / "r.db").string());
  TriageCommit c;
  for (int i = 0; i < 5; ++i) c.reports.push_back(stored("r" + std::to_string(i), i));
  c.deliveries = {{"r0", "slack"}};
  c.group = GroupRecord{"old", at(0), "{}"};
  c.cooldowns = {CooldownRecord{"fp", "rule", at(0)}};
  REQUIRE(store->commit(c));
  auto recent = store->recent_reports(3);
  REQUIRE(recent);
  REQUIRE(recent->size() == 3);
  CHECK(recent->at(0).id == "r4");
  CHECK(recent->at(0).body.empty());  // listings carry no bodies
  CHECK((*store->report("r4"))->body == "{\"id\":\"r4\"}");

  REQUIRE(store->prune(2, at(1)));
  std::vector<std::string> ids;
  auto left = store->recent_reports(10);
  REQUIRE(left);
  for (const auto& r : *left) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"r4", "r3", "r0"});  // r0 is still owed to slack
  CHECK(store->groups()->empty());
  CHECK(store->cooldowns()->empty());
}

TEST_CASE("state: a full database refuses writes, says so, and recovers when space returns") {
  test::TempDir dir;
  auto store = open((dir / "r.db").string(), SqliteOptions{.max_bytes = 64 * 1024});
  const std::string big(8 * 1024, 'x');
  Result<std::int64_t> last = std::int64_t{0};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 100 && last; ++i) {
    last = store->journal(big, at(i));
    if (last) ids.push_back(*last);
  }
  REQUIRE_FALSE(last);
  CHECK(last.error().message.find("SQLITE_FULL") != std::string::npos);
  CHECK(store->problem().find("full") != std::string::npos);
  CHECK(store->journaled());                        // reads still work ...
  CHECK_FALSE(store->problem().empty());           // ... and do not hide the problem
  REQUIRE(store->commit(TriageCommit{ids, std::nullopt, {}, {}, {}}));  // space is freed
  CHECK(store->problem().empty());
  CHECK(store->journal("{}", at(0)));
}

TEST_CASE("state: a database another process holds locked refuses writes, says so, and recovers when freed") {
  test::TempDir dir;
  const std::string path = (dir / "r.db").string();
  auto store = open(path, SqliteOptions{.busy_timeout = 50ms});
  REQUIRE(store->journal("{}", at(0)));
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite::DbHandle other(raw);
  REQUIRE(sqlite::exec(other.get(), "BEGIN EXCLUSIVE"));
  auto refused = store->journal("{}", at(1));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("locked") != std::string::npos);
  CHECK(store->problem().find("locked") != std::string::npos);  // what /readyz and the 503 say
  REQUIRE(sqlite::exec(other.get(), "COMMIT"));
  CHECK(store->journal("{}", at(2)));
  CHECK(store->problem().empty());
  auto kept = store->journaled();
  REQUIRE(kept);
  CHECK(kept->size() == 2);  // the refused one was never recorded
}

TEST_CASE("state: a database damaged while in use refuses writes and says it is corrupt") {
  test::TempDir dir;
  const std::string path = (dir / "r.db").string();
  auto store = open(path);
  for (int i = 0; i < 200; ++i) REQUIRE(store->journal(std::string(2000, 'j'), at(i)));
  {
    // Everything into the main file, then every page after the header overwritten.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    sqlite::DbHandle other(raw);
    REQUIRE(sqlite::exec(other.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  std::string bytes = test::read_file(dir / "r.db");
  REQUIRE(bytes.size() > 8192);
  for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 31));
  test::write_file(dir / "r.db", bytes);
  Result<std::int64_t> r = store->journal("{}", at(500));
  auto listed = store->journaled();
  CHECK((!r || !listed));
  const std::string problem = store->problem();
  INFO(problem);
  CHECK((problem.find("malformed") != std::string::npos || problem.find("not a database") != std::string::npos));
}

TEST_CASE("state: a file that is not a database, or not writable, cannot be opened") {
  test::TempDir dir;
  test::write_file(dir / "garbage.db", std::string(8192, 'g'));
  auto garbage = SqliteStore::open((dir / "garbage.db").string());
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().message.find("garbage.db") != std::string::npos);
  auto missing = SqliteStore::open((dir / "no" / "such" / "dir" / "r.db").string());
  REQUIRE_FALSE(missing);
  UnavailableStore unavailable(garbage.error());
  CHECK(unavailable.problem() == garbage.error().to_string());
  CHECK_FALSE(unavailable.journal("{}", at(0)));
}

TEST_CASE("state: a database from a newer version is refused, not overwritten") {
  test::TempDir dir;
  const std::string path = (dir / "r.db").string();
  {
    auto store = open(path);
  }
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    sqlite::DbHandle db(raw);
    REQUIRE(sqlite::exec(db.get(), "UPDATE meta SET value='99' WHERE key='schema'"));
  }
  auto again = SqliteStore::open(path);
  REQUIRE_FALSE(again);
  CHECK(again.error().message.find("schema version 99") != std::string::npos);
}

}  // namespace
}  // namespace rr
