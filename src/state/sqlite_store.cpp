#include "state/sqlite_store.h"

#include <fmt/format.h>

namespace rr {

namespace {

using sqlite::Stmt;

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal(
  id INTEGER PRIMARY KEY AUTOINCREMENT, received_ns INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reports(
  id TEXT PRIMARY KEY, created_ns INTEGER NOT NULL, group_key TEXT NOT NULL, kind TEXT NOT NULL,
  severity TEXT NOT NULL, title TEXT NOT NULL, verdict TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reports_by_created ON reports(created_ns);
CREATE TABLE IF NOT EXISTS outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, report_id TEXT NOT NULL,
  group_key TEXT NOT NULL, created_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_by_target ON outbox(target, seq);
CREATE INDEX IF NOT EXISTS outbox_by_report ON outbox(report_id);
CREATE TABLE IF NOT EXISTS groups(group_key TEXT PRIMARY KEY, seen_ns INTEGER NOT NULL, alerts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cooldowns(
  fingerprint TEXT NOT NULL, rule TEXT NOT NULL, at_ns INTEGER NOT NULL, PRIMARY KEY(fingerprint, rule));
CREATE TABLE IF NOT EXISTS threads(
  target TEXT NOT NULL, group_key TEXT NOT NULL, value TEXT NOT NULL, updated_ns INTEGER NOT NULL,
  PRIMARY KEY(target, group_key));
CREATE TABLE IF NOT EXISTS actions(
  at_ns INTEGER NOT NULL, rule TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL,
  PRIMARY KEY(at_ns, rule, action, target));
)sql";

std::int64_t ns(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_ns(std::int64_t v) { return TimePoint(Nanos(v)); }

// Reads every row of `stmt` with `row`; the first error ends it.
template <class T, class Row>
Result<std::vector<T>> rows(Result<Stmt> stmt, Row row) {
  if (!stmt) return stmt.error();
  std::vector<T> out;
  while (true) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) return out;
    out.push_back(row(*stmt));
  }
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, SqliteOptions options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  sqlite::DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return Error{"state", fmt::format("cannot open {}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  sqlite3_extended_result_codes(db.get(), 1);
  auto fail = [&](const Error& e) { return Error{"state", fmt::format("{}: {}", path, e.message)}; };

  // quick_check first: a file that is not a database fails here too.
  {
    auto check = Stmt::prepare(db.get(), "PRAGMA quick_check");
    if (!check) return fail(check.error());
    auto row = check->step();
    if (!row) return fail(row.error());
    if (*row && check->text(0) != "ok") return fail(Error{"", "database failed its integrity check: " + check->text(0)});
  }
  if (auto r = sqlite::exec(db.get(), "PRAGMA journal_mode=WAL"); !r) return fail(r.error());
  if (auto r = sqlite::exec(db.get(), options.full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      !r)
    return fail(r.error());
  if (auto r = sqlite::exec(db.get(), kSchema); !r) return fail(r.error());
  if (options.max_bytes > 0) {
    auto size = Stmt::prepare(db.get(), "PRAGMA page_size");
    if (!size) return fail(size.error());
    auto row = size->step();
    if (!row) return fail(row.error());
    std::int64_t pages = std::max<std::int64_t>(1, options.max_bytes / std::max<std::int64_t>(1, size->integer(0)));
    if (auto r = sqlite::exec(db.get(), "PRAGMA max_page_count=" + std::to_string(pages)); !r) return fail(r.error());
  }
  {
    auto version = Stmt::prepare(db.get(), "SELECT value FROM meta WHERE key='schema'");
    if (!version) return fail(version.error());
    auto row = version->step();
    if (!row) return fail(row.error());
    if (*row) {
      std::string v = version->text(0);
      if (v != std::to_string(kSchemaVersion))
        return fail(Error{"", "schema version " + v + " is not " + std::to_string(kSchemaVersion) +
                                  " (written by another version of the responder)"});
    } else {
      auto set = Stmt::prepare(db.get(), "INSERT INTO meta(key, value) VALUES('schema', ?1)");
      if (!set) return fail(set.error());
      if (auto r = set->bind(1, std::to_string(kSchemaVersion)).run(); !r) return fail(r.error());
    }
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

template <class T>
Result<T> SqliteStore::note(Result<T> r, bool write) {
  // Called with mu_ held. Only a write that works proves the store healthy
  // again: reads still work on a full disk.
  if (!r) {
    problem_ = r.error().message;
  } else if (write) {
    problem_.clear();
  }
  return r;
}

Result<sqlite::Stmt*> SqliteStore::cached(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto s = Stmt::prepare(db_.get(), sql);
    if (!s) return s.error();
    it = statements_.emplace(sql, std::move(*s)).first;
  }
  return &it->second.reset();
}

template <class Fn>
Result<Written> SqliteStore::transaction(Fn body) {
  auto run = [&](const char* sql) -> Result<bool> {
    auto s = cached(sql);
    if (!s) return s.error();
    return (*s)->run();
  };
  if (auto r = run("BEGIN IMMEDIATE"); !r) return r.error();
  Result<Written> result = body();
  if (result) {
    if (auto r = run("COMMIT"); !r) result = r.error();
  }
  if (!result) run("ROLLBACK");
  return result;
}

Result<Written> SqliteStore::delete_journal(const std::vector<std::int64_t>& ids) {
  for (std::int64_t id : ids) {
    auto s = cached("DELETE FROM journal WHERE id = ?1");
    if (!s) return s.error();
    if (auto r = (*s)->bind(1, id).run(); !r) return r.error();
  }
  return Written{};
}

template <class Fn>
Result<Written> SqliteStore::transaction_forgetting(Fn body) {
  std::vector<std::int64_t> forgotten;
  forgotten.swap(forgotten_);
  Result<Written> r = transaction([&]() -> Result<Written> {
    if (auto d = delete_journal(forgotten); !d) return d;
    return body();
  });
  if (!r) forgotten_.insert(forgotten_.end(), forgotten.begin(), forgotten.end());
  return r;
}

void SqliteStore::forget(const std::vector<std::int64_t>& journal_ids) {
  std::lock_guard lock(mu_);
  forgotten_.insert(forgotten_.end(), journal_ids.begin(), journal_ids.end());
}

SqliteStore::~SqliteStore() {
  std::lock_guard lock(mu_);
  if (!forgotten_.empty()) transaction_forgetting([] { return Result<Written>(Written{}); });
}

Result<std::int64_t> SqliteStore::journal(std::string_view body, TimePoint received) {
  // Each webhook waits for its own row before its 200, but concurrent ones
  // share a transaction: the HTTP threads would otherwise take turns at one
  // commit each. Whoever finds no batch being written writes what is queued
  // (its own entry among them) and hands over; the others wait for their id.
  JournalEntry mine{body, received, std::nullopt};
  std::unique_lock lock(batch_mu_);
  batch_.push_back(&mine);
  batch_cv_.wait(lock, [&] { return mine.id.has_value() || !writing_; });
  if (mine.id) return std::move(*mine.id);
  writing_ = true;
  std::vector<JournalEntry*> batch;
  batch.swap(batch_);
  lock.unlock();
  write_journal(batch);
  lock.lock();
  writing_ = false;
  lock.unlock();
  batch_cv_.notify_all();
  return std::move(*mine.id);
}

void SqliteStore::write_journal(const std::vector<JournalEntry*>& batch) {
  std::lock_guard lock(mu_);
  auto insert_all = [&]() -> Result<Written> {
    for (JournalEntry* e : batch) {
      auto s = cached("INSERT INTO journal(received_ns, body) VALUES(?1, ?2)");
      if (!s) return s.error();
      if (auto r = (*s)->bind(1, ns(e->received)).bind_blob(2, e->body).run(); !r) return r.error();
      e->id = static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
    }
    return Written{};
  };
  // One webhook and nothing to forget: SQLite's own transaction will do.
  Result<Written> r =
      note(batch.size() == 1 && forgotten_.empty() ? insert_all() : transaction_forgetting(insert_all), true);
  if (!r)
    for (JournalEntry* e : batch) e->id = r.error();  // rolled back: none of them is recorded
}

Result<std::vector<Journaled>> SqliteStore::journaled() {
  std::lock_guard lock(mu_);
  return note(rows<Journaled>(Stmt::prepare(db_.get(), "SELECT id, received_ns, body FROM journal ORDER BY id"),
                              [](const Stmt& s) { return Journaled{s.integer(0), from_ns(s.integer(1)), s.text(2)}; }));
}

Result<Written> SqliteStore::commit(const TriageCommit& c) {
  std::lock_guard lock(mu_);
  return note(transaction_forgetting([&]() -> Result<Written> {
    // A coalesced notification carries every POST of its group since the
    // last commit.
    if (auto r = delete_journal(c.journal_ids); !r) return r;
    if (c.group) {
      auto s = cached(
          "INSERT INTO groups(group_key, seen_ns, alerts) VALUES(?1, ?2, ?3) "
          "ON CONFLICT(group_key) DO UPDATE SET seen_ns = excluded.seen_ns, alerts = excluded.alerts");
      if (!s) return s.error();
      if (auto r = (*s)->bind(1, c.group->group_key).bind(2, ns(c.group->seen)).bind(3, c.group->alerts).run(); !r)
        return r.error();
    }
    for (const CooldownRecord& cd : c.cooldowns) {
      auto s = Stmt::prepare(db_.get(),
                             "INSERT INTO cooldowns(fingerprint, rule, at_ns) VALUES(?1, ?2, ?3) "
                             "ON CONFLICT(fingerprint, rule) DO UPDATE SET at_ns = excluded.at_ns");
      if (!s) return s.error();
      if (auto r = s->bind(1, cd.fingerprint).bind(2, cd.rule).bind(3, ns(cd.at)).run(); !r) return r.error();
    }
    for (const StoredReport& rep : c.reports) {
      auto s = Stmt::prepare(db_.get(),
                             "INSERT OR REPLACE INTO reports(id, created_ns, group_key, kind, severity, title, "
                             "verdict, body) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      if (!s) return s.error();
      s->bind(1, rep.id).bind(2, ns(rep.created)).bind(3, rep.group_key).bind(4, rep.kind).bind(5, rep.severity);
      if (auto r = s->bind(6, rep.title).bind(7, rep.verdict).bind(8, rep.body).run(); !r) return r.error();
    }
    for (const auto& [report_id, target] : c.deliveries) {
      auto s = Stmt::prepare(db_.get(),
                             "INSERT INTO outbox(target, report_id, group_key, created_ns) "
                             "SELECT ?1, id, group_key, created_ns FROM reports WHERE id = ?2");
      if (!s) return s.error();
      if (auto r = s->bind(1, target).bind(2, report_id).run(); !r) return r.error();
      if (sqlite3_changes(db_.get()) != 1) return Error{"state", "delivery of unknown report " + report_id};
    }
    return Written{};
  }), true);
}

Result<std::vector<GroupRecord>> SqliteStore::groups() {
  std::lock_guard lock(mu_);
  return note(rows<GroupRecord>(Stmt::prepare(db_.get(), "SELECT group_key, seen_ns, alerts FROM groups"),
                                [](const Stmt& s) { return GroupRecord{s.text(0), from_ns(s.integer(1)), s.text(2)}; }));
}

Result<std::vector<CooldownRecord>> SqliteStore::cooldowns() {
  std::lock_guard lock(mu_);
  return note(rows<CooldownRecord>(Stmt::prepare(db_.get(), "SELECT fingerprint, rule, at_ns FROM cooldowns"),
                                   [](const Stmt& s) {
                                     return CooldownRecord{s.text(0), s.text(1), from_ns(s.integer(2))};
                                   }));
}

Result<std::vector<PendingDelivery>> SqliteStore::pending(std::string_view target, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(),
                         "SELECT seq, target, report_id, group_key, created_ns FROM outbox WHERE target = ?1 "
                         "ORDER BY seq LIMIT ?2");
  if (s) s->bind(1, target).bind(2, static_cast<std::int64_t>(limit));
  return note(rows<PendingDelivery>(std::move(s), [](const Stmt& st) {
    return PendingDelivery{st.integer(0), st.text(1), st.text(2), st.text(3), from_ns(st.integer(4))};
  }));
}

Result<std::vector<OutboxDepth>> SqliteStore::outbox_depths() {
  std::lock_guard lock(mu_);
  return note(rows<OutboxDepth>(
      Stmt::prepare(db_.get(), "SELECT target, count(*), min(created_ns) FROM outbox GROUP BY target"),
      [](const Stmt& s) {
        return OutboxDepth{s.text(0), static_cast<std::size_t>(s.integer(1)), from_ns(s.integer(2))};
      }));
}

Result<Written> SqliteStore::delivered(const PendingDelivery& d, const std::optional<std::string>& thread) {
  std::lock_guard lock(mu_);
  return note(transaction([&]() -> Result<Written> {
    auto del = Stmt::prepare(db_.get(), "DELETE FROM outbox WHERE seq = ?1");
    if (!del) return del.error();
    if (auto r = del->bind(1, d.seq).run(); !r) return r.error();
    if (!thread) return Written{};
    if (thread->empty()) {
      auto s = Stmt::prepare(db_.get(), "DELETE FROM threads WHERE target = ?1 AND group_key = ?2");
      if (!s) return s.error();
      if (auto r = s->bind(1, d.target).bind(2, d.group_key).run(); !r) return r.error();
      return Written{};
    }
    auto s = Stmt::prepare(db_.get(),
                           "INSERT INTO threads(target, group_key, value, updated_ns) VALUES(?1, ?2, ?3, ?4) "
                           "ON CONFLICT(target, group_key) DO UPDATE SET value = excluded.value, "
                           "updated_ns = excluded.updated_ns");
    if (!s) return s.error();
    auto now = std::chrono::time_point_cast<Nanos>(Clock::now());
    if (auto r = s->bind(1, d.target).bind(2, d.group_key).bind(3, *thread).bind(4, ns(now)).run(); !r)
      return r.error();
    return Written{};
  }), true);
}

Result<Written> SqliteStore::drop(const PendingDelivery& d) {
  std::lock_guard lock(mu_);
  auto del = Stmt::prepare(db_.get(), "DELETE FROM outbox WHERE seq = ?1");
  if (!del) return note(Result<Written>(del.error()), true);
  auto r = del->bind(1, d.seq).run();
  return note(r ? Result<Written>(Written{}) : Result<Written>(r.error()), true);
}

Result<std::string> SqliteStore::thread(std::string_view target, std::string_view group_key) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(), "SELECT value FROM threads WHERE target = ?1 AND group_key = ?2");
  if (s) s->bind(1, target).bind(2, group_key);
  auto found = rows<std::string>(std::move(s), [](const Stmt& st) { return st.text(0); });
  if (!found) return note(Result<std::string>(found.error()));
  return note(Result<std::string>(found->empty() ? std::string() : found->front()));
}

Result<std::optional<StoredReport>> SqliteStore::report(std::string_view id) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(),
                         "SELECT id, created_ns, group_key, kind, severity, title, verdict, body FROM reports "
                         "WHERE id = ?1");
  if (s) s->bind(1, id);
  auto found = rows<StoredReport>(std::move(s), [](const Stmt& st) {
    return StoredReport{st.text(0), from_ns(st.integer(1)), st.text(2), st.text(3),
                        st.text(4), st.text(5),             st.text(6), st.text(7)};
  });
  if (!found) return note(Result<std::optional<StoredReport>>(found.error()));
  std::optional<StoredReport> out;
  if (!found->empty()) out = std::move(found->front());
  return note(Result<std::optional<StoredReport>>(std::move(out)));
}

Result<std::vector<StoredReport>> SqliteStore::recent_reports(std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(),
                         "SELECT id, created_ns, group_key, kind, severity, title, verdict FROM reports "
                         "ORDER BY created_ns DESC, rowid DESC LIMIT ?1");
  if (s) s->bind(1, static_cast<std::int64_t>(limit));
  return note(rows<StoredReport>(std::move(s), [](const Stmt& st) {
    return StoredReport{st.text(0), from_ns(st.integer(1)), st.text(2), st.text(3), st.text(4), st.text(5),
                        st.text(6), ""};
  }));
}

Result<Written> SqliteStore::prune(std::size_t keep, TimePoint before) {
  std::lock_guard lock(mu_);
  return note(transaction([&]() -> Result<Written> {
    // Reports beyond the newest `keep` or older than `before`, unless still owed to a target.
    auto reports = Stmt::prepare(db_.get(),
                                 "DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM outbox) AND "
                                 "(created_ns < ?2 OR id NOT IN (SELECT id FROM reports ORDER BY created_ns DESC "
                                 "LIMIT ?1))");
    if (!reports) return reports.error();
    if (auto r = reports->bind(1, static_cast<std::int64_t>(keep)).bind(2, ns(before)).run(); !r) return r.error();
    for (const char* sql : {"DELETE FROM groups WHERE seen_ns < ?1", "DELETE FROM cooldowns WHERE at_ns < ?1",
                            "DELETE FROM threads WHERE updated_ns < ?1", "DELETE FROM actions WHERE at_ns < ?1"}) {
      auto s = Stmt::prepare(db_.get(), sql);
      if (!s) return s.error();
      if (auto r = s->bind(1, ns(before)).run(); !r) return r.error();
    }
    return Written{};
  }), true);
}

std::string SqliteStore::problem() const {
  std::lock_guard lock(mu_);
  return problem_;
}

Result<Written> SqliteStore::record_action(const ActionRecord& a) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(),
                         "INSERT INTO actions(at_ns, rule, action, target, outcome) VALUES(?1, ?2, ?3, ?4, ?5) "
                         "ON CONFLICT(at_ns, rule, action, target) DO UPDATE SET outcome = excluded.outcome");
  if (!s) return note(Result<Written>(s.error()), true);
  auto r = s->bind(1, ns(a.at)).bind(2, a.rule).bind(3, a.action).bind(4, a.target).bind(5, a.outcome).run();
  return note(r ? Result<Written>(Written{}) : Result<Written>(r.error()), true);
}

Result<std::vector<ActionRecord>> SqliteStore::actions_since(TimePoint since) {
  std::lock_guard lock(mu_);
  auto s = Stmt::prepare(db_.get(),
                         "SELECT at_ns, rule, action, target, outcome FROM actions WHERE at_ns >= ?1 ORDER BY at_ns");
  if (s) s->bind(1, ns(since));
  return note(rows<ActionRecord>(std::move(s), [](const Stmt& st) {
    return ActionRecord{from_ns(st.integer(0)), st.text(1), st.text(2), st.text(3), st.text(4)};
  }));
}

}  // namespace rr
