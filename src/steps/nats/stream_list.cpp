#include "steps/nats/stream_list.h"

#include "common/time.h"
#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

nlohmann::json stream_entry(const jsStreamInfo& si) {
  nlohmann::json config = stream_config_facts(si.Config);
  nlohmann::json replication = replication_facts(si.Cluster);
  return {{"name", config.value("name", "")},
          {"subjects", config.value("subjects", nlohmann::json::array())},
          {"messages", si.State.Msgs},
          {"bytes", si.State.Bytes},
          {"max_bytes", config.value("max_bytes", std::int64_t{-1})},
          {"max_msgs", config.value("max_msgs", std::int64_t{-1})},
          {"max_age_ns", config.value("max_age_ns", std::int64_t{0})},
          {"discard", config.value("discard", "")},
          {"storage", config.value("storage", "")},
          {"num_replicas", config.value("num_replicas", std::int64_t{0})},
          {"leader", replication.value("leader", "")},
          {"replicas", replication.value("replicas", nlohmann::json::array())}};
}

}  // namespace

StepResult StreamListStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto conn = open_js_for_step(cluster, input, result, pool());
    if (!conn) return;
    auto reply = conn->streams(input.deadline);
    if (reply.error) {
      record_js_error(*reply.error, result);
      result.summary = "stream list failed: " + reply.error->text;
      result.output = trim_step_output(connection_output(result.facts) + result.summary + "\n");
      return;
    }
    nlohmann::json streams = nlohmann::json::array();
    if (reply.value) {
      for (int i = 0; i < reply.value->Count && reply.value->List != nullptr; ++i) {
        if (reply.value->List[i] != nullptr) streams.push_back(stream_entry(*reply.value->List[i]));
      }
    }
    std::string out = connection_output(result.facts);
    int degraded = 0;
    for (const auto& s : streams) {
      nlohmann::json repl = {{"leader", s["leader"]}, {"replicas", s["replicas"]}};
      bool bad = get_int(s, "num_replicas").value_or(0) > 1 && get_string(s, "leader").empty();
      for (const auto& r : s["replicas"]) bad = bad || get_bool(r, "offline") || !get_bool(r, "current");
      if (bad) ++degraded;
      out += get_string(s, "name") + ": " + std::to_string(get_uint(s, "messages").value_or(0)) + " messages, " +
             format_bytes(get_uint(s, "bytes").value_or(0)) + "; " + replication_text(repl) + "\n";
    }
    result.facts["streams"] = streams;
    result.summary = std::to_string(streams.size()) + " streams";
    if (degraded > 0) result.summary += "; " + std::to_string(degraded) + " with a missing leader or replica";
    result.output = trim_step_output(out);
  });
}

}  // namespace rr::nats
