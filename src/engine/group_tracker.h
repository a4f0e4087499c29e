#pragma once
// What was last seen of each alert group, so that only changes are acted
// on. Every Alertmanager POST carries the whole state of its group, and
// repeats, retries and HA duplicates are normal: an alert is "new" only if
// its (fingerprint, status, startsAt) was not the last thing seen for it.
// Keys are groupKey and fingerprint, never externalURL (it differs between
// HA members). Thread-safe. Memory is bounded: the least recently seen
// groups are forgotten first.

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "intake/payload/notification.h"

namespace rr {

struct GroupChanges {
  std::vector<const Alert*> newly_firing;    // point into the notification
  std::vector<const Alert*> newly_resolved;  // were firing when last seen
  std::size_t unchanged = 0;                 // duplicates of what was seen
};

class GroupTracker {
 public:
  explicit GroupTracker(std::size_t max_groups = 10000) : max_groups_(max_groups) {}

  // Compares with the last state of the group and records the new one.
  GroupChanges observe(const Notification& n);

  // True if (fingerprint, rule) was triaged less than `cooldown` ago; if not,
  // records `now` as its latest triage.
  bool in_cooldown(const std::string& fingerprint, const std::string& rule, Nanos cooldown, TimePoint now);

  std::size_t groups() const;

 private:
  struct Seen {
    std::string status;
    TimePoint starts_at;
  };
  struct Group {
    std::map<std::string, Seen> alerts;  // by fingerprint
    std::list<std::string>::iterator lru;
  };
  std::size_t max_groups_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Group> groups_;
  std::list<std::string> lru_;  // front = most recently seen groupKey
  std::map<std::pair<std::string, std::string>, TimePoint> last_triage_;
};

}  // namespace rr
