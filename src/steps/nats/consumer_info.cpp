#include "steps/nats/consumer_info.h"

#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {

StepResult ConsumerInfoStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    std::string stream = input.param("stream"), consumer = input.param("consumer");
    result.facts["stream"] = stream;
    result.facts["consumer"] = consumer;
    if (stream.empty() || consumer.empty()) {
      result.status = StepStatus::Failed;
      result.summary = "parameters stream and consumer are required";
      return;
    }
    auto conn = open_js_for_step(cluster, input, result, pool());
    if (!conn) return;
    std::string label = stream + "/" + consumer;
    auto reply = conn->consumer_info(stream, consumer, input.deadline);
    if (reply.error) {
      record_js_error(*reply.error, result);
      int code = reply.error->js_code;
      result.facts["found"] = code != JSStreamNotFoundErr && code != JSConsumerNotFoundErr;
      result.summary = label + ": " + reply.error->text;
      if (code != 0) result.summary += " (" + std::to_string(code) + ")";
      result.output = trim_step_output(connection_output(result.facts) + result.summary + "\n");
      return;
    }
    result.facts.update(consumer_facts(*reply.value));
    result.facts["found"] = true;
    // consumer_facts names them too; keep the requested spelling.
    result.facts["stream"] = stream;
    result.facts["consumer"] = consumer;
    result.facts.erase("name");

    const auto& f = result.facts;
    const auto& cfg = field(f, "config");
    std::string repl = replication_text(field(f, "replication"));
    result.summary = label + ": " + std::to_string(get_uint(f, "num_pending").value_or(0)) + " pending, " +
                     std::to_string(get_int(f, "num_ack_pending").value_or(0)) + " awaiting ack, " +
                     std::to_string(get_int(f, "num_redelivered").value_or(0)) + " redelivered; " + repl;
    const auto& d = field(f, "delivered");
    const auto& a = field(f, "ack_floor");
    std::string out = connection_output(f);
    out += "config: deliver " + get_string(cfg, "deliver_policy") + ", ack " + get_string(cfg, "ack_policy") +
           ", replay " + get_string(cfg, "replay_policy") + ", max_ack_pending " +
           std::to_string(get_int(cfg, "max_ack_pending").value_or(0)) + ", max_deliver " +
           std::to_string(get_int(cfg, "max_deliver").value_or(0)) + "\n";
    out += "delivered: stream seq " + std::to_string(get_uint(d, "stream_seq").value_or(0)) + ", last " +
           get_string(d, "last_active") + "\n";
    out += "ack floor: stream seq " + std::to_string(get_uint(a, "stream_seq").value_or(0)) + ", last " +
           get_string(a, "last_active") + "\n";
    out += "pending " + std::to_string(get_uint(f, "num_pending").value_or(0)) + ", ack pending " +
           std::to_string(get_int(f, "num_ack_pending").value_or(0)) + ", redelivered " +
           std::to_string(get_int(f, "num_redelivered").value_or(0)) + ", waiting " +
           std::to_string(get_int(f, "num_waiting").value_or(0)) + "\n";
    out += "cluster: " + repl + "\n";
    result.output = trim_step_output(out);
  });
}

}  // namespace rr::nats
