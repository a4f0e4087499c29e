#pragma once
// What was last seen of each alert group, so that only changes are acted
// on. Every Alertmanager POST carries the whole state of its group, and
// repeats, retries and HA duplicates are normal: an alert is "new" only if
// its (fingerprint, status, startsAt) was not the last thing seen for it.
// Keys are groupKey and fingerprint, never externalURL (it differs between
// HA members). Thread-safe. Memory is bounded by count and age: the least
// recently seen groups are forgotten first; a group keeps only the alerts
// of its latest notification (all of them, when Alertmanager truncated it,
// up to max_alerts_per_group); cooldowns older than the longest cooldown
// asked about are forgotten, and past max_cooldowns the oldest half goes,
// so each triage costs amortized O(log n) however many alerts there are.
//
// The engine compares first and records only once the outcome is durable
// (state/store.h), so a failed write leaves the tracker as it was; what it
// records comes back as the records to store, and restore() loads them at
// start.

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "intake/payload/notification.h"
#include "state/store.h"

namespace rr {

struct GroupChanges {
  std::vector<const Alert*> newly_firing;    // point into the notification
  std::vector<const Alert*> newly_resolved;  // were firing when last seen
  std::size_t unchanged = 0;                 // duplicates of what was seen
};

class GroupTracker {
 public:
  explicit GroupTracker(std::size_t max_groups = 10000, std::size_t max_alerts_per_group = 10000,
                        std::size_t max_cooldowns = 100000)
      : max_groups_(max_groups), max_alerts_per_group_(max_alerts_per_group), max_cooldowns_(max_cooldowns) {}

  // What changed since the last state recorded for the group; records nothing.
  GroupChanges compare(const Notification& n) const;
  // The group's state once `n` is recorded, encoded for the store; records nothing.
  GroupRecord encode(const Notification& n, TimePoint now) const;
  // encode(), or nothing when recording `n` would leave the group as it is
  // and its state was last stored less than `refresh` before `now`: a
  // repeat of an unchanged group (most of a storm) costs no write.
  std::optional<GroupRecord> encode_changed(const Notification& n, TimePoint now, Nanos refresh) const;
  // Records `n` as the group's state; `stored` says its encoding was made
  // durable at `now` (what encode_changed() measures `refresh` from).
  void record(const Notification& n, TimePoint now, bool stored = true);
  // compare() then record().
  GroupChanges observe(const Notification& n);

  // True if (fingerprint, rule) was triaged less than `cooldown` before `now`.
  bool cooling(const std::string& fingerprint, const std::string& rule, Nanos cooldown, TimePoint now) const;
  // Records a triage of (fingerprint, rule) at `now`.
  CooldownRecord triaged(const std::string& fingerprint, const std::string& rule, TimePoint now);
  // cooling(), and triaged() when not.
  bool in_cooldown(const std::string& fingerprint, const std::string& rule, Nanos cooldown, TimePoint now);

  // Loads what the store kept. Records it cannot decode are skipped and counted.
  std::size_t restore(const std::vector<GroupRecord>& groups, const std::vector<CooldownRecord>& cooldowns);

  std::size_t groups() const;
  std::size_t alerts() const;     // over all groups
  std::size_t cooldowns() const;

 public:
  struct Seen {
    std::string status;
    TimePoint starts_at;
  };

 private:
  struct Group {
    std::map<std::string, Seen> alerts;  // by fingerprint
    std::list<std::string>::iterator lru;
    TimePoint stored{};  // when this state was last written to the store
  };
  Group& touch(const std::string& group_key);  // mu_ held; creates, moves to the front, evicts
  // mu_ held: the group's alerts once `n` is recorded over `alerts`.
  void merge(std::map<std::string, Seen>& alerts, const Notification& n) const;
  void prune_cooldowns(TimePoint now);  // mu_ held
  std::size_t max_groups_, max_alerts_per_group_, max_cooldowns_;
  mutable Nanos horizon_ = std::chrono::hours(24);  // the longest cooldown cooling() was asked about
  mutable std::mutex mu_;
  std::unordered_map<std::string, Group> groups_;
  std::list<std::string> lru_;  // front = most recently seen groupKey
  std::map<std::pair<std::string, std::string>, TimePoint> last_triage_;
};

}  // namespace rr
