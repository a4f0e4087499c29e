#include "steps/nats/consumer_report.h"

#include <algorithm>

#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

// One consumer as consumer_info.h shapes it, plus its last activity.
nlohmann::json consumer_entry(const jsConsumerInfo& info) {
  nlohmann::json f = consumer_facts(info);
  f["consumer"] = f["name"];
  f.erase("name");
  f["last_active"] = time_from_nanos(std::max(info.Delivered.Last, info.AckFloor.Last));
  return f;
}

std::string count(const nlohmann::json& j, std::string_view key) {
  return std::to_string(get_uint(j, key).value_or(0));
}

std::string report_line(const nlohmann::json& c) {
  std::string last = get_string(c, "last_active");
  return get_string(c, "consumer") + ": " + count(c, "num_pending") + " pending, " + count(c, "num_ack_pending") +
         " ack pending, " + count(c, "num_redelivered") + " redelivered, " + count(c, "num_waiting") +
         " waiting pulls; delivered stream seq " + count(field(c, "delivered"), "stream_seq") + ", ack floor " +
         count(field(c, "ack_floor"), "stream_seq") + "; last active " + (last.empty() ? "never" : last) + "; " +
         replication_text(field(c, "replication")) + "\n";
}

}  // namespace

std::optional<ConsumerListing> list_consumers_for_step(const ClusterConfig& cluster, const StepInput& input,
                                                       ConnectionPool* pool,
                                                       StepResult& result) {
  std::string stream = input.param("stream");
  result.facts["stream"] = stream;
  if (stream.empty()) {
    result.status = StepStatus::Failed;
    result.summary = "parameter stream is missing";
    return std::nullopt;
  }
  auto conn = open_js_for_step(cluster, input, result, pool);
  if (!conn) return std::nullopt;
  auto reply = conn->consumers(stream, input.deadline);
  if (reply.error) {
    record_js_error(*reply.error, result);
    result.facts["found"] = reply.error->js_code != JSStreamNotFoundErr;
    result.summary = stream + ": " + reply.error->text;
    if (reply.error->js_code != 0) result.summary += " (" + std::to_string(reply.error->js_code) + ")";
    result.output = trim_step_output(connection_output(result.facts) + result.summary + "\n");
    return std::nullopt;
  }
  result.facts["found"] = true;
  nlohmann::json consumers = nlohmann::json::array();
  const jsConsumerInfoList* list = reply.value.get();
  for (int i = 0; list != nullptr && list->List != nullptr && i < list->Count; ++i) {
    if (list->List[i] != nullptr) consumers.push_back(consumer_entry(*list->List[i]));
  }
  std::sort(consumers.begin(), consumers.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return get_string(a, "consumer") < get_string(b, "consumer");
  });
  return ConsumerListing{std::move(*conn), std::move(consumers)};
}

StepResult ConsumerReportStep::run(const StepInput& input) const {
  return run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    auto listing = list_consumers_for_step(cluster, input, pool(), result);
    if (!listing) return;
    auto& f = result.facts;
    std::string stream = get_string(f, "stream");
    // The stream's last sequence puts each consumer's position in context;
    // without it the report still stands.
    std::string out = connection_output(f);
    if (auto info = listing->conn.stream_info(stream, input.deadline); info.value) {
      f["stream_state"] = stream_state_facts(info.value->State);
      out += "stream: " + count(f["stream_state"], "messages") + " messages, last seq " +
             count(f["stream_state"], "last_seq") + "\n";
    } else if (info.error) {
      out += "stream info: " + info.error->text + "\n";
    }
    std::uint64_t pending = 0, ack_pending = 0;
    for (const auto& c : listing->consumers) {
      pending += get_uint(c, "num_pending").value_or(0);
      ack_pending += get_uint(c, "num_ack_pending").value_or(0);
      out += report_line(c);
    }
    result.summary = stream + ": " + std::to_string(listing->consumers.size()) + " consumers, " +
                     std::to_string(pending) + " pending, " + std::to_string(ack_pending) + " awaiting ack";
    f["consumers"] = std::move(listing->consumers);
    result.output = trim_step_output(out);
  });
}

}  // namespace rr::nats
