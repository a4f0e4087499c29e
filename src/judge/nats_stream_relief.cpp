#include "judge/nats_stream_relief.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "common/time.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_int;
using nats::get_string;
using nats::get_uint;

struct StreamState {
  std::string step, name;
  std::uint64_t messages = 0, bytes = 0, first_seq = 0, last_seq = 0;
  std::int64_t max_bytes = -1, max_msgs = -1, max_age_ns = 0;
  std::string first_ts, last_ts;
};

// The limit a plan works against: the stream's own limit most used, at or
// over the warning; or, for a stream without max_bytes, the JetStream store
// of the server most used (its max_storage), which the stream shares with
// everything else that server stores (`other`).
struct Limit {
  bool bytes = true;
  std::uint64_t used = 0, limit = 0;  // used: the stream's (bytes or messages)
  double ratio = 0;                   // (other + used) / limit
  std::string server;                 // "" for the stream's own limit
  std::uint64_t other = 0;            // the rest of the server's store use
  std::string name() const { return !server.empty() ? "max_storage" : bytes ? "max_bytes" : "max_msgs"; }
  // "the stream at about 48.8 % of its max_bytes", "server n1's store at about ..."
  std::string at(const std::string& share) const {
    return (server.empty() ? "the stream" : "server " + server + "'s JetStream store") + " at about " + share +
           " of its " + name();
  }
  // What the plan aims at: target of the limit, less what others hold.
  double budget(double target) const { return target * static_cast<double>(limit) - static_cast<double>(other); }
  double share(double stream_amount) const {
    return (static_cast<double>(other) + stream_amount) / static_cast<double>(limit);
  }
  std::string amount(double v) const {
    return bytes ? format_bytes(static_cast<std::uint64_t>(std::llround(v)))
                 : fmt::format("{} messages", static_cast<std::uint64_t>(std::llround(v)));
  }
};

struct Floor {
  std::string consumer;
  std::uint64_t ack_floor = 0;
};

// The consumers of one stream as far as they were read. `complete` only
// when a report listed them all; a consumer_info step reads one.
struct Consumers {
  bool read = false, complete = false;
  std::map<std::string, std::uint64_t> floors;  // name -> ack floor stream seq
};

std::string percent(double ratio) { return fmt::format("{:.1f} %", ratio * 100); }

std::optional<Limit> binding_limit(const StreamState& s, double warning) {
  std::optional<Limit> best;
  auto consider = [&](bool bytes, std::uint64_t used, std::int64_t limit) {
    if (limit <= 0) return;
    double ratio = static_cast<double>(used) / static_cast<double>(limit);
    if (ratio < warning || (best && best->ratio >= ratio)) return;
    best = Limit{bytes, used, static_cast<std::uint64_t>(limit), ratio};
  };
  consider(true, s.bytes, s.max_bytes);
  consider(false, s.messages, s.max_msgs);
  return best;
}

// Each message's share of the limit's unit (bytes, or 1 for max_msgs).
double unit_per_message(const StreamState& s, const Limit& l) {
  return l.bytes ? static_cast<double>(s.bytes) / static_cast<double>(s.messages) : 1.0;
}

// "4MiB", the form the nats CLI's --max-bytes takes, rounded up; max_msgs as a count.
std::string limit_flag_value(const Limit& l, double needed) {
  auto n = static_cast<std::uint64_t>(std::ceil(needed));
  if (!l.bytes) return std::to_string(n);
  constexpr std::uint64_t kKiB = 1024, kMiB = 1024 * 1024;
  if (n >= kMiB) return std::to_string((n + kMiB - 1) / kMiB) + "MiB";
  return std::to_string((n + kKiB - 1) / kKiB) + "KiB";
}

// Whole hours from two hours up, whole minutes from two minutes, else
// seconds: a value both the nats CLI and Go's time.ParseDuration accept.
std::string max_age_text(double seconds) {
  if (seconds >= 7200) return fmt::format("{}h", static_cast<std::uint64_t>(seconds / 3600));
  if (seconds >= 120) return fmt::format("{}m", static_cast<std::uint64_t>(seconds / 60));
  return fmt::format("{}s", std::max<std::uint64_t>(1, static_cast<std::uint64_t>(seconds)));
}

std::string evidence_of(const StreamState& s, const Limit& l) {
  if (!l.server.empty())
    return fmt::format("{}: {} {} messages, {} bytes, seq {}..{}, no max_bytes; server {} stores {} of max_storage {} "
                       "({})",
                       s.step, s.name, s.messages, s.bytes, s.first_seq, s.last_seq, l.server, l.other + l.used,
                       l.limit, percent(l.ratio));
  return fmt::format("{}: {} {} messages, {} bytes, seq {}..{}, {} {} ({})", s.step, s.name, s.messages, s.bytes,
                     s.first_seq, s.last_seq, l.name(), l.limit, percent(l.ratio));
}

std::string floors_evidence(const std::string& stream, const Consumers& c) {
  std::string out = stream + " ack floors:";
  for (const auto& [name, floor] : c.floors) out += fmt::format(" {} {}", name, floor);
  if (c.floors.empty()) out += " no consumers";
  return out;
}

Finding finding(std::string code, std::string stream, std::string title) {
  Finding f;
  f.severity = Severity::Info;
  f.code = std::move(code);
  f.title = std::move(title);
  f.values = {{"stream", std::move(stream)}};
  return f;
}

void plan_retention(const StreamState& s, const Limit& l, double target, std::vector<Finding>& out) {
  auto first = parse_rfc3339(s.first_ts), last = parse_rfc3339(s.last_ts);
  if (s.messages < 2 || !first || !last || *last <= *first) {
    Finding f = finding("nats.stream_retention_unknown", s.name,
                        "No ingest rate of stream " + s.name + " to compute a --max-age from");
    f.detail = "The stream's first and last message times do not give a publish rate (" +
               std::to_string(s.messages) + " messages" + (s.first_ts.empty() ? "" : ", first " + s.first_ts) +
               (s.last_ts.empty() ? "" : ", last " + s.last_ts) +
               "). Look up the publish rate (messages or bytes per hour) before choosing a --max-age: the stream "
               "settles at about rate x max_age.";
    f.evidence.push_back(evidence_of(s, l));
    out.push_back(std::move(f));
    return;
  }
  double seconds = std::chrono::duration<double>(*last - *first).count();
  double rate = static_cast<double>(l.used) / seconds;  // units per second
  double settle = l.budget(target) / rate;
  double current = static_cast<double>(s.max_age_ns) / 1e9;
  if (s.max_age_ns > 0 && current <= settle) return;  // retention is already that short: it is a burst
  std::string max_age = max_age_text(settle);
  std::string rate_text = l.bytes ? format_bytes(static_cast<std::uint64_t>(std::llround(rate))) + "/s"
                                  : fmt::format("{:.2f} messages/s", rate);
  Finding f = finding("nats.stream_retention_plan", s.name,
                      l.server.empty() ? "Stream " + s.name + " settles at " + percent(target) + " of its " + l.name() +
                                             " with --max-age=" + max_age
                                       : "Stream " + s.name + " settles with server " + l.server + "'s store at " +
                                             percent(target) + " of its max_storage with --max-age=" + max_age);
  f.detail = fmt::format(
      "It took in {} between its first message ({}) and its last ({}), {}. At that rate, messages younger "
      "than {} leave {} (target; its {} is {}); its max_age today is {}. Lowering max_age expires the older "
      "messages at once, whether consumers have processed them or not.",
      l.amount(static_cast<double>(l.used)), s.first_ts, s.last_ts, rate_text, max_age, l.at(percent(target)),
      l.name(), l.amount(static_cast<double>(l.limit)),
      s.max_age_ns > 0 ? format_duration(Nanos(s.max_age_ns)) : std::string("unlimited"));
  f.values["max_age"] = max_age;
  f.values["rate"] = rate_text;
  f.evidence.push_back(evidence_of(s, l) + ", first " + s.first_ts + ", last " + s.last_ts);
  out.push_back(std::move(f));
}

void plan_purge(const StreamState& s, const Limit& l, double target, const Consumers& consumers,
                std::vector<Finding>& out) {
  const double per_message = unit_per_message(s, l);
  const double target_amount = l.budget(target);
  const auto keep = std::min<std::uint64_t>(s.messages, static_cast<std::uint64_t>(target_amount / per_message));
  const std::uint64_t frees = s.messages - keep;
  // --keep leaves the newest `keep` messages: with dense sequences the first kept is this one.
  const std::uint64_t first_kept = std::max(s.first_seq, s.last_seq + 1 - std::min(keep, s.last_seq));
  const double after = l.share(static_cast<double>(keep) * per_message);
  const std::string frees_text = l.amount(static_cast<double>(frees) * per_message);

  // What the purge removes that each consumer has not acknowledged, and the
  // highest purge point that removes nothing unacknowledged.
  std::string losses;
  std::uint64_t safe_seq = s.last_seq + 1;
  std::string lowest;
  for (const auto& [name, floor] : consumers.floors) {
    std::uint64_t from = std::max(s.first_seq, floor + 1);
    if (floor + 1 < safe_seq) {
      safe_seq = floor + 1;
      lowest = name;
    }
    if (first_kept <= from) continue;
    std::uint64_t lost = std::min(first_kept - from, frees);
    losses += fmt::format("{}{} loses about {} unprocessed messages (ack floor {})", losses.empty() ? "" : "; ",
                          name, lost, floor);
  }
  std::string lossless = !consumers.read ? "unknown" : !losses.empty() ? "no" : consumers.complete ? "yes" : "unknown";
  const std::string stream_evidence = evidence_of(s, l);

  // Every message held is unprocessed by someone: no purge helps.
  if (!losses.empty() && safe_seq <= s.first_seq) {
    Finding f = finding("nats.stream_purge_unsafe", s.name,
                        "No purge of stream " + s.name + " frees space without losing unprocessed messages");
    f.detail = fmt::format(
        "Consumer {} has acknowledged nothing the stream still holds (ack floor {}, first sequence {}), so any "
        "purge removes messages it has not processed. Keeping the newest {} would leave {}, but: {}. {}",
        lowest, safe_seq - 1, s.first_seq, keep, l.at(percent(after)), losses,
        l.server.empty() ? "Raise the limit instead (below), and get the consumer going."
                         : "Give the server's store room instead (max_storage, the disk permitting), and get the "
                           "consumer going.");
    f.values["consumer"] = lowest;
    f.values["ack_floor_seq"] = std::to_string(safe_seq - 1);
    f.values["first_seq"] = std::to_string(s.first_seq);
    f.evidence = {stream_evidence, s.step + ": " + floors_evidence(s.name, consumers)};
    out.push_back(std::move(f));
  } else {
    Finding f = finding("nats.stream_purge_plan", s.name,
                        fmt::format("Purging stream {} down to its newest {} messages frees {} ({} after)", s.name,
                                    keep, frees_text, percent(after)));
    f.detail = fmt::format(
        "Keeping the newest {} of {} messages (sequences {} to {}) removes about {} messages, {}, and leaves {} "
        "(target {}). ",
        keep, s.messages, first_kept, s.last_seq, frees, frees_text, l.at(percent(after)), percent(target));
    if (lossless == "yes") {
      f.detail += "Every consumer has acknowledged what it removes: nothing unprocessed is lost.";
    } else if (lossless == "no") {
      f.detail += "A purge moves the consumers' ack floors past what it removes: " + losses +
                  ". Those messages cannot be replayed afterwards.";
    } else {
      f.detail += consumers.read ? "Only some consumers were read; others may lose unprocessed messages: check "
                                   "every consumer's ack floor first."
                                 : "The consumers were not read: check every consumer's ack floor first, a purge "
                                   "moves them past what it removes.";
    }
    f.values["keep"] = std::to_string(keep);
    f.values["first_kept_seq"] = std::to_string(first_kept);
    f.values["frees_messages"] = std::to_string(frees);
    f.values["frees"] = frees_text;
    f.values["usage_after"] = percent(after);
    f.values["lossless"] = lossless;
    f.values["losses"] = losses;
    f.evidence.push_back(stream_evidence);
    if (consumers.read) f.evidence.push_back(s.step + ": " + floors_evidence(s.name, consumers));
    out.push_back(std::move(f));
  }
  if (losses.empty()) return;

  // The part every consumer has processed can go without loss.
  if (safe_seq > s.first_seq) {
    const std::uint64_t safe_frees = std::min(safe_seq - s.first_seq, s.messages);
    const double safe_after = l.share(static_cast<double>(s.messages - safe_frees) * per_message);
    Finding f = finding("nats.stream_purge_acked", s.name,
                        fmt::format("Purging stream {} below sequence {} loses nothing and frees {}", s.name, safe_seq,
                                    l.amount(static_cast<double>(safe_frees) * per_message)));
    f.detail = fmt::format(
        "Every consumer has acknowledged the messages below sequence {} ({} is the furthest behind): purging them "
        "frees about {} messages and leaves {}, not yet under the target {}.",
        safe_seq, lowest, safe_frees, l.at(percent(safe_after)), percent(target));
    f.values["seq"] = std::to_string(safe_seq);
    f.values["frees_messages"] = std::to_string(safe_frees);
    f.values["frees"] = l.amount(static_cast<double>(safe_frees) * per_message);
    f.values["usage_after"] = percent(safe_after);
    f.evidence = {stream_evidence, s.step + ": " + floors_evidence(s.name, consumers)};
    out.push_back(std::move(f));
  }

  // A stream without a limit of its own has none to raise; the server's
  // max_storage depends on a disk the responder does not see.
  if (!l.server.empty()) return;
  const double needed = static_cast<double>(l.used) / target;
  const std::string value = limit_flag_value(l, needed);
  Finding f = finding("nats.stream_limit_raise", s.name,
                      "Raising stream " + s.name + "'s " + l.name() + " to " + value + " keeps every message");
  f.detail = fmt::format(
      "A purge that brings the stream under its limit loses unprocessed messages, so the other way out is a "
      "bigger limit: {} puts today's {} at {} of it. The servers' JetStream stores must have the room (see the "
      "servers' store above).",
      value, l.amount(static_cast<double>(l.used)), percent(target));
  f.values["limit_name"] = l.name();
  f.values["limit"] = value;
  f.values[l.name()] = value;  // so a rule suggests the one flag that fits
  f.evidence.push_back(stream_evidence);
  out.push_back(std::move(f));
}

std::map<std::string, Consumers> consumers_by_stream(const std::vector<StepResult>& steps) {
  std::map<std::string, Consumers> out;
  for (const auto* s : results_of_kind(steps, "nats.consumer_report")) {
    const auto& list = field(s->facts, "consumers");
    if (!list.is_array()) continue;
    Consumers& c = out[get_string(s->facts, "stream")];
    c.read = c.complete = true;
    for (const auto& item : list)
      c.floors[get_string(item, "consumer")] = get_uint(field(item, "ack_floor"), "stream_seq").value_or(0);
  }
  for (const auto* s : results_of_kind(steps, "nats.consumer_info")) {
    if (!get_bool(s->facts, "found") || !s->facts.contains("ack_floor")) continue;
    Consumers& c = out[get_string(s->facts, "stream")];
    c.read = true;
    c.floors[get_string(s->facts, "consumer")] = get_uint(field(s->facts, "ack_floor"), "stream_seq").value_or(0);
  }
  return out;
}

struct ServerStore {
  std::string name;
  std::uint64_t used = 0, limit = 0;  // storage + reserved_storage, max_storage
  double ratio = 0;
};

// The JetStream store of the server most used, from nats.jetstream_report;
// nullopt when no server reported a max_storage. `ran`: a report step ran
// (whatever it found).
std::optional<ServerStore> fullest_store(const std::vector<StepResult>& steps, bool& ran) {
  std::optional<ServerStore> best;
  ran = false;
  for (const auto& r : steps)
    if (r.kind == "nats.jetstream_report" && r.status != StepStatus::Skipped) ran = true;
  for (const auto* r : results_of_kind(steps, "nats.jetstream_report")) {
    for (const auto& server : field(r->facts, "servers")) {
      auto max = get_int(server, "max_storage").value_or(0);
      if (!get_bool(server, "reachable") || max <= 0) continue;
      ServerStore st;
      st.name = get_string(server, "server_name");
      if (st.name.empty()) st.name = get_string(server, "monitor");
      st.used = get_uint(server, "storage").value_or(0) + get_uint(server, "reserved_storage").value_or(0);
      st.limit = static_cast<std::uint64_t>(max);
      st.ratio = static_cast<double>(st.used) / static_cast<double>(st.limit);
      if (!best || st.ratio > best->ratio) best = st;
    }
  }
  return best;
}

// A stream without max_bytes is bounded only by its server's store: plan
// against what the store may hold at the target, less what else it holds.
// When the stream's purge cannot get there, or the store cannot be read,
// say what to look up instead of a number.
void plan_for_server(const StreamState& s, const std::vector<StepResult>& steps, const Thresholds& t,
                     const Consumers& consumers, std::vector<Finding>& out) {
  bool report_ran = false;
  auto store = fullest_store(steps, report_ran);
  if (!store) {
    if (!report_ran) return;  // the rule does not look at the servers: no storage question asked
    Finding f = finding("nats.stream_limit_unknown", s.name,
                        "Stream " + s.name + " has no max_bytes and no server's store limit could be read");
    f.detail = fmt::format(
        "{} holds {} in {} messages with no max_bytes of its own, so only its server's JetStream store "
        "(max_storage) bounds it, and no server reported one. No purge or retention can be computed: look up "
        "the server's storage, reserved_storage and config.max_storage (its /jsz) first.",
        s.name, format_bytes(s.bytes), s.messages);
    f.evidence.push_back(fmt::format("{}: {} {} messages, {} bytes, no max_bytes", s.step, s.name, s.messages, s.bytes));
    out.push_back(std::move(f));
    return;
  }
  if (store->ratio < t.storage_warning) return;
  Limit l;
  l.bytes = true;
  l.server = store->name;
  l.limit = store->limit;
  l.used = std::min(s.bytes, store->used);
  l.other = store->used - l.used;
  l.ratio = store->ratio;
  // Purging this stream reaches the target only if the rest fits under it and the stream holds the difference.
  if (l.budget(t.purge_target) <= 0 || static_cast<double>(l.used) <= l.budget(t.purge_target)) {
    Finding f = finding("nats.server_storage_elsewhere", s.name,
                        fmt::format("Stream {} holds {} of server {}'s {} used: purging it cannot bring the store to {}",
                                    s.name, format_bytes(l.used), store->name, format_bytes(store->used),
                                    percent(t.purge_target)));
    f.detail = fmt::format(
        "Server {} stores {} (with reservations) of its max_storage {}, {}. {} has no max_bytes and holds {}; the "
        "rest, {}, is other streams' data or reservations. Look up which streams hold the store (their sizes "
        "and limits) before purging any.",
        store->name, format_bytes(store->used), format_bytes(store->limit), percent(store->ratio), s.name,
        format_bytes(l.used), format_bytes(l.other));
    f.values["server"] = store->name;
    f.values["stream_bytes"] = std::to_string(l.used);
    f.values["used"] = std::to_string(store->used);
    f.values["max_storage"] = std::to_string(store->limit);
    f.evidence.push_back(evidence_of(s, l));
    out.push_back(std::move(f));
    return;
  }
  plan_retention(s, l, t.purge_target, out);
  plan_purge(s, l, t.purge_target, consumers, out);
}

}  // namespace

void NatsStreamReliefJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                                  std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  const auto consumers = consumers_by_stream(steps);
  std::map<std::string, bool> planned;  // one plan per stream
  for (const auto* r : results_of_kind(steps, "nats.stream_info")) {
    if (!get_bool(r->facts, "found")) continue;
    const auto& config = field(r->facts, "config");
    const auto& state = field(r->facts, "state");
    StreamState s;
    s.step = r->id;
    s.name = get_string(r->facts, "stream");
    s.messages = get_uint(state, "messages").value_or(0);
    s.bytes = get_uint(state, "bytes").value_or(0);
    s.first_seq = get_uint(state, "first_seq").value_or(0);
    s.last_seq = get_uint(state, "last_seq").value_or(0);
    s.first_ts = get_string(state, "first_ts");
    s.last_ts = get_string(state, "last_ts");
    s.max_bytes = get_int(config, "max_bytes").value_or(-1);
    s.max_msgs = get_int(config, "max_msgs").value_or(-1);
    s.max_age_ns = get_int(config, "max_age_ns").value_or(0);
    if (s.name.empty() || s.messages == 0 || s.last_seq < s.first_seq || planned[s.name]) continue;
    auto it = consumers.find(s.name);
    const Consumers& floors = it == consumers.end() ? Consumers{} : it->second;
    auto limit = binding_limit(s, t.storage_warning);
    if (!limit) {
      if (s.max_bytes > 0) continue;
      planned[s.name] = true;
      plan_for_server(s, steps, t, floors, out);
      continue;
    }
    planned[s.name] = true;
    plan_retention(s, *limit, t.purge_target, out);
    plan_purge(s, *limit, t.purge_target, floors, out);
  }
}

}  // namespace rr
