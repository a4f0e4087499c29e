#include "steps/nats/consumer_info.h"

#include <thread>

#include "common/time.h"

#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

using namespace std::chrono_literals;

// Room left after the wait for the second call itself.
constexpr std::chrono::milliseconds kSecondReadRoom = 500ms;

// With `again`: read the consumer a second time that long after the first,
// so that the judge can tell a consumer catching up from one that is stuck
// (runbook 000, post-recovery verification: consumers active, pending
// shrinking). The second read's numbers replace the first's in `facts`,
// which keep the first's under "earlier"; when the deadline leaves no room,
// or the second call fails, the first read stands and "again_skipped" says
// why.
void read_again(const JsConnection& conn, const StepInput& input, const std::string& stream,
                const std::string& consumer, nlohmann::json& facts) {
  const std::string text = input.param("again");
  if (text.empty()) return;
  auto again = parse_duration(text);
  if (!again) {
    facts["again_skipped"] = "again is not a duration: " + text;
    return;
  }
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*again);
  if (wait + kSecondReadRoom > input.deadline.remaining()) {
    facts["again_skipped"] = "the step's deadline leaves no room for a second read " + text + " later";
    return;
  }
  std::this_thread::sleep_for(wait);
  auto second = conn.consumer_info(stream, consumer, input.deadline);
  if (second.error) {
    facts["again_skipped"] = "the second read failed: " + second.error->text;
    return;
  }
  nlohmann::json earlier = {{"num_pending", get_uint(facts, "num_pending").value_or(0)},
                            {"num_ack_pending", get_int(facts, "num_ack_pending").value_or(0)},
                            {"delivered_stream_seq", get_uint(field(facts, "delivered"), "stream_seq").value_or(0)},
                            {"ack_floor_stream_seq", get_uint(field(facts, "ack_floor"), "stream_seq").value_or(0)},
                            {"interval_ms", wait.count()}};
  facts.update(consumer_facts(*second.value));
  facts["earlier"] = std::move(earlier);
}

}  // namespace

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
    read_again(*conn, input, stream, consumer, result.facts);
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
