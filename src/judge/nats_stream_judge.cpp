#include "judge/nats_stream_judge.h"

#include "common/time.h"
#include "judge/nats_cluster_view.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_int;
using nats::get_string;
using nats::get_uint;

constexpr int kNoLeader = 10008;
constexpr int kStreamNotFound = 10059;
constexpr int kConsumerNotFound = 10014;

// Replicas of one stream, from its leader: {"leader", "replicas": [...]}.
void judge_replication(const std::string& step, const std::string& stream, std::int64_t num_replicas,
                       const std::string& leader, const nlohmann::json& replicas, const Thresholds& t,
                       FindingSet& set) {
  if (leader.empty() && num_replicas > 1) {
    Finding f;
    f.severity = Severity::Critical;
    f.code = "nats.stream_no_leader";
    f.title = "Stream " + stream + " has no leader";
    f.detail = "The stream has " + std::to_string(num_replicas) +
               " replicas but no leader: it has lost its quorum and accepts no messages.";
    f.evidence.push_back(step + ": " + stream + " leader none, " + std::to_string(num_replicas) + " replicas");
    f.values = {{"stream", stream}, {"replicas", std::to_string(num_replicas)}};
    set.add(std::move(f), stream);
  }
  for (const auto& r : replicas) {
    std::string name = get_string(r, "name");
    auto lag = get_uint(r, "lag").value_or(0);
    auto active = get_uint(r, "active_ns").value_or(0);
    bool current = get_bool(r, "current");
    std::string fact = step + ": " + stream + " replica " + name;
    Finding f;
    f.severity = Severity::Warning;
    if (get_bool(r, "offline")) {
      f.code = "nats.replica_offline";
      f.title = "Stream " + stream + " replica " + name + " is offline";
      f.detail = "The stream leader " + (leader.empty() ? std::string("(none)") : leader) + " reports " + name +
                 " offline, " + std::to_string(lag) + " operations behind. The stream keeps working while a quorum "
                 "of replicas is up; " + name + " catches up when it returns.";
      f.evidence.push_back(fact + " offline, lag " + std::to_string(lag) + ", last heard " + nanos_text(active) + " ago");
      f.values = {{"stream", stream}, {"replica", name}, {"leader", leader}, {"lag", std::to_string(lag)}};
    } else if (t.replica_behind(current, lag, active)) {
      f.code = "nats.replica_lagging";
      f.title = "Stream " + stream + " replica " + name + " is behind";
      f.detail = name + " is " + (current ? "current" : "not current") + ", " + std::to_string(lag) +
                 " operations behind, last heard " + nanos_text(active) + " ago (thresholds: " +
                 std::to_string(t.replica_lag_ops) + " operations, " + format_duration(t.replica_silent) + ").";
      f.evidence.push_back(fact + (current ? " current" : " not current") + ", lag " + std::to_string(lag) +
                           ", last heard " + nanos_text(active) + " ago");
      f.values = {{"stream", stream}, {"replica", name}, {"leader", leader},
                  {"lag", std::to_string(lag)}, {"last_seen", nanos_text(active)}};
    } else {
      continue;
    }
    set.add(std::move(f), stream + "|" + name);
  }
}

// An API step that reached a server but whose call failed.
void judge_api_error(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  if (!get_bool(facts, "reachable")) return;  // the cluster judge's business
  std::string error = get_string(facts, "error");
  int code = static_cast<int>(get_int(facts, "js_error_code").value_or(0));
  if (error.empty() && code == 0) return;
  std::string stream = get_string(facts, "stream"), consumer = get_string(facts, "consumer");
  std::string evidence = step.id + ": " + (stream.empty() ? "" : stream + (consumer.empty() ? "" : "/" + consumer) + ": ") +
                         error + (code != 0 ? " (" + std::to_string(code) + ")" : "");
  Finding f;
  std::string about;
  if (code == kNoLeader) {
    f.severity = Severity::Critical;
    f.code = "nats.jetstream_unavailable";
    f.title = "JetStream is unavailable: " + error;
    f.detail = "The JetStream API answers 10008: there is no meta leader (quorum lost) or the asset's group has "
               "no leader. Reads and writes of streams fail until a majority of servers is back.";
    f.values = {{"error", error}};
  } else if (code == kStreamNotFound) {
    f.severity = Severity::Warning;
    f.code = "nats.stream_not_found";
    f.title = "Stream " + stream + " does not exist";
    f.detail = "The JetStream API answers 10059 \"" + error + "\" for " + stream + ".";
    f.values = {{"stream", stream}};
    about = stream;
  } else if (code == kConsumerNotFound) {
    f.severity = Severity::Warning;
    f.code = "nats.consumer_not_found";
    f.title = "Consumer " + consumer + " of stream " + stream + " does not exist";
    f.detail = "The JetStream API answers 10014 \"" + error + "\".";
    f.values = {{"stream", stream}, {"consumer", consumer}};
    about = stream + "|" + consumer;
  } else {
    f.severity = Severity::Warning;
    f.code = "nats.jetstream_error";
    f.title = "JetStream API call failed: " + error;
    f.detail = "A server answered the connection but the JetStream request failed" +
               (code != 0 ? " with error " + std::to_string(code) : std::string()) + ": " + error + ".";
    f.values = {{"error", error}, {"js_error_code", std::to_string(code)}};
    // A stream's own info call failing is a sign about that stream (a damaged
    // store, runbook 002), so rules may name it; a consumer call's is not.
    if (step.kind == "nats.stream_info" && !stream.empty()) {
      f.values["stream"] = stream;
      about = stream + "|" + error;
    } else {
      about = error;
    }
  }
  f.evidence.push_back(evidence);
  set.add(std::move(f), about);
}

}  // namespace

void NatsStreamJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                            std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  FindingSet set;
  // stream_info first: it is the more detailed and usually the rule's focus.
  for (const auto* s : results_of_kind(steps, "nats.stream_info")) {
    judge_api_error(*s, set);
    if (!get_bool(s->facts, "found")) continue;
    const auto& repl = field(s->facts, "replication");
    judge_replication(s->id, get_string(s->facts, "stream"),
                      get_int(field(s->facts, "config"), "num_replicas").value_or(0), get_string(repl, "leader"),
                      field(repl, "replicas"), t, set);
  }
  for (const auto* s : results_of_kind(steps, "nats.stream_list")) {
    judge_api_error(*s, set);
    for (const auto& st : field(s->facts, "streams")) {
      judge_replication(s->id, get_string(st, "name"), get_int(st, "num_replicas").value_or(0),
                        get_string(st, "leader"), field(st, "replicas"), t, set);
    }
  }
  for (std::string_view kind : {"nats.consumer_info", "nats.consumer_list", "nats.consumer_report"}) {
    for (const auto* s : results_of_kind(steps, kind)) judge_api_error(*s, set);
  }
  set.move_to(out);
}

}  // namespace rr
