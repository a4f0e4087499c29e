#include "engine/group_tracker.h"

#include <nlohmann/json.hpp>

namespace rr {

GroupChanges GroupTracker::compare(const Notification& n) const {
  GroupChanges changes;
  std::lock_guard lock(mu_);
  auto it = groups_.find(n.group_key);
  const std::map<std::string, Seen>* seen = it == groups_.end() ? nullptr : &it->second.alerts;
  for (const Alert& alert : n.alerts) {
    const Seen* prev = nullptr;
    if (seen) {
      auto p = seen->find(alert.fingerprint);
      if (p != seen->end()) prev = &p->second;
    }
    bool same = prev && prev->status == alert.status && prev->starts_at == alert.starts_at;
    if (same) {
      ++changes.unchanged;
    } else if (alert.firing()) {
      changes.newly_firing.push_back(&alert);
    } else if (prev && prev->status == "firing") {
      changes.newly_resolved.push_back(&alert);
    } else {
      // Resolved, never seen firing (e.g. after the state was lost): nothing to say.
      ++changes.unchanged;
    }
  }
  return changes;
}

GroupTracker::Group& GroupTracker::touch(const std::string& group_key) {
  auto [it, inserted] = groups_.try_emplace(group_key);
  Group& group = it->second;
  if (inserted) {
    lru_.push_front(group_key);
    group.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, group.lru);
  }
  while (groups_.size() > max_groups_) {
    groups_.erase(lru_.back());
    lru_.pop_back();
  }
  return groups_.at(group_key);
}

namespace {

std::string encode_alerts(const std::map<std::string, GroupTracker::Seen>& alerts) {
  nlohmann::json encoded = nlohmann::json::object();
  for (const auto& [fingerprint, seen] : alerts)
    encoded[fingerprint] = {seen.status, seen.starts_at.time_since_epoch().count()};
  return encoded.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

GroupRecord GroupTracker::encode(const Notification& n, TimePoint now) const {
  std::lock_guard lock(mu_);
  std::map<std::string, Seen> alerts;
  if (auto it = groups_.find(n.group_key); it != groups_.end()) alerts = it->second.alerts;
  for (const Alert& alert : n.alerts) alerts[alert.fingerprint] = Seen{alert.status, alert.starts_at};
  return GroupRecord{n.group_key, now, encode_alerts(alerts)};
}

GroupRecord GroupTracker::record(const Notification& n, TimePoint now) {
  std::lock_guard lock(mu_);
  Group& group = touch(n.group_key);
  for (const Alert& alert : n.alerts) group.alerts[alert.fingerprint] = Seen{alert.status, alert.starts_at};
  return GroupRecord{n.group_key, now, encode_alerts(group.alerts)};
}

GroupChanges GroupTracker::observe(const Notification& n) {
  GroupChanges changes = compare(n);
  record(n, std::chrono::time_point_cast<Nanos>(Clock::now()));
  return changes;
}

bool GroupTracker::cooling(const std::string& fingerprint, const std::string& rule, Nanos cooldown,
                           TimePoint now) const {
  std::lock_guard lock(mu_);
  auto it = last_triage_.find(std::make_pair(fingerprint, rule));
  return it != last_triage_.end() && now - it->second < cooldown;
}

CooldownRecord GroupTracker::triaged(const std::string& fingerprint, const std::string& rule, TimePoint now) {
  std::lock_guard lock(mu_);
  last_triage_[std::make_pair(fingerprint, rule)] = now;
  // Forget entries older than a day so the map stays small (cooldowns are minutes).
  if (last_triage_.size() > 4 * max_groups_) {
    for (auto i = last_triage_.begin(); i != last_triage_.end();)
      i = now - i->second >= std::chrono::hours(24) ? last_triage_.erase(i) : std::next(i);
  }
  return CooldownRecord{fingerprint, rule, now};
}

bool GroupTracker::in_cooldown(const std::string& fingerprint, const std::string& rule, Nanos cooldown,
                               TimePoint now) {
  if (cooling(fingerprint, rule, cooldown, now)) return true;
  triaged(fingerprint, rule, now);
  return false;
}

std::size_t GroupTracker::restore(const std::vector<GroupRecord>& groups,
                                  const std::vector<CooldownRecord>& cooldowns) {
  std::size_t skipped = 0;
  std::lock_guard lock(mu_);
  for (const GroupRecord& g : groups) {
    auto doc = nlohmann::json::parse(g.alerts, nullptr, false);
    if (!doc.is_object()) {
      ++skipped;
      continue;
    }
    Group& group = touch(g.group_key);
    for (const auto& [fingerprint, seen] : doc.items()) {
      if (!seen.is_array() || seen.size() != 2 || !seen[0].is_string() || !seen[1].is_number_integer()) {
        ++skipped;
        continue;
      }
      group.alerts[fingerprint] = Seen{seen[0].get<std::string>(), TimePoint(Nanos(seen[1].get<std::int64_t>()))};
    }
  }
  for (const CooldownRecord& c : cooldowns) last_triage_[std::make_pair(c.fingerprint, c.rule)] = c.at;
  return skipped;
}

std::size_t GroupTracker::groups() const {
  std::lock_guard lock(mu_);
  return groups_.size();
}

}  // namespace rr
