#include "judge/nats_consumer_judge.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

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

// One consumer's numbers, from consumer_info.h-shaped facts.
struct ConsumerState {
  std::string step, stream, name;
  std::uint64_t pending = 0, ack_pending = 0, redelivered = 0, waiting = 0;
  std::uint64_t delivered_seq = 0, ack_floor_seq = 0;
  std::optional<std::uint64_t> last_seq;  // the stream's
  std::int64_t max_ack_pending = 0;       // <= 0: unlimited
  std::int64_t max_deliver = 0;
  std::uint64_t ack_wait_ns = 0;
  bool push = false;
  bool named = false;       // read by consumer_info: the alert or rule named it
  std::string filter;       // filter_subject; "" none
  std::string last_active;  // the later of the last delivery and ack; "" never
  std::string created;
  // consumer_info with `again`: the first of two reads (the numbers above
  // are the second's).
  struct Earlier {
    std::uint64_t pending = 0, ack_floor_seq = 0;
    std::int64_t interval_ms = 0;
  };
  std::optional<Earlier> earlier;

  std::string label() const { return stream + "/" + name; }

  // "CIM-PROCESSOR has 70 messages pending, delivered up to stream seq 30,
  // ack floor 20, stream last seq 100".
  std::string position() const {
    std::string s = name + " has " + std::to_string(pending) + " messages pending, delivered up to stream seq " +
                    std::to_string(delivered_seq) + ", ack floor " + std::to_string(ack_floor_seq);
    if (last_seq) s += ", stream last seq " + std::to_string(*last_seq);
    return s;
  }
};

std::string later(const std::string& a, const std::string& b) {
  auto ta = parse_rfc3339(a), tb = parse_rfc3339(b);
  if (!ta) return tb ? b : "";
  if (!tb) return a;
  return *ta >= *tb ? a : b;
}

ConsumerState read_consumer(const std::string& step, const nlohmann::json& c) {
  ConsumerState s;
  s.step = step;
  s.stream = get_string(c, "stream");
  s.name = get_string(c, "consumer");
  s.pending = get_uint(c, "num_pending").value_or(0);
  s.ack_pending = get_uint(c, "num_ack_pending").value_or(0);
  s.redelivered = get_uint(c, "num_redelivered").value_or(0);
  s.waiting = get_uint(c, "num_waiting").value_or(0);
  const auto& delivered = field(c, "delivered");
  const auto& ack_floor = field(c, "ack_floor");
  s.delivered_seq = get_uint(delivered, "stream_seq").value_or(0);
  s.ack_floor_seq = get_uint(ack_floor, "stream_seq").value_or(0);
  s.last_active = later(get_string(delivered, "last_active"), get_string(ack_floor, "last_active"));
  s.created = get_string(c, "created");
  const auto& config = field(c, "config");
  s.max_ack_pending = get_int(config, "max_ack_pending").value_or(0);
  s.max_deliver = get_int(config, "max_deliver").value_or(0);
  s.ack_wait_ns = get_uint(config, "ack_wait_ns").value_or(0);
  s.push = !get_string(config, "deliver_subject").empty();
  s.filter = get_string(config, "filter_subject");
  if (const auto& e = field(c, "earlier"); e.is_object())
    s.earlier = ConsumerState::Earlier{get_uint(e, "num_pending").value_or(0),
                                       get_uint(e, "ack_floor_stream_seq").value_or(0),
                                       get_int(e, "interval_ms").value_or(0)};
  return s;
}

Finding base(const ConsumerState& c, Severity severity, std::string code, std::string title) {
  Finding f;
  f.severity = severity;
  f.code = std::move(code);
  f.title = std::move(title);
  f.values = {{"stream", c.stream}, {"consumer", c.name}};
  return f;
}

std::string evidence_prefix(const ConsumerState& c) { return c.step + ": " + c.label() + " "; }

void judge_backlog(const ConsumerState& c, const Thresholds& t, FindingSet& set) {
  if (c.pending <= t.consumer_pending) return;
  Finding f = base(c, Severity::Warning, "nats.consumer_backlog",
                   "Consumer " + c.label() + " has a backlog of " + std::to_string(c.pending) + " messages");
  f.detail = c.position() + " (threshold " + std::to_string(t.consumer_pending) +
             "). These messages are stored but the service has not received them yet: it is slower than its "
             "producers or not consuming at all.";
  if (!c.push && c.waiting == 0) {
    f.detail += " No pull request is waiting, so no instance of the service is fetching right now.";
  } else if (!c.push) {
    f.detail += " " + std::to_string(c.waiting) + " pull requests are waiting: the service is fetching.";
  }
  f.evidence.push_back(evidence_prefix(c) + "num_pending " + std::to_string(c.pending) + ", delivered stream seq " +
                       std::to_string(c.delivered_seq) + ", ack floor stream seq " + std::to_string(c.ack_floor_seq) +
                       (c.last_seq ? ", stream last seq " + std::to_string(*c.last_seq) : "") + ", num_waiting " +
                       std::to_string(c.waiting));
  f.values["pending"] = std::to_string(c.pending);
  f.values["delivered_seq"] = std::to_string(c.delivered_seq);
  f.values["ack_floor_seq"] = std::to_string(c.ack_floor_seq);
  // Where a replay starts: the first message the consumer has not acknowledged.
  f.values["replay_from"] = std::to_string(c.ack_floor_seq + 1);
  f.values["last_seq"] = c.last_seq ? std::to_string(*c.last_seq) : "";
  set.add(std::move(f), c.stream + "|" + c.name);
}

void judge_ack_pending(const ConsumerState& c, const Thresholds& t, FindingSet& set) {
  bool over_count = c.ack_pending > t.consumer_ack_pending;
  bool limited = c.max_ack_pending > 0;
  double share = limited ? static_cast<double>(c.ack_pending) / static_cast<double>(c.max_ack_pending) : 0;
  bool near_limit = limited && c.ack_pending > 0 && share >= t.consumer_ack_pending_ratio;
  if (!over_count && !near_limit) return;
  bool stalled = limited && c.ack_pending >= static_cast<std::uint64_t>(c.max_ack_pending);
  Finding f = base(c, stalled ? Severity::Critical : Severity::Warning, "nats.consumer_ack_pending",
                   "Consumer " + c.label() + " has " + std::to_string(c.ack_pending) + " messages awaiting ack" +
                       (limited ? " (max_ack_pending " + std::to_string(c.max_ack_pending) + ")" : ""));
  f.detail = c.name + " has " + std::to_string(c.ack_pending) +
             " messages delivered but not acknowledged (ack floor stream seq " + std::to_string(c.ack_floor_seq) +
             ", delivered up to " + std::to_string(c.delivered_seq) + "; threshold " +
             std::to_string(t.consumer_ack_pending) + " or " +
             std::to_string(std::lround(t.consumer_ack_pending_ratio * 100)) + " % of max_ack_pending). ";
  if (stalled) {
    f.detail += "It has reached max_ack_pending, so the server delivers nothing more until the service acknowledges: "
                "consumption has stopped.";
  } else {
    f.detail += "The service is receiving messages but not finishing them: slow or stuck handlers, or acks that "
                "never arrive.";
    if (limited) f.detail += " At max_ack_pending the server stops delivering.";
  }
  f.evidence.push_back(evidence_prefix(c) + "num_ack_pending " + std::to_string(c.ack_pending) +
                       ", max_ack_pending " + std::to_string(c.max_ack_pending) + ", ack floor stream seq " +
                       std::to_string(c.ack_floor_seq));
  f.values["ack_pending"] = std::to_string(c.ack_pending);
  f.values["max_ack_pending"] = std::to_string(c.max_ack_pending);
  set.add(std::move(f), c.stream + "|" + c.name);
}

void judge_stale(const ConsumerState& c, const Thresholds& t, TimePoint now, FindingSet& set) {
  if (c.pending == 0) return;
  std::string since = c.last_active.empty() ? c.created : c.last_active;
  auto at = parse_rfc3339(since);
  if (!at || now - *at <= t.consumer_stale) return;
  std::string idle = format_duration(std::chrono::duration_cast<Nanos>(now - *at));
  Finding f = base(c, Severity::Warning, "nats.consumer_stale",
                   "Consumer " + c.label() + " has been idle for " + idle + " with " + std::to_string(c.pending) +
                       " messages pending");
  f.detail = c.position() + ", and " +
             (c.last_active.empty() ? "has delivered nothing since it was created at " + c.created
                                    : "its last delivery or ack was at " + c.last_active) +
             ", " + idle + " ago (threshold " + format_duration(t.consumer_stale) +
             "). Messages are waiting and nothing consumes them: the service is down, disconnected or stuck.";
  f.evidence.push_back(evidence_prefix(c) + "last active " + (c.last_active.empty() ? "never" : c.last_active) +
                       ", num_pending " + std::to_string(c.pending));
  f.values["last_active"] = c.last_active;
  f.values["pending"] = std::to_string(c.pending);
  set.add(std::move(f), c.stream + "|" + c.name);
}

void judge_redeliveries(const ConsumerState& c, const Thresholds& t, FindingSet& set) {
  if (c.redelivered <= t.consumer_redeliveries) return;
  Finding f = base(c, Severity::Warning, "nats.consumer_redeliveries",
                   "Consumer " + c.label() + " has " + std::to_string(c.redelivered) + " redelivered messages");
  f.detail = c.name + " has " + std::to_string(c.redelivered) + " messages that were delivered more than once " +
             "(threshold " + std::to_string(t.consumer_redeliveries) + "): they were not acknowledged within ack_wait" +
             (c.ack_wait_ns > 0 ? " (" + format_duration(Nanos(static_cast<std::int64_t>(c.ack_wait_ns))) + ")" : "") +
             " or were rejected, so the service is failing on them or too slow" +
             (c.max_deliver > 0 ? "; after max_deliver " + std::to_string(c.max_deliver) + " attempts a message is "
                                  "given up"
                                : "") +
             ".";
  f.evidence.push_back(evidence_prefix(c) + "num_redelivered " + std::to_string(c.redelivered));
  f.values["redelivered"] = std::to_string(c.redelivered);
  set.add(std::move(f), c.stream + "|" + c.name);
}

// The event monitor's count of processed events (runbook: event replay 1),
// when a step read it: "event-metrics: cim_events_total 1234".
std::vector<std::string> processed_counts(const std::vector<StepResult>& steps) {
  std::vector<std::string> out;
  for (const auto* s : results_of_kind(steps, "http.metrics"))
    for (const auto& series : field(s->facts, "series")) {
      if (get_string(series, "name") != "cim_events_total" || !get_bool(series, "found")) continue;
      for (const auto& sample : field(series, "samples")) {
        std::string labels;
        for (const auto& [k, v] : field(sample, "labels").items())
          labels += (labels.empty() ? "" : ",") + k + "=\"" + (v.is_string() ? v.get<std::string>() : "") + "\"";
        out.push_back(s->id + ": " + get_string(sample, "name") + (labels.empty() ? "" : "{" + labels + "}") + " " +
                      get_string(sample, "value") + " (the event monitor's processed events)");
      }
    }
  return out;
}

// Where a replay of a named consumer starts and how much it delivers: every
// message after its ack floor, acknowledged out of order or not.
void judge_replay(const ConsumerState& c, const std::vector<std::string>& processed, FindingSet& set) {
  if (!c.named) return;
  const std::uint64_t unprocessed = (c.delivered_seq > c.ack_floor_seq ? c.delivered_seq - c.ack_floor_seq : 0) +
                                    c.pending;
  const std::string sequences = "ack floor stream seq " + std::to_string(c.ack_floor_seq) +
                                ", delivered up to stream seq " + std::to_string(c.delivered_seq) +
                                (c.last_seq ? ", stream last seq " + std::to_string(*c.last_seq) : "");
  if (unprocessed == 0) {
    Finding f = base(c, Severity::Ok, "nats.consumer_caught_up",
                     "Consumer " + c.label() + " has processed everything up to stream seq " +
                         std::to_string(c.ack_floor_seq));
    f.detail = c.name + " has acknowledged every message delivered to it and none is pending (" + sequences +
               "): there is nothing to replay.";
    f.evidence.push_back(evidence_prefix(c) + sequences);
    for (const auto& p : processed) f.evidence.push_back(p);
    set.add(std::move(f), c.stream + "|" + c.name);
    return;
  }
  const std::uint64_t from = c.ack_floor_seq + 1;
  Finding f = base(c, Severity::Info, "nats.consumer_replay",
                   "Replaying " + c.label() + " from stream seq " + std::to_string(from) + " delivers about " +
                       std::to_string(unprocessed) + " messages");
  f.detail = c.name + " has acknowledged every message up to stream seq " + std::to_string(c.ack_floor_seq) + " (" +
             sequences + "; " + std::to_string(c.pending) + " not yet delivered, " +
             std::to_string(c.delivered_seq > c.ack_floor_seq ? c.delivered_seq - c.ack_floor_seq : 0) +
             " delivered after the floor). A replay consumer starting at stream seq " + std::to_string(from) +
             " delivers those " + std::to_string(unprocessed) + " messages again" +
             (c.filter.empty() ? "" : " on " + c.filter) +
             " (fewer if the stream has dropped or purged some of them); messages acknowledged out of order above "
             "the floor come again too, so the service must handle duplicates.";
  f.evidence.push_back(evidence_prefix(c) + sequences + ", num_pending " + std::to_string(c.pending));
  for (const auto& p : processed) f.evidence.push_back(p);
  f.values["ack_floor_seq"] = std::to_string(c.ack_floor_seq);
  f.values["delivered_seq"] = std::to_string(c.delivered_seq);
  f.values["replay_from"] = std::to_string(from);
  f.values["count"] = std::to_string(unprocessed);
  // A replay filters like the consumer: suggestions use `filter` when it
  // filters and `replay_from_all` when it does not (an empty value leaves a
  // suggestion out), so each consumer gets the one command that fits.
  if (c.filter.empty()) {
    f.values["replay_from_all"] = std::to_string(from);
  } else {
    f.values["filter"] = c.filter;
  }
  set.add(std::move(f), c.stream + "|" + c.name);
}

// Two reads apart: did the consumer work off anything? Its ack floor moving
// or its pending shrinking is progress; neither, with messages waiting, is a
// consumer that has not recovered, whatever its thresholds say.
void judge_progress(const ConsumerState& c, FindingSet& set) {
  if (!c.earlier || c.earlier->pending == 0) return;
  const auto& e = *c.earlier;
  const std::string over = format_duration(std::chrono::milliseconds(e.interval_ms));
  const std::string evidence = evidence_prefix(c) + "num_pending " + std::to_string(e.pending) + " then " +
                               std::to_string(c.pending) + ", ack floor stream seq " + std::to_string(e.ack_floor_seq) +
                               " then " + std::to_string(c.ack_floor_seq) + ", " + over + " apart";
  const bool progressed = c.ack_floor_seq > e.ack_floor_seq || c.pending < e.pending;
  Finding f = progressed
                  ? base(c, Severity::Ok, "nats.consumer_catching_up",
                         "Consumer " + c.label() + " is catching up: " + std::to_string(e.pending) + " then " +
                             std::to_string(c.pending) + " pending over " + over)
                  : base(c, Severity::Warning, "nats.consumer_not_progressing",
                         "Consumer " + c.label() + " is not catching up: " + std::to_string(c.pending) +
                             " pending, ack floor " + std::to_string(c.ack_floor_seq) + " unchanged over " + over);
  f.detail = progressed ? "Between two reads " + over + " apart its ack floor went from " +
                              std::to_string(e.ack_floor_seq) + " to " + std::to_string(c.ack_floor_seq) +
                              " and its pending from " + std::to_string(e.pending) + " to " + std::to_string(c.pending) +
                              ": the service is working the messages off."
                        : "Between two reads " + over + " apart it acknowledged nothing and its pending did not "
                              "shrink: the service is not processing (stopped, failing, or stuck on a message). "
                              "The alert has resolved, but the consumer has not recovered.";
  f.evidence.push_back(evidence);
  f.values["pending"] = std::to_string(c.pending);
  f.values["earlier_pending"] = std::to_string(e.pending);
  f.values["ack_floor_seq"] = std::to_string(c.ack_floor_seq);
  f.values["interval"] = over;
  set.add(std::move(f), c.stream + "|" + c.name);
}

}  // namespace

void NatsConsumerJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                              std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  const TimePoint now = Clock::now();

  // The streams' last sequences, from whichever step read them.
  std::map<std::string, std::uint64_t> last_seq;
  for (const auto* s : results_of_kind(steps, "nats.consumer_report")) {
    if (auto seq = get_uint(field(s->facts, "stream_state"), "last_seq"))
      last_seq.emplace(get_string(s->facts, "stream"), *seq);
  }
  for (const auto* s : results_of_kind(steps, "nats.stream_info")) {
    if (!get_bool(s->facts, "found")) continue;
    if (auto seq = get_uint(field(s->facts, "state"), "last_seq"))
      last_seq.emplace(get_string(s->facts, "stream"), *seq);
  }

  std::vector<ConsumerState> consumers;
  for (const auto* s : results_of_kind(steps, "nats.consumer_info")) {
    if (!get_bool(s->facts, "found")) continue;
    consumers.push_back(read_consumer(s->id, s->facts));
    consumers.back().named = true;
  }
  for (const auto* s : results_of_kind(steps, "nats.consumer_report")) {
    for (const auto& c : field(s->facts, "consumers")) consumers.push_back(read_consumer(s->id, c));
  }

  const auto processed = processed_counts(steps);
  FindingSet set;
  for (auto& c : consumers) {
    if (c.stream.empty() || c.name.empty()) continue;
    if (auto it = last_seq.find(c.stream); it != last_seq.end()) c.last_seq = it->second;
    judge_backlog(c, t, set);
    judge_ack_pending(c, t, set);
    judge_stale(c, t, now, set);
    judge_redeliveries(c, t, set);
    judge_replay(c, processed, set);
    judge_progress(c, set);
  }
  set.move_to(out);
}

}  // namespace rr
