#pragma once
// Durable state: what the responder accepted, what it still owes its
// targets, and what it remembers of alert groups, so that a crash, an OOM
// kill or a restart loses nothing it answered 200 for and does not re-triage
// every firing alert when Alertmanager repeats its groups.
//
//   journal   each accepted webhook body, written before the 200; removed
//             when its triage is committed
//   reports   every report made, for the report page and the outbox; kept
//             for a configured number and age
//   outbox    one row per (report, target) still to deliver, in order
//   groups    the last state seen of each alert group (de-duplication)
//   cooldowns when each (fingerprint, rule) was last triaged
//   threads   per target and group, what the target keeps between messages
//             (Slack's channel and ts, Discord's message id)
//   actions   every automatic action taken (or dry run), for its guards
//             (cooldown, hourly limit) and the audit trail
//
// One interface, so that a replicated store could stand in for the embedded
// one (state/sqlite_store.h) when several replicas share the work. Every
// method is thread-safe. A failed write leaves the store as it was and
// returns the error; problem() then says what is wrong until a write works.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace rr {

struct Journaled {
  std::int64_t id = 0;
  TimePoint received;
  std::string body;  // the webhook body as it arrived
};

struct GroupRecord {
  std::string group_key;
  TimePoint seen;      // when the group was last observed
  std::string alerts;  // the group tracker's own encoding
};

struct CooldownRecord {
  std::string fingerprint;
  std::string rule;
  TimePoint at;
};

struct StoredReport {
  std::string id;
  TimePoint created;
  std::string group_key;
  std::string kind, severity, title, verdict;  // for listings
  std::string body;                            // report JSON (report/report_json.h); empty in listings
};

// An automatic action (act/remediation.h), recorded before it runs.
struct ActionRecord {
  TimePoint at;
  std::string rule, action, target;
  std::string outcome;  // "started", "done", "failed", "dry-run"
};

// One report owed to one target.
struct PendingDelivery {
  std::int64_t seq = 0;  // creation order across the outbox
  std::string target;
  std::string report_id;
  std::string group_key;
  TimePoint created;
};

// Per target: reports waiting, and since when the oldest has waited.
struct OutboxDepth {
  std::string target;
  std::size_t pending = 0;
  TimePoint oldest;
};

// Everything one processed notification changes, written in one transaction.
struct TriageCommit {
  std::vector<std::int64_t> journal_ids;  // notifications now fully handled
  std::optional<GroupRecord> group;
  std::vector<CooldownRecord> cooldowns;
  std::vector<StoredReport> reports;
  std::vector<std::pair<std::string, std::string>> deliveries;  // (report id, target name)
};

// What a successful write returns; the error says why one failed.
struct Written {};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Journals an accepted webhook; the id goes back in TriageCommit.
  virtual Result<std::int64_t> journal(std::string_view body, TimePoint received) = 0;
  // Every journaled notification not yet committed, oldest first.
  virtual Result<std::vector<Journaled>> journaled() = 0;

  virtual Result<Written> commit(const TriageCommit& commit) = 0;
  // Journaled notifications whose processing changed nothing (a repeat of
  // an unchanged group): their rows go with the next write, not a commit
  // of their own. One a crash leaves behind is replayed at the next start
  // and is the same duplicate again, so nothing is lost or reported twice.
  virtual void forget(const std::vector<std::int64_t>& journal_ids) = 0;

  virtual Result<std::vector<GroupRecord>> groups() = 0;
  virtual Result<std::vector<CooldownRecord>> cooldowns() = 0;

  // Up to `limit` deliveries owed to `target`, oldest first.
  virtual Result<std::vector<PendingDelivery>> pending(std::string_view target, std::size_t limit) = 0;
  virtual Result<std::vector<OutboxDepth>> outbox_depths() = 0;
  // The delivery is done: removes it and, when `thread` is set, keeps (or,
  // when empty, forgets) what the target keeps for the group.
  virtual Result<Written> delivered(const PendingDelivery& delivery, const std::optional<std::string>& thread) = 0;
  // The delivery will never happen (final refusal, too old): removes it.
  virtual Result<Written> drop(const PendingDelivery& delivery) = 0;
  // What `target` keeps for `group_key`; "" when nothing.
  virtual Result<std::string> thread(std::string_view target, std::string_view group_key) = 0;

  virtual Result<std::optional<StoredReport>> report(std::string_view id) = 0;
  // The newest `limit` reports, newest first, without bodies.
  virtual Result<std::vector<StoredReport>> recent_reports(std::size_t limit) = 0;

  // Records an action (the same rule, action, target and time again
  // updates its outcome). Actions since `since`, oldest first.
  virtual Result<Written> record_action(const ActionRecord& action) = 0;
  virtual Result<std::vector<ActionRecord>> actions_since(TimePoint since) = 0;

  // Forgets reports beyond the newest `keep` or older than `before` (never
  // one still owed to a target), groups and cooldowns not seen since
  // `before`, threads not updated since then, and actions older.
  virtual Result<Written> prune(std::size_t keep, TimePoint before) = 0;

  // "" while the store works; otherwise what is wrong (disk full, locked,
  // corrupt, read-only), for /readyz and the logs.
  virtual std::string problem() const = 0;
};

}  // namespace rr
