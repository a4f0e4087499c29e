#include "judge/nats_storage_judge.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "common/time.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_int;
using nats::get_string;
using nats::get_uint;

constexpr int kStreamStoreFailed = 10077;  // JSStreamStoreFailedF: "{err}"

// One stream's use of its limits, from whichever step listed it.
struct StreamUsage {
  std::string step, name, discard;
  std::uint64_t bytes = 0, messages = 0;
  std::int64_t max_bytes = -1, max_msgs = -1;  // <= 0: unlimited
  std::string first_ts, last_ts;                // "" when unknown (stream_list)
};

std::string percent_text(double ratio) { return fmt::format("{:.1f} %", ratio * 100); }

std::optional<Severity> level(double ratio, const Thresholds& t) {
  if (ratio >= t.storage_critical) return Severity::Critical;
  if (ratio >= t.storage_warning) return Severity::Warning;
  return std::nullopt;
}

// The time the stream's held messages took to arrive, when it is measurable.
std::optional<Nanos> ingest_span(const StreamUsage& s) {
  auto first = parse_rfc3339(s.first_ts), last = parse_rfc3339(s.last_ts);
  if (!first || !last || *last <= *first) return std::nullopt;
  return *last - *first;
}

struct Projection {
  std::string full_in;  // "2h30m"
  std::string how;      // one sentence
};

// At the average rate the held amount arrived, how long the rest takes.
std::optional<Projection> project(const StreamUsage& s, std::uint64_t used, std::int64_t limit, bool bytes) {
  auto span = ingest_span(s);
  if (!span || used == 0 || static_cast<std::uint64_t>(limit) <= used) return std::nullopt;
  double seconds = std::chrono::duration<double>(*span).count();
  double rate = static_cast<double>(used) / seconds;  // per second
  double left = static_cast<double>(static_cast<std::uint64_t>(limit) - used) / rate;
  if (!std::isfinite(left) || left > 3.15e9) return std::nullopt;  // a century: not a projection
  Nanos full_in = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(left));
  std::string amount = bytes ? format_bytes(used) : std::to_string(used) + " messages";
  std::string rate_text = bytes ? format_bytes(static_cast<std::uint64_t>(std::llround(rate))) + "/s"
                                : fmt::format("{:.1f} messages/s", rate);
  return Projection{format_duration(full_in),
                    "At the average ingest rate of the messages it holds (" + amount + " between " + s.first_ts +
                        " and " + s.last_ts + ", " + rate_text + "), the rest of the limit fills in about " +
                        format_duration(full_in) + "."};
}

std::string what_full_means(const StreamUsage& s, bool bytes) {
  if (s.discard == "new") {
    return std::string("With discard new, publishes fail at the limit with 10077 \"") +
           (bytes ? "maximum bytes exceeded" : "maximum messages exceeded") +
           "\": producers lose messages unless they retry.";
  }
  return "With discard " + (s.discard.empty() ? std::string("old") : s.discard) +
         ", the stream drops its oldest messages at the limit: consumers that lag behind never see them.";
}

void judge_limit(const StreamUsage& s, bool bytes, const Thresholds& t, FindingSet& set) {
  std::int64_t limit = bytes ? s.max_bytes : s.max_msgs;
  std::uint64_t used = bytes ? s.bytes : s.messages;
  if (limit <= 0) return;
  double ratio = static_cast<double>(used) / static_cast<double>(limit);
  auto severity = level(ratio, t);
  if (!severity) return;
  std::string limit_name = bytes ? "max_bytes" : "max_msgs";
  std::string used_text = bytes ? format_bytes(used) + " of " + format_bytes(static_cast<std::uint64_t>(limit))
                                : std::to_string(used) + " of " + std::to_string(limit) + " messages";
  Finding f;
  f.severity = *severity;
  f.code = "nats.stream_storage_high";
  f.title = "Stream " + s.name + " is at " + percent_text(ratio) + " of its " + limit_name + " (" + used_text + ")";
  f.detail = "Stream " + s.name + " holds " + used_text + " (" + percent_text(ratio) + "; thresholds " +
             percent_text(t.storage_warning) + " warning, " + percent_text(t.storage_critical) + " critical). " +
             what_full_means(s, bytes);
  f.values = {{"stream", s.name},
              {"used", std::to_string(used)},
              {"limit", std::to_string(limit)},
              {"percent", fmt::format("{:.1f}", ratio * 100)},
              {"limit_name", limit_name}};
  if (auto p = project(s, used, limit, bytes)) {
    f.detail += " " + p->how;
    f.values["projected_full_in"] = p->full_in;
  }
  f.evidence.push_back(s.step + ": " + s.name + " " + std::to_string(used) + " of " + limit_name + " " +
                       std::to_string(limit) + " (" + percent_text(ratio) + "), discard " + s.discard);
  set.add(std::move(f), s.name + "|" + limit_name);
}

// Discard new refuses the message that would cross a limit; the server's
// words are JSStreamStoreFailedF with the store's error.
void judge_rejecting(const StreamUsage& s, FindingSet& set) {
  if (s.discard != "new") return;
  std::string error, why, evidence;
  if (s.max_msgs > 0 && s.messages >= static_cast<std::uint64_t>(s.max_msgs)) {
    error = "maximum messages exceeded";
    why = "it holds " + std::to_string(s.messages) + " messages, its max_msgs is " + std::to_string(s.max_msgs);
    evidence = std::to_string(s.messages) + " messages, max_msgs " + std::to_string(s.max_msgs);
  } else if (s.max_bytes > 0) {
    // The next message needs room; a message of the average stored size is
    // the best guess of its size (none held: the limit itself).
    std::uint64_t average = s.messages > 0 ? s.bytes / s.messages : 0;
    if (s.bytes + average < static_cast<std::uint64_t>(s.max_bytes)) return;
    error = "maximum bytes exceeded";
    why = "it holds " + format_bytes(s.bytes) + " of its max_bytes " +
          format_bytes(static_cast<std::uint64_t>(s.max_bytes)) + ", no room for a message of the average size (" +
          std::to_string(average) + " bytes)";
    evidence = std::to_string(s.bytes) + " bytes + " + std::to_string(average) + " average >= max_bytes " +
               std::to_string(s.max_bytes);
  } else {
    return;
  }
  Finding f;
  f.severity = Severity::Critical;
  f.code = "nats.stream_full_rejecting";
  f.title = "Stream " + s.name + " is full and rejects publishes: \"" + error + "\"";
  f.detail = "Stream " + s.name + " has discard policy new and " + why + ", so the server refuses new messages with " +
             "error " + std::to_string(kStreamStoreFailed) + " \"" + error + "\". Producers get that error on " +
             "every publish; messages they do not keep and retry are lost until space is freed or the limit raised.";
  f.evidence.push_back(s.step + ": " + s.name + " discard new, " + evidence);
  f.values = {{"stream", s.name}, {"error", error}, {"code", std::to_string(kStreamStoreFailed)}};
  set.add(std::move(f), s.name);
}

void judge_stream(const StreamUsage& s, const Thresholds& t, FindingSet& set) {
  if (s.name.empty()) return;
  judge_rejecting(s, set);
  judge_limit(s, true, t, set);
  judge_limit(s, false, t, set);
}

std::string server_label(const nlohmann::json& server) {
  std::string name = get_string(server, "server_name");
  return name.empty() ? get_string(server, "monitor") : name;
}

void judge_server_store(const std::string& step, const nlohmann::json& server, const Thresholds& t,
                        FindingSet& set) {
  if (!nats::get_bool(server, "reachable")) return;
  auto max = get_int(server, "max_storage").value_or(0);
  if (max <= 0) return;
  std::uint64_t storage = get_uint(server, "storage").value_or(0);
  std::uint64_t reserved = get_uint(server, "reserved_storage").value_or(0);
  std::uint64_t used = storage + reserved;
  double ratio = static_cast<double>(used) / static_cast<double>(max);
  auto severity = level(ratio, t);
  if (!severity) return;
  std::string name = server_label(server);
  Finding f;
  f.severity = *severity;
  f.code = "nats.server_storage_high";
  f.title = "Server " + name + " JetStream store at " + percent_text(ratio) + " of max_storage";
  f.detail = "Server " + name + " stores " + format_bytes(storage) + " and has " + format_bytes(reserved) +
             " reserved for streams' max_bytes, " + percent_text(ratio) + " of its max_storage " +
             format_bytes(static_cast<std::uint64_t>(max)) + ". When it is reached, new streams are refused and "
             "publishes fail with 10023 \"insufficient resources\"; streams on this server may lose their leaders.";
  f.evidence.push_back(step + ": " + name + " storage " + std::to_string(storage) + " + reserved_storage " +
                       std::to_string(reserved) + " of max_storage " + std::to_string(max));
  f.values = {{"server", name},
              {"used", std::to_string(used)},
              {"limit", std::to_string(max)},
              {"percent", fmt::format("{:.1f}", ratio * 100)}};
  set.add(std::move(f), name);
}

void judge_slow_consumers(const std::string& step, const nlohmann::json& server, FindingSet& set) {
  auto count = get_uint(server, "slow_consumers").value_or(0);
  if (count == 0) return;
  std::string name = server_label(server);
  std::string uptime = get_string(server, "uptime");
  Finding f;
  f.severity = Severity::Warning;
  f.code = "nats.slow_consumers";
  f.title = "Server " + name + " has dropped " + std::to_string(count) + " slow consumer" + (count == 1 ? "" : "s");
  f.detail = "Server " + name + " counted " + std::to_string(count) + " slow consumer" + (count == 1 ? "" : "s") +
             " since it started" + (uptime.empty() ? "" : " (up " + uptime + ")") +
             ": clients (or routes) that did not read fast enough were disconnected and lost the messages "
             "buffered for them.";
  f.evidence.push_back(step + ": " + name + " slow_consumers " + std::to_string(count));
  f.values = {{"server", name}, {"count", std::to_string(count)}};
  set.add(std::move(f), name);
}

}  // namespace

void NatsStorageJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                             std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  FindingSet set;
  // stream_info first: it alone has the times a rate is measured from.
  for (const auto* s : results_of_kind(steps, "nats.stream_info")) {
    if (!nats::get_bool(s->facts, "found")) continue;
    const auto& config = field(s->facts, "config");
    const auto& state = field(s->facts, "state");
    StreamUsage u{s->id, get_string(s->facts, "stream"), get_string(config, "discard")};
    u.bytes = get_uint(state, "bytes").value_or(0);
    u.messages = get_uint(state, "messages").value_or(0);
    u.max_bytes = get_int(config, "max_bytes").value_or(-1);
    u.max_msgs = get_int(config, "max_msgs").value_or(-1);
    u.first_ts = get_string(state, "first_ts");
    u.last_ts = get_string(state, "last_ts");
    judge_stream(u, t, set);
  }
  for (const auto* s : results_of_kind(steps, "nats.stream_list")) {
    for (const auto& st : field(s->facts, "streams")) {
      StreamUsage u{s->id, get_string(st, "name"), get_string(st, "discard")};
      u.bytes = get_uint(st, "bytes").value_or(0);
      u.messages = get_uint(st, "messages").value_or(0);
      u.max_bytes = get_int(st, "max_bytes").value_or(-1);
      u.max_msgs = get_int(st, "max_msgs").value_or(-1);
      u.first_ts = get_string(st, "first_ts");  // when the step lists them
      u.last_ts = get_string(st, "last_ts");
      judge_stream(u, t, set);
    }
  }
  // The $SYS kinds carry the same facts as their monitoring-port twins.
  for (const char* kind : {"nats.jetstream_report", "nats.sys_jetstream_report"})
    for (const auto* s : results_of_kind(steps, kind))
      for (const auto& server : field(s->facts, "servers")) judge_server_store(s->id, server, t, set);
  for (const char* kind : {"nats.server_list", "nats.sys_server_list"})
    for (const auto* s : results_of_kind(steps, kind))
      for (const auto& server : field(s->facts, "servers")) judge_slow_consumers(s->id, server, set);
  set.move_to(out);
}

}  // namespace rr
