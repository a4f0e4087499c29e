#include "steps/nats/leafnodes.h"

#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::nats {
namespace {

constexpr std::size_t kMaxLeafs = 1000;

}  // namespace

nlohmann::json leafnodes_server_facts(const ServerRef& ref, const MonitorReply& leafz) {
  nlohmann::json facts = server_ref_facts(ref);
  facts["reachable"] = leafz.reachable;
  facts["error"] = data_reply_error(leafz);
  const auto& body = leafz.body;
  if (!body.is_object()) return facts;
  facts["server_id"] = one_line(get_string(body, "server_id"), 64);
  nlohmann::json leafs = nlohmann::json::array();
  const auto& list = field(body, "leafs");
  if (list.is_array()) {
    for (const auto& l : list) {
      if (leafs.size() == kMaxLeafs) {
        facts["leafs_truncated"] = true;
        break;
      }
      nlohmann::json leaf = nlohmann::json::object();
      for (const char* key : {"name", "account", "ip", "rtt"}) copy_string(leaf, l, key, key);
      for (const char* key : {"port", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions"}) {
        copy_uint(leaf, l, key, key);
      }
      leafs.push_back(std::move(leaf));
    }
  }
  facts["leafnodes"] = get_uint(body, "leafnodes").value_or(leafs.size());
  facts["leafs"] = std::move(leafs);
  return facts;
}

nlohmann::json leafnodes_facts(const ClusterConfig& cluster, std::vector<nlohmann::json> servers) {
  int answered = 0;
  std::uint64_t total = 0;
  for (const auto& s : servers) {
    if (get_bool(s, "reachable")) ++answered;
    total += get_uint(s, "leafnodes").value_or(0);
  }
  return {{"cluster", cluster.name},  {"total", servers.size()}, {"answered", answered},
          {"reachable", answered > 0}, {"leafnodes", total},      {"servers", servers}};
}

std::string leafnodes_summary(const nlohmann::json& facts) {
  std::string summary = std::to_string(get_int(facts, "answered").value_or(0)) + "/" +
                        std::to_string(get_int(facts, "total").value_or(0)) + " servers answered; " +
                        std::to_string(get_uint(facts, "leafnodes").value_or(0)) + " leaf node connections";
  std::string down;
  for (const auto& s : field(facts, "servers")) {
    if (!get_bool(s, "reachable")) down += (down.empty() ? "" : ", ") + get_string(s, "monitor");
  }
  if (!down.empty()) summary += "; " + down + " unreachable";
  return one_line(summary, 400);
}

std::string leafnodes_output(const nlohmann::json& facts) {
  return per_server_output(facts, [](const nlohmann::json& s) {
    std::string out = std::to_string(get_uint(s, "leafnodes").value_or(0)) + " leaf nodes\n";
    for (const auto& l : field(s, "leafs")) {
      out += "  " + get_string(l, "name") + " account " + get_string(l, "account") + " from " + get_string(l, "ip") +
             ":" + std::to_string(get_uint(l, "port").value_or(0)) + ", rtt " + get_string(l, "rtt") + ", in " +
             std::to_string(get_uint(l, "in_msgs").value_or(0)) + " / out " +
             std::to_string(get_uint(l, "out_msgs").value_or(0)) + " msgs, " +
             std::to_string(get_uint(l, "subscriptions").value_or(0)) + " subscriptions\n";
    }
    if (std::string e = get_string(s, "error"); !e.empty()) out += "  error: " + e + "\n";
    return out;
  });
}

StepResult LeafnodesStep::run(const StepInput& input) const {
  static const MonitorStepParts parts{
      [](const ServerRef& ref, Deadline deadline) {
        return leafnodes_server_facts(ref, get_monitor(ref.monitor, "/leafz", deadline));
      },
      leafnodes_facts,
      leafnodes_summary,
      leafnodes_output};
  StepResult result = run_monitor_step(kName, input, parts);
  // The rule's `expect` (it passed ValueType::Integer: digits, within
  // int64), else the cluster's configured count.
  if (!result.facts.is_object()) return result;
  if (std::string expect = input.param("expect"); !expect.empty())
    result.facts["expected"] = std::stoull(expect);
  else if (input.cluster && input.cluster->leafnodes)
    result.facts["expected"] = *input.cluster->leafnodes;
  return result;
}

}  // namespace rr::nats
