#include "steps/nats/stream_info.h"

#include "common/time.h"
#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

std::string limit_text(std::int64_t limit) { return limit < 0 ? "unlimited" : std::to_string(limit); }

}  // namespace

StepResult StreamInfoStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    std::string stream = input.param("stream");
    result.facts["stream"] = stream;
    if (stream.empty()) {
      result.status = StepStatus::Failed;
      result.summary = "parameter stream is missing";
      return;
    }
    auto conn = open_js_for_step(cluster, input, result, pool());
    if (!conn) return;
    auto reply = conn->stream_info(stream, input.deadline);
    if (reply.error) {
      record_js_error(*reply.error, result);
      result.facts["found"] = reply.error->js_code != JSStreamNotFoundErr;
      result.summary = stream + ": " + reply.error->text;
      if (reply.error->js_code != 0) result.summary += " (" + std::to_string(reply.error->js_code) + ")";
      result.output = trim_step_output(connection_output(result.facts) + result.summary + "\n");
      return;
    }
    const jsStreamInfo& si = *reply.value;
    auto& f = result.facts;
    f["found"] = true;
    f["config"] = stream_config_facts(si.Config);
    f["state"] = stream_state_facts(si.State);
    f["replication"] = replication_facts(si.Cluster);

    std::string repl = replication_text(f["replication"]);
    result.summary = stream + ": " + std::to_string(si.State.Msgs) + " messages, " + format_bytes(si.State.Bytes) +
                     "; " + repl;
    const auto& c = f["config"];
    std::string out = connection_output(f);
    out += "config: subjects";
    for (const auto& s : field(c, "subjects")) out += " " + (s.is_string() ? s.get<std::string>() : "");
    out += ", " + get_string(c, "storage") + ", replicas " + std::to_string(get_int(c, "num_replicas").value_or(0)) +
           ", retention " + get_string(c, "retention") + ", discard " + get_string(c, "discard") +
           ", max_bytes " + limit_text(get_int(c, "max_bytes").value_or(-1)) +
           ", max_msgs " + limit_text(get_int(c, "max_msgs").value_or(-1)) + ", max_age " +
           (get_int(c, "max_age_ns").value_or(0) > 0 ? format_duration(Nanos(*get_int(c, "max_age_ns"))) : "unlimited") +
           "\n";
    out += "state: " + std::to_string(si.State.Msgs) + " messages, " + format_bytes(si.State.Bytes) + ", seq " +
           std::to_string(si.State.FirstSeq) + ".." + std::to_string(si.State.LastSeq) + ", last " +
           time_from_nanos(si.State.LastTime) + ", " + std::to_string(si.State.Consumers) + " consumers\n";
    out += "cluster: " + repl + "\n";
    result.output = trim_step_output(out);
  });
}

}  // namespace rr::nats
