#pragma once
// The embedded state store: one SQLite database (Debian's libsqlite3) in the
// state directory, in WAL mode. A commit survives the process being killed
// at any point (SIGKILL, OOM, a node drain); with `full_sync` it also
// survives the machine losing power, at the cost of an fsync per write.
//
// One connection, serialised by a mutex: every write is a short
// transaction, so the HTTP threads that journal webhooks wait at most
// `busy_timeout` for each other or for another process holding the file.

#include <chrono>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>
#include <string>

#include "state/sqlite.h"
#include "state/store.h"

namespace rr {

struct SqliteOptions {
  bool full_sync = false;
  std::chrono::milliseconds busy_timeout{2000};
  // The database never grows beyond this (writes then fail as on a full
  // disk, SQLITE_FULL); 0: no cap of its own.
  std::int64_t max_bytes = 0;
};

class SqliteStore final : public StateStore {
 public:
  // Opens or creates the database at `path` (":memory:" for tests), sets it
  // up and checks its integrity. Fails when the file cannot be used: a
  // directory that is not writable, a file that is not a database, a
  // database that fails its integrity check, a newer schema.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, SqliteOptions options = {});

  Result<std::int64_t> journal(std::string_view body, TimePoint received) override;
  Result<std::vector<Journaled>> journaled() override;
  Result<Written> commit(const TriageCommit& commit) override;
  void forget(const std::vector<std::int64_t>& journal_ids) override;
  Result<std::vector<GroupRecord>> groups() override;
  Result<std::vector<CooldownRecord>> cooldowns() override;
  Result<std::vector<PendingDelivery>> pending(std::string_view target, std::size_t limit) override;
  Result<std::vector<OutboxDepth>> outbox_depths() override;
  Result<Written> delivered(const PendingDelivery& delivery, const std::optional<std::string>& thread) override;
  Result<Written> drop(const PendingDelivery& delivery) override;
  Result<std::string> thread(std::string_view target, std::string_view group_key) override;
  Result<std::optional<StoredReport>> report(std::string_view id) override;
  Result<std::vector<StoredReport>> recent_reports(std::size_t limit) override;
  Result<Written> prune(std::size_t keep, TimePoint before) override;
  Result<Written> record_action(const ActionRecord& action) override;
  Result<std::vector<ActionRecord>> actions_since(TimePoint since) override;
  std::string problem() const override;

 private:
  explicit SqliteStore(sqlite::DbHandle db) : db_(std::move(db)) {}
 public:
  // Writes what forget() deferred, best effort.
  ~SqliteStore() override;

 private:
  // mu_ held. The statement for `sql` (a string literal: keyed by its
  // address), prepared once per connection and reset; webhooks run the same
  // few statements thousands of times a second.
  Result<sqlite::Stmt*> cached(const char* sql);
  // mu_ held, inside a transaction: deletes the journal rows `ids`.
  Result<Written> delete_journal(const std::vector<std::int64_t>& ids);
  // mu_ held: runs `body` in a transaction that also deletes the rows
  // forget() deferred; they stay deferred if it fails.
  template <class Fn>
  Result<Written> transaction_forgetting(Fn body);
  // Runs `body` in one IMMEDIATE transaction, rolled back on error.
  template <class Fn>
  Result<Written> transaction(Fn body);
  // Records the outcome of an operation for problem(): an error sets it, a
  // write that works clears it.
  template <class T>
  Result<T> note(Result<T> r, bool write = false);

  // A webhook waiting in journal() for its row.
  struct JournalEntry {
    std::string_view body;
    TimePoint received;
    std::optional<Result<std::int64_t>> id;  // set by whoever wrote the batch
  };
  // Inserts every entry in one transaction (one autocommit insert for one),
  // setting each entry's id or the error; takes mu_.
  void write_journal(const std::vector<JournalEntry*>& batch);

  mutable std::mutex mu_;
  sqlite::DbHandle db_;
  std::string problem_;
  std::unordered_map<const char*, sqlite::Stmt> statements_;  // cached(); destroyed before db_
  std::vector<std::int64_t> forgotten_;                        // forget(), not yet written

  // Group commit of the journal: webhooks arriving while one batch is being
  // written queue here, and the first of them to wake writes them all next.
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::vector<JournalEntry*> batch_;  // not yet written; entries live on their callers' stacks
  bool writing_ = false;
};

// A store that cannot be used: every call fails with `why`, and problem()
// says so. The service runs with it when the database cannot be opened, so
// that /readyz and the 503s explain the problem instead of a crash loop.
class UnavailableStore final : public StateStore {
 public:
  explicit UnavailableStore(Error why) : why_(std::move(why)) {}
  Result<std::int64_t> journal(std::string_view, TimePoint) override { return why_; }
  Result<std::vector<Journaled>> journaled() override { return why_; }
  Result<Written> commit(const TriageCommit&) override { return why_; }
  void forget(const std::vector<std::int64_t>&) override {}
  Result<std::vector<GroupRecord>> groups() override { return why_; }
  Result<std::vector<CooldownRecord>> cooldowns() override { return why_; }
  Result<std::vector<PendingDelivery>> pending(std::string_view, std::size_t) override { return why_; }
  Result<std::vector<OutboxDepth>> outbox_depths() override { return why_; }
  Result<Written> delivered(const PendingDelivery&, const std::optional<std::string>&) override { return why_; }
  Result<Written> drop(const PendingDelivery&) override { return why_; }
  Result<std::string> thread(std::string_view, std::string_view) override { return why_; }
  Result<std::optional<StoredReport>> report(std::string_view) override { return why_; }
  Result<std::vector<StoredReport>> recent_reports(std::size_t) override { return why_; }
  Result<Written> prune(std::size_t, TimePoint) override { return why_; }
  Result<Written> record_action(const ActionRecord&) override { return why_; }
  Result<std::vector<ActionRecord>> actions_since(TimePoint) override { return why_; }
  std::string problem() const override { return why_.to_string(); }

 private:
  Error why_;
};

}  // namespace rr
