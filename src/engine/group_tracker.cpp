#include "engine/group_tracker.h"

#include <algorithm>

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

void GroupTracker::merge(std::map<std::string, Seen>& alerts, const Notification& n) const {
  // Each notification carries the whole group: what it leaves out is gone
  // from the group. Only a truncated one (max_alerts) is merged, bounded.
  if (n.truncated_alerts == 0) alerts.clear();
  for (const Alert& alert : n.alerts) alerts[alert.fingerprint] = Seen{alert.status, alert.starts_at};
  for (auto i = alerts.begin(); alerts.size() > max_alerts_per_group_ && i != alerts.end();)
    i = i->second.status == "firing" ? std::next(i) : alerts.erase(i);
  while (alerts.size() > max_alerts_per_group_) alerts.erase(alerts.begin());
}

GroupRecord GroupTracker::encode(const Notification& n, TimePoint now) const {
  std::lock_guard lock(mu_);
  std::map<std::string, Seen> alerts;
  if (auto it = groups_.find(n.group_key); it != groups_.end()) alerts = it->second.alerts;
  merge(alerts, n);
  return GroupRecord{n.group_key, now, encode_alerts(alerts)};
}

std::optional<GroupRecord> GroupTracker::encode_changed(const Notification& n, TimePoint now, Nanos refresh) const {
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(n.group_key);
    if (it != groups_.end() && now - it->second.stored < refresh) {
      // merge() leaves the map as it is when every alert is already there
      // as seen and, unless truncated, nothing else is.
      const auto& alerts = it->second.alerts;
      bool same = n.truncated_alerts != 0 || alerts.size() == n.alerts.size();
      for (auto a = n.alerts.begin(); same && a != n.alerts.end(); ++a) {
        auto p = alerts.find(a->fingerprint);
        same = p != alerts.end() && p->second.status == a->status && p->second.starts_at == a->starts_at;
      }
      if (same) return std::nullopt;
    }
  }
  return encode(n, now);
}

void GroupTracker::record(const Notification& n, TimePoint now, bool stored) {
  std::lock_guard lock(mu_);
  Group& group = touch(n.group_key);
  merge(group.alerts, n);
  if (stored) group.stored = now;
}

GroupChanges GroupTracker::observe(const Notification& n) {
  GroupChanges changes = compare(n);
  record(n, std::chrono::time_point_cast<Nanos>(Clock::now()));
  return changes;
}

bool GroupTracker::cooling(const std::string& fingerprint, const std::string& rule, Nanos cooldown,
                           TimePoint now) const {
  std::lock_guard lock(mu_);
  if (cooldown > horizon_) horizon_ = cooldown;
  auto it = last_triage_.find(std::make_pair(fingerprint, rule));
  return it != last_triage_.end() && now - it->second < cooldown;
}

void GroupTracker::prune_cooldowns(TimePoint now) {
  if (last_triage_.size() <= max_cooldowns_) return;
  // Older than any cooldown asked about: useless. Each pass at least halves
  // the map, so the scans cost amortized O(1) per triage.
  for (auto i = last_triage_.begin(); i != last_triage_.end();)
    i = now - i->second >= horizon_ ? last_triage_.erase(i) : std::next(i);
  if (last_triage_.size() <= max_cooldowns_ / 2) return;
  std::vector<TimePoint> times;
  times.reserve(last_triage_.size());
  for (const auto& kv : last_triage_) times.push_back(kv.second);
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const TimePoint cut = *middle;
  for (auto i = last_triage_.begin(); i != last_triage_.end();)
    i = i->second < cut ? last_triage_.erase(i) : std::next(i);
}

CooldownRecord GroupTracker::triaged(const std::string& fingerprint, const std::string& rule, TimePoint now) {
  std::lock_guard lock(mu_);
  last_triage_[std::make_pair(fingerprint, rule)] = now;
  prune_cooldowns(now);
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
    group.stored = g.seen;
    for (const auto& [fingerprint, seen] : doc.items()) {
      if (!seen.is_array() || seen.size() != 2 || !seen[0].is_string() || !seen[1].is_number_integer()) {
        ++skipped;
        continue;
      }
      group.alerts[fingerprint] = Seen{seen[0].get<std::string>(), TimePoint(Nanos(seen[1].get<std::int64_t>()))};
    }
  }
  for (const CooldownRecord& c : cooldowns) last_triage_[std::make_pair(c.fingerprint, c.rule)] = c.at;
  if (!cooldowns.empty()) prune_cooldowns(cooldowns.back().at);
  return skipped;
}

std::size_t GroupTracker::groups() const {
  std::lock_guard lock(mu_);
  return groups_.size();
}

std::size_t GroupTracker::alerts() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, group] : groups_) n += group.alerts.size();
  return n;
}

std::size_t GroupTracker::cooldowns() const {
  std::lock_guard lock(mu_);
  return last_triage_.size();
}

}  // namespace rr
