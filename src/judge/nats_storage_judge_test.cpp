// The storage judge on the captured one-node-down replies (streams FULLB and
// FULLM filled with discard new until publishes failed, FULLOLD with discard
// old) and on hand-built facts for rates, thresholds and hostile shapes.

#include <catch2/catch.hpp>

#include "judge/nats_storage_judge.h"
#include "steps/nats/testdata/samples.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::describe;

namespace samples = nats::samples;
using json = nlohmann::json;

// A nats.stream_info result from one stream_detail entry of a captured /jsz
// reply: the same JetStream API shapes, in the step's facts (stream_info.h).
StepResult stream_info_from_jsz(const json& d, const std::string& id = "stream") {
  const json& c = d["config"];
  json facts = {{"cluster", "cim"}, {"reachable", true}, {"error", ""}, {"js_error_code", 0},
                {"stream", d["name"]}, {"found", true},
                {"config", {{"name", c["name"]}, {"discard", c["discard"]}, {"max_bytes", c["max_bytes"]},
                            {"max_msgs", c["max_msgs"]}, {"num_replicas", c["num_replicas"]}}},
                {"state", d["state"]},
                {"replication", {{"leader", d["cluster"]["leader"]}, {"replicas", json::array()}}}};
  return samples::result(id, "nats.stream_info", facts);
}

// nats.stream_list facts (stream_list.h) for every stream of the reply.
StepResult stream_list_from_jsz(const json& details) {
  json streams = json::array();
  for (const auto& d : details) {
    streams.push_back({{"name", d["name"]}, {"messages", d["state"]["messages"]}, {"bytes", d["state"]["bytes"]},
                       {"max_bytes", d["config"]["max_bytes"]}, {"max_msgs", d["config"]["max_msgs"]},
                       {"discard", d["config"]["discard"]}, {"num_replicas", 3}, {"leader", "n1"},
                       {"replicas", json::array()}});
  }
  return samples::result("streams", "nats.stream_list", {{"reachable", true}, {"streams", streams}});
}

const json& stream_details() {
  static const json d = samples::json("degraded_n1_jsz_acc_APP.json")["account_details"][0]["stream_detail"];
  return d;
}

const json& detail(const std::string& name) {
  for (const auto& d : stream_details()) {
    if (d["name"] == name) return d;
  }
  throw std::runtime_error("no stream " + name + " in the sample");
}

std::vector<Finding> judge(const std::vector<StepResult>& steps, const Thresholds* t = nullptr) {
  std::vector<Finding> out;
  NatsStorageJudge().judge(steps, JudgeContext{nullptr, t}, out);
  return out;
}

const Finding* find(const std::vector<Finding>& fs, const std::string& code, const std::string& key = "",
                    const std::string& value = "") {
  for (const auto& f : fs) {
    if (f.code != code) continue;
    auto it = f.values.find(key);
    if (key.empty() || (it != f.values.end() && it->second == value)) return &f;
  }
  return nullptr;
}

json stream_facts(json config, json state) {
  return {{"reachable", true}, {"stream", "S"}, {"found", true}, {"config", config}, {"state", state}};
}

}  // namespace

TEST_CASE("a stream full with discard new rejects publishes with the server's words") {
  auto fs = judge({stream_info_from_jsz(detail("FULLB"))});
  INFO(describe(fs));
  const Finding* full = find(fs, "nats.stream_full_rejecting");
  REQUIRE(full != nullptr);
  CHECK(full->severity == Severity::Critical);
  CHECK(full->values.at("stream") == "FULLB");
  CHECK(full->values.at("error") == "maximum bytes exceeded");
  CHECK(full->values.at("code") == "10077");
  CHECK(full->title == "Stream FULLB is full and rejects publishes: \"maximum bytes exceeded\"");
  CHECK(full->detail.find("10077 \"maximum bytes exceeded\"") != std::string::npos);
  CHECK(full->detail.find("average size (987 bytes)") != std::string::npos);
  REQUIRE(full->evidence.size() == 1);
  CHECK(full->evidence[0] == "stream: FULLB discard new, 19745 bytes + 987 average >= max_bytes 20000");

  const Finding* high = find(fs, "nats.stream_storage_high");
  REQUIRE(high != nullptr);
  CHECK(high->severity == Severity::Critical);
  CHECK(high->values.at("used") == "19745");
  CHECK(high->values.at("limit") == "20000");
  CHECK(high->values.at("percent") == "98.7");
  CHECK(high->values.at("limit_name") == "max_bytes");
  // 19745 bytes arrived in 1.09 s: the last 255 bytes take milliseconds.
  REQUIRE(high->values.count("projected_full_in") == 1);
  CHECK(high->values.at("projected_full_in") == "14ms");
  CHECK(high->detail.find("between 2026-11-22T23:54:39.039043499Z and 2026-11-22T23:54:40.128269133Z") !=
        std::string::npos);
  CHECK(high->detail.find("publishes fail at the limit with 10077") != std::string::npos);
  CHECK(fs.size() == 2);
}

TEST_CASE("a stream at max_msgs with discard new: maximum messages exceeded") {
  auto fs = judge({stream_info_from_jsz(detail("FULLM"))});
  INFO(describe(fs));
  const Finding* full = find(fs, "nats.stream_full_rejecting");
  REQUIRE(full != nullptr);
  CHECK(full->values.at("error") == "maximum messages exceeded");
  CHECK(full->evidence[0] == "stream: FULLM discard new, 5 messages, max_msgs 5");
  const Finding* high = find(fs, "nats.stream_storage_high", "limit_name", "max_msgs");
  REQUIRE(high != nullptr);
  CHECK(high->values.at("percent") == "100.0");
  CHECK(high->values.count("projected_full_in") == 0);  // already full
  CHECK(find(fs, "nats.stream_storage_high", "limit_name", "max_bytes") == nullptr);  // unlimited
}

TEST_CASE("discard old at its limit drops old messages instead of rejecting") {
  auto fs = judge({stream_info_from_jsz(detail("FULLOLD")), stream_info_from_jsz(detail("CIM-EVENTS"))});
  INFO(describe(fs));
  CHECK(find(fs, "nats.stream_full_rejecting") == nullptr);
  const Finding* high = find(fs, "nats.stream_storage_high", "stream", "FULLOLD");
  REQUIRE(high != nullptr);
  CHECK(high->severity == Severity::Critical);
  CHECK(high->detail.find("drops its oldest messages") != std::string::npos);
  CHECK(find(fs, "nats.stream_storage_high", "stream", "CIM-EVENTS") == nullptr);  // 1 %
  CHECK(fs.size() == 1);
}

TEST_CASE("stream_list and stream_info on the same stream give one finding with both facts") {
  auto fs = judge({stream_info_from_jsz(detail("FULLB")), stream_list_from_jsz(stream_details())});
  INFO(describe(fs));
  const Finding* full = find(fs, "nats.stream_full_rejecting", "stream", "FULLB");
  REQUIRE(full != nullptr);
  CHECK(full->evidence.size() == 2);
  CHECK(full->evidence[1].rfind("streams: FULLB", 0) == 0);
  // stream_list alone has no times: no projection, but the same verdicts.
  auto list_only = judge({stream_list_from_jsz(stream_details())});
  const Finding* high = find(list_only, "nats.stream_storage_high", "stream", "FULLB");
  REQUIRE(high != nullptr);
  CHECK(high->values.count("projected_full_in") == 0);
  CHECK(find(list_only, "nats.stream_full_rejecting", "stream", "FULLM") != nullptr);
  CHECK(find(list_only, "nats.stream_full_rejecting", "stream", "FULLOLD") == nullptr);
}

TEST_CASE("storage thresholds and the projected time to full") {
  json config = {{"name", "S"}, {"discard", "old"}, {"max_bytes", 1000}, {"max_msgs", 100}};
  json state = {{"bytes", 800}, {"messages", 50}, {"first_ts", "2026-01-01T00:00:00Z"},
                {"last_ts", "2026-01-01T00:01:20Z"}};
  auto steps = std::vector<StepResult>{samples::result("s", "nats.stream_info", stream_facts(config, state))};
  auto fs = judge(steps);
  INFO(describe(fs));
  REQUIRE(fs.size() == 1);  // 80 % of bytes; 50 % of messages is fine
  CHECK(fs[0].severity == Severity::Warning);
  CHECK(fs[0].values.at("percent") == "80.0");
  // 800 bytes in 80 s is 10 B/s: the last 200 bytes take 20 s.
  CHECK(fs[0].values.at("projected_full_in") == "20s");
  CHECK(fs[0].detail.find("10 B/s") != std::string::npos);

  Thresholds lower;
  lower.storage_warning = 0.4;
  lower.storage_critical = 0.75;
  fs = judge(steps, &lower);
  INFO(describe(fs));
  REQUIRE(fs.size() == 2);
  const Finding* bytes = find(fs, "nats.stream_storage_high", "limit_name", "max_bytes");
  const Finding* msgs = find(fs, "nats.stream_storage_high", "limit_name", "max_msgs");
  REQUIRE(bytes != nullptr);
  REQUIRE(msgs != nullptr);
  CHECK(bytes->severity == Severity::Critical);
  CHECK(msgs->severity == Severity::Warning);
  CHECK(msgs->values.at("projected_full_in") == "1m20s");  // 50 messages in 80 s, 50 to go

  Thresholds higher;
  higher.storage_warning = 0.9;
  CHECK(judge(steps, &higher).empty());

  // One instant (or unreadable times): no rate, so no projection.
  state["last_ts"] = state["first_ts"];
  fs = judge({samples::result("s", "nats.stream_info", stream_facts(config, state))});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.count("projected_full_in") == 0);
  state["first_ts"] = "yesterday";
  state["last_ts"] = 17;
  fs = judge({samples::result("s", "nats.stream_info", stream_facts(config, state))});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.count("projected_full_in") == 0);
}

TEST_CASE("server store near max_storage and slow consumers, from the monitoring steps") {
  auto healthy = samples::monitor_steps({samples::degraded(0), samples::degraded(1), samples::degraded(2)});
  CHECK(judge(healthy).empty());  // 4 % of max_storage, no slow consumers

  auto n1 = samples::degraded(0);
  auto jsz = nlohmann::json::parse(n1.jsz.body);
  jsz["storage"] = 200000000;
  jsz["reserved_storage"] = 60000000;  // 260 MB of 268435456
  n1.jsz = samples::ok(jsz);
  auto varz = nlohmann::json::parse(n1.varz.body);
  varz["slow_consumers"] = 3;
  n1.varz = samples::ok(varz);
  auto fs = judge(samples::monitor_steps({n1, samples::degraded(1), samples::degraded(2)}));
  INFO(describe(fs));
  REQUIRE(fs.size() == 2);
  const Finding* store = find(fs, "nats.server_storage_high");
  REQUIRE(store != nullptr);
  CHECK(store->severity == Severity::Critical);
  CHECK(store->values == std::map<std::string, std::string>{
                             {"server", "n1"}, {"used", "260000000"}, {"limit", "268435456"}, {"percent", "96.9"}});
  CHECK(store->evidence[0] == "jetstream: n1 storage 200000000 + reserved_storage 60000000 of max_storage 268435456");
  CHECK(store->detail.find("10023") != std::string::npos);
  const Finding* slow = find(fs, "nats.slow_consumers");
  REQUIRE(slow != nullptr);
  CHECK(slow->severity == Severity::Warning);
  CHECK(slow->values == std::map<std::string, std::string>{{"server", "n1"}, {"count", "3"}});
  CHECK(slow->evidence[0] == "servers: n1 slow_consumers 3");

  Thresholds t;
  t.storage_critical = 0.99;
  fs = judge(samples::monitor_steps({n1, samples::degraded(1), samples::degraded(2)}), &t);
  REQUIRE(find(fs, "nats.server_storage_high") != nullptr);
  CHECK(find(fs, "nats.server_storage_high")->severity == Severity::Warning);
}

TEST_CASE("the storage judge ignores failed steps and facts of the wrong shape") {
  StepResult failed = stream_info_from_jsz(detail("FULLB"));
  failed.status = StepStatus::Failed;
  CHECK(judge({failed}).empty());
  for (json config : {json(nullptr), json("x"), json::array(),
                      json{{"name", "S"}, {"discard", "new"}, {"max_bytes", "1000"}, {"max_msgs", -5}},
                      json{{"name", "S"}, {"discard", "new"}, {"max_bytes", 0}, {"max_msgs", 0}}}) {
    INFO(config.dump());
    json state = {{"bytes", 1e30}, {"messages", -1}, {"first_ts", 3}, {"last_ts", nullptr}};
    CHECK(judge({samples::result("s", "nats.stream_info", stream_facts(config, state))}).empty());
  }
  json weird = {{"streams", {1, "x", nullptr, json{{"name", 7}}}}};
  CHECK(judge({samples::result("l", "nats.stream_list", weird)}).empty());
  CHECK(judge({samples::result("j", "nats.jetstream_report", {{"servers", "none"}})}).empty());
  CHECK(judge({samples::result("j", "nats.server_list", {{"servers", {json{{"slow_consumers", -2}}}}})}).empty());
}

}  // namespace rr
