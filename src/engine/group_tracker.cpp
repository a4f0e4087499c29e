#include "engine/group_tracker.h"

namespace rr {

GroupChanges GroupTracker::observe(const Notification& n) {
  GroupChanges changes;
  std::lock_guard lock(mu_);
  auto [it, inserted] = groups_.try_emplace(n.group_key);
  Group& group = it->second;
  if (inserted) {
    lru_.push_front(n.group_key);
    group.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, group.lru);
  }
  for (const Alert& alert : n.alerts) {
    auto prev = group.alerts.find(alert.fingerprint);
    bool same = prev != group.alerts.end() && prev->second.status == alert.status &&
                prev->second.starts_at == alert.starts_at;
    if (same) {
      ++changes.unchanged;
    } else if (alert.firing()) {
      changes.newly_firing.push_back(&alert);
    } else if (prev != group.alerts.end() && prev->second.status == "firing") {
      changes.newly_resolved.push_back(&alert);
    } else {
      // Resolved, never seen firing (e.g. after a restart): nothing to say.
      ++changes.unchanged;
    }
    group.alerts[alert.fingerprint] = Seen{alert.status, alert.starts_at};
  }
  while (groups_.size() > max_groups_) {
    groups_.erase(lru_.back());
    lru_.pop_back();
  }
  return changes;
}

bool GroupTracker::in_cooldown(const std::string& fingerprint, const std::string& rule, Nanos cooldown,
                               TimePoint now) {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(fingerprint, rule);
  auto it = last_triage_.find(key);
  if (it != last_triage_.end() && now - it->second < cooldown) return true;
  last_triage_[key] = now;
  // Forget entries older than the cooldown so the map stays small.
  if (last_triage_.size() > 4 * max_groups_) {
    for (auto i = last_triage_.begin(); i != last_triage_.end();) {
      i = now - i->second >= cooldown ? last_triage_.erase(i) : std::next(i);
    }
  }
  return false;
}

std::size_t GroupTracker::groups() const {
  std::lock_guard lock(mu_);
  return groups_.size();
}

}  // namespace rr
