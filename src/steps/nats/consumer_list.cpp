#include "steps/nats/consumer_list.h"

#include "steps/nats/consumer_report.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {

StepResult ConsumerListStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto listing = list_consumers_for_step(cluster, input, pool(), result);
    if (!listing) return;
    nlohmann::json consumers = nlohmann::json::array();
    std::string out = connection_output(result.facts);
    for (const auto& c : listing->consumers) {
      nlohmann::json entry = {{"consumer", c["consumer"]},
                              {"num_pending", c["num_pending"]},
                              {"num_ack_pending", c["num_ack_pending"]},
                              {"num_redelivered", c["num_redelivered"]},
                              {"num_waiting", c["num_waiting"]},
                              {"last_active", c["last_active"]},
                              {"leader", get_string(field(c, "replication"), "leader")}};
      out += get_string(entry, "consumer") + ": " + std::to_string(get_uint(entry, "num_pending").value_or(0)) +
             " pending, " + std::to_string(get_uint(entry, "num_ack_pending").value_or(0)) + " ack pending\n";
      consumers.push_back(std::move(entry));
    }
    result.summary = get_string(result.facts, "stream") + ": " + std::to_string(consumers.size()) + " consumers";
    result.facts["consumers"] = std::move(consumers);
    result.output = trim_step_output(out);
  });
}

}  // namespace rr::nats
