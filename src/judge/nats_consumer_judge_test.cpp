// The consumer judge on the captured consumer CIM-PROCESSOR (70 pending, 10
// awaiting ack, delivered up to 30 of 100) and on hand-built facts for each
// threshold, the clock and hostile shapes.

#include <catch2/catch.hpp>

#include <algorithm>

#include "judge/nats_consumer_judge.h"
#include "steps/nats/testdata/samples.h"
#include "judge/finding_test_util.h"

namespace rr {
namespace {

using test::describe;

namespace samples = nats::samples;
using json = nlohmann::json;
using namespace std::chrono_literals;

// A consumer_detail entry of a captured /jsz reply in the facts shape of
// consumer_info.h (the same JetStream API fields, renamed as the step does).
json consumer_from_jsz(const json& d) {
  const json& c = d["config"];
  return {{"stream", d["stream_name"]}, {"consumer", d["name"]}, {"created", d["created"]},
          {"delivered", d["delivered"]}, {"ack_floor", d["ack_floor"]},
          {"num_pending", d["num_pending"]}, {"num_ack_pending", d["num_ack_pending"]},
          {"num_redelivered", d["num_redelivered"]}, {"num_waiting", d["num_waiting"]},
          {"config", {{"durable_name", c["durable_name"]}, {"ack_policy", c["ack_policy"]},
                      {"ack_wait_ns", c["ack_wait"]}, {"max_deliver", c["max_deliver"]},
                      {"max_ack_pending", c["max_ack_pending"]}, {"max_waiting", c["max_waiting"]},
                      {"deliver_subject", ""}}},
          {"replication", {{"leader", d["cluster"]["leader"]}}}};
}

// nats.consumer_report facts for CIM-EVENTS from the captured reply.
StepResult captured_report() {
  json stream = samples::json("degraded_n1_jsz_acc_APP.json")["account_details"][0]["stream_detail"][0];
  REQUIRE(stream["name"] == "CIM-EVENTS");
  json consumers = json::array({consumer_from_jsz(stream["consumer_detail"][0])});
  return samples::result("report", "nats.consumer_report",
                         {{"reachable", true}, {"stream", "CIM-EVENTS"}, {"found", true},
                          {"stream_state", stream["state"]}, {"consumers", consumers}});
}

std::string ago(Nanos d) { return format_rfc3339(TimePoint(Clock::now() - d)); }

// A consumer of stream S as nats.consumer_info facts.
json consumer(std::uint64_t pending, std::uint64_t ack_pending, std::uint64_t redelivered = 0,
              std::int64_t max_ack_pending = 1000, std::string last_active = "") {
  if (last_active.empty()) last_active = ago(1s);
  return {{"reachable", true}, {"found", true}, {"stream", "S"}, {"consumer", "C"},
          {"created", ago(24h)},
          {"delivered", {{"stream_seq", 40}, {"last_active", last_active}}},
          {"ack_floor", {{"stream_seq", 40 - ack_pending}, {"last_active", last_active}}},
          {"num_pending", pending}, {"num_ack_pending", ack_pending}, {"num_redelivered", redelivered},
          {"num_waiting", 1},
          {"config", {{"max_ack_pending", max_ack_pending}, {"ack_wait_ns", 30000000000LL}, {"max_deliver", 5}}}};
}

StepResult info(json facts, std::string id = "consumer") {
  return samples::result(std::move(id), "nats.consumer_info", std::move(facts));
}

std::vector<Finding> all_findings(const std::vector<StepResult>& steps, const Thresholds* t = nullptr) {
  std::vector<Finding> out;
  NatsConsumerJudge().judge(steps, JudgeContext{nullptr, t}, out);
  return out;
}

bool is_replay(const Finding& f) { return f.code == "nats.consumer_replay" || f.code == "nats.consumer_caught_up"; }

// The problems only: a named consumer's replay position is always reported
// and has tests of its own below.
std::vector<Finding> judge(const std::vector<StepResult>& steps, const Thresholds* t = nullptr) {
  auto out = all_findings(steps, t);
  out.erase(std::remove_if(out.begin(), out.end(), is_replay), out.end());
  return out;
}

const Finding* find(const std::vector<Finding>& fs, const std::string& code) {
  for (const auto& f : fs) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the captured consumer: backlog and ack pending over lowered thresholds, idle for hours") {
  Thresholds t;
  t.consumer_pending = 50;
  t.consumer_ack_pending = 5;
  auto fs = judge({captured_report()}, &t);
  INFO(describe(fs));
  REQUIRE(fs.size() == 3);

  const Finding* backlog = find(fs, "nats.consumer_backlog");
  REQUIRE(backlog != nullptr);
  CHECK(backlog->severity == Severity::Warning);
  CHECK(backlog->title == "Consumer CIM-EVENTS/CIM-PROCESSOR has a backlog of 70 messages");
  CHECK(backlog->detail.rfind("CIM-PROCESSOR has 70 messages pending, delivered up to stream seq 30, ack floor 20, "
                              "stream last seq 100 (threshold 50).", 0) == 0);
  CHECK(backlog->detail.find("No pull request is waiting") != std::string::npos);
  CHECK(backlog->values == std::map<std::string, std::string>{{"stream", "CIM-EVENTS"},
                                                              {"consumer", "CIM-PROCESSOR"},
                                                              {"pending", "70"},
                                                              {"delivered_seq", "30"},
                                                              {"ack_floor_seq", "20"},
                                                              {"replay_from", "21"},
                                                              {"last_seq", "100"}});
  REQUIRE(backlog->evidence.size() == 1);
  CHECK(backlog->evidence[0] == "report: CIM-EVENTS/CIM-PROCESSOR num_pending 70, delivered stream seq 30, "
                                "ack floor stream seq 20, stream last seq 100, num_waiting 0");

  const Finding* ack = find(fs, "nats.consumer_ack_pending");
  REQUIRE(ack != nullptr);
  CHECK(ack->severity == Severity::Warning);
  CHECK(ack->values.at("ack_pending") == "10");
  CHECK(ack->values.at("max_ack_pending") == "1000");
  CHECK(ack->detail.find("10 messages delivered but not acknowledged (ack floor stream seq 20, delivered up to 30") !=
        std::string::npos);

  // Captured on 2026-11-22: long before any run of this test.
  const Finding* stale = find(fs, "nats.consumer_stale");
  REQUIRE(stale != nullptr);
  CHECK(stale->values.at("last_active") == "2026-11-22T23:55:00.792988543Z");  // the ack, after the delivery
  CHECK(stale->values.at("pending") == "70");
  CHECK(stale->detail.find("its last delivery or ack was at 2026-11-22T23:55:00.792988543Z") != std::string::npos);

  // The defaults (no thresholds in the context): 70 and 10 are fine.
  auto defaults = judge({captured_report()});
  INFO(describe(defaults));
  REQUIRE(defaults.size() == 1);
  CHECK(defaults[0].code == "nats.consumer_stale");
}

TEST_CASE("ack pending near and at max_ack_pending") {
  auto near = judge({info(consumer(0, 8, 0, 10))});
  INFO(describe(near));
  REQUIRE(near.size() == 1);
  CHECK(near[0].code == "nats.consumer_ack_pending");
  CHECK(near[0].severity == Severity::Warning);
  CHECK(near[0].title == "Consumer S/C has 8 messages awaiting ack (max_ack_pending 10)");

  auto at = judge({info(consumer(0, 10, 0, 10))});
  REQUIRE(at.size() == 1);
  CHECK(at[0].severity == Severity::Critical);
  CHECK(at[0].detail.find("consumption has stopped") != std::string::npos);

  CHECK(judge({info(consumer(0, 7, 0, 10))}).empty());    // 70 %
  CHECK(judge({info(consumer(0, 1000, 0, -1))}).empty());  // unlimited, at the count threshold
  auto over = judge({info(consumer(0, 1001, 0, -1))});
  REQUIRE(over.size() == 1);
  CHECK(over[0].severity == Severity::Warning);
  CHECK(over[0].values.at("max_ack_pending") == "-1");

  Thresholds t;
  t.consumer_ack_pending_ratio = 0.5;
  CHECK(judge({info(consumer(0, 5, 0, 10))}, &t).size() == 1);
}

TEST_CASE("backlog and redeliveries against their thresholds") {
  CHECK(judge({info(consumer(1000, 0))}).empty());
  auto backlog = judge({info(consumer(1001, 0))});
  REQUIRE(backlog.size() == 1);
  CHECK(backlog[0].code == "nats.consumer_backlog");
  CHECK(backlog[0].values.at("last_seq") == "");  // no step read the stream
  CHECK(backlog[0].detail.find("1 pull requests are waiting") != std::string::npos);

  // A stream_info of the same stream supplies its last sequence.
  auto with_stream = judge({info(consumer(1001, 0)),
                            samples::result("stream", "nats.stream_info",
                                            {{"stream", "S"}, {"found", true}, {"state", {{"last_seq", 1041}}}})});
  REQUIRE(with_stream.size() == 1);
  CHECK(with_stream[0].values.at("last_seq") == "1041");

  auto redelivered = judge({info(consumer(0, 0, 150))});
  REQUIRE(redelivered.size() == 1);
  CHECK(redelivered[0].code == "nats.consumer_redeliveries");
  CHECK(redelivered[0].values.at("redelivered") == "150");
  CHECK(redelivered[0].detail.find("within ack_wait (30s)") != std::string::npos);
  CHECK(redelivered[0].detail.find("max_deliver 5") != std::string::npos);
  Thresholds t;
  t.consumer_redeliveries = 150;
  CHECK(judge({info(consumer(0, 0, 150))}, &t).empty());
  t.consumer_redeliveries = 0;
  t.consumer_pending = 0;
  CHECK(judge({info(consumer(1, 0, 1))}, &t).size() == 2);
}

TEST_CASE("stale: messages pending and no activity for longer than the threshold") {
  auto idle = judge({info(consumer(5, 0, 0, 1000, ago(10min)))});
  INFO(describe(idle));
  REQUIRE(idle.size() == 1);
  CHECK(idle[0].code == "nats.consumer_stale");
  CHECK(idle[0].title.find("has been idle for 10m with 5 messages pending") != std::string::npos);

  CHECK(judge({info(consumer(5, 0, 0, 1000, ago(1min)))}).empty());
  CHECK(judge({info(consumer(0, 0, 0, 1000, ago(10min)))}).empty());  // nothing pending
  Thresholds t;
  t.consumer_stale = 15min;
  CHECK(judge({info(consumer(5, 0, 0, 1000, ago(10min)))}, &t).empty());

  // Never delivered: idle since it was created.
  json never = consumer(5, 0);
  never["delivered"]["last_active"] = "";
  never["ack_floor"]["last_active"] = "";
  auto fs = judge({info(never)});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.at("last_active") == "");
  CHECK(fs[0].detail.find("has delivered nothing since it was created at") != std::string::npos);
}

TEST_CASE("consumer_info and consumer_report on the same consumer: one finding, both facts") {
  StepResult report = captured_report();
  json single = report.facts["consumers"][0];
  single["found"] = true;
  single["reachable"] = true;
  Thresholds t;
  t.consumer_pending = 50;
  auto fs = judge({info(single, "processor"), report}, &t);
  INFO(describe(fs));
  const Finding* backlog = find(fs, "nats.consumer_backlog");
  REQUIRE(backlog != nullptr);
  CHECK(backlog->evidence.size() == 2);
  CHECK(backlog->values.at("last_seq") == "100");  // from the report's stream state
  CHECK(fs.size() == 2);                            // backlog and stale
}

TEST_CASE("a named consumer's replay starts after its ack floor and counts what it would deliver") {
  // Acknowledged up to 120, delivered up to 130, 876 not yet delivered: 886 unprocessed.
  json c = consumer(876, 10);
  c["delivered"]["stream_seq"] = 130;
  c["ack_floor"]["stream_seq"] = 120;
  StepResult metrics = samples::result(
      "event-metrics", "http.metrics",
      {{"series", {{{"name", "cim_events_total"}, {"found", true},
                    {"samples", {{{"name", "cim_events_total"}, {"labels", {{"stream", "S"}}}, {"value", "120"}}}}}}}});
  auto fs = all_findings({info(c), metrics});
  INFO(describe(fs));
  const Finding* replay = find(fs, "nats.consumer_replay");
  REQUIRE(replay != nullptr);
  CHECK(replay->severity == Severity::Info);
  CHECK(replay->values.at("replay_from") == "121");
  CHECK(replay->values.at("replay_from_all") == "121");  // no filter
  CHECK(replay->values.count("filter") == 0);
  CHECK(replay->values.at("count") == "886");
  CHECK(replay->values.at("ack_floor_seq") == "120");
  CHECK(replay->values.at("delivered_seq") == "130");
  CHECK(replay->title == "Replaying S/C from stream seq 121 delivers about 886 messages");
  // The event monitor's last processed event is cited (runbook: event replay 1).
  CHECK(std::any_of(replay->evidence.begin(), replay->evidence.end(), [](const std::string& e) {
    return e == "event-metrics: cim_events_total{stream=\"S\"} 120 (the event monitor's processed events)";
  }));

  // Under the backlog threshold the replay is still there: the alert named the consumer.
  CHECK(find(judge({info(c)}), "nats.consumer_backlog") == nullptr);

  // A filtering consumer's replay filters too.
  c["config"]["filter_subject"] = "cim.events.orders.>";
  auto filtered_findings = all_findings({info(c)});
  auto filtered = find(filtered_findings, "nats.consumer_replay");
  REQUIRE(filtered != nullptr);
  CHECK(filtered->values.at("filter") == "cim.events.orders.>");
  CHECK(filtered->values.count("replay_from_all") == 0);
}

TEST_CASE("a caught-up consumer has nothing to replay; consumers only listed get no replay") {
  json c = consumer(0, 0);
  auto fs = all_findings({info(c)});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "nats.consumer_caught_up");
  CHECK(fs[0].severity == Severity::Ok);
  for (const auto& f : all_findings({captured_report()})) CHECK_FALSE(is_replay(f));
}

TEST_CASE("the consumer judge ignores not-found consumers, failed steps and hostile shapes") {
  json missing = consumer(5000, 5000);
  missing["found"] = false;
  CHECK(judge({info(missing)}).empty());
  StepResult failed = captured_report();
  failed.status = StepStatus::Timeout;
  CHECK(judge({failed}).empty());
  for (json c : {json(nullptr), json("x"), json::array({1, 2}),
                 json{{"stream", "S"}, {"consumer", "C"}, {"num_pending", "lots"}, {"num_ack_pending", -3},
                      {"delivered", "x"}, {"ack_floor", {{"last_active", 12}}}, {"config", {{"max_ack_pending", "x"}}}},
                 json{{"stream", 1}, {"consumer", nullptr}, {"num_pending", 1e20}}}) {
    INFO(c.dump());
    json facts = {{"stream", "S"}, {"consumers", json::array({c})}, {"stream_state", "x"}};
    CHECK(judge({samples::result("r", "nats.consumer_report", facts)}).empty());
  }
  CHECK(judge({samples::result("r", "nats.consumer_report", {{"consumers", {{"a", 1}}}})}).empty());
}

TEST_CASE("default_judges include the storage and consumer judges, with the context's thresholds") {
  Thresholds t;
  t.consumer_pending = 50;
  Judges judges = default_judges();
  auto fs = judges.run({captured_report()}, JudgeContext{nullptr, &t});
  CHECK(find(fs, "nats.consumer_backlog") != nullptr);
  CHECK(find(judges.run({captured_report()}, JudgeContext{}), "nats.consumer_backlog") == nullptr);
}

}  // namespace rr

namespace rr {
namespace {

// consumer_info facts of two reads 5 s apart (`again`): the second's numbers
// with the first's under "earlier".
StepResult read_twice(std::uint64_t earlier_pending, std::uint64_t earlier_floor, std::uint64_t pending,
                      std::uint64_t floor) {
  nlohmann::json facts = {{"reachable", true}, {"found", true}, {"stream", "TITAN_INTENTS"},
                          {"consumer", "execution-consumer"},
                          {"delivered", {{"stream_seq", floor}}}, {"ack_floor", {{"stream_seq", floor}}},
                          {"num_pending", pending}, {"num_ack_pending", 0}, {"num_waiting", 1},
                          {"earlier", {{"num_pending", earlier_pending}, {"num_ack_pending", 0},
                                       {"delivered_stream_seq", earlier_floor},
                                       {"ack_floor_stream_seq", earlier_floor}, {"interval_ms", 5000}}}};
  return nats::samples::result("consumer", "nats.consumer_info", facts);
}

std::vector<Finding> judge_progress(const StepResult& step) {
  std::vector<Finding> out;
  NatsConsumerJudge().judge({step}, JudgeContext{}, out);
  return out;
}

}  // namespace

TEST_CASE("consumer judge: pending that does not shrink between two reads is a consumer not catching up") {
  auto findings = judge_progress(read_twice(886, 120, 886, 120));
  INFO(test::describe(findings));
  auto stuck = test::with_code(findings, "nats.consumer_not_progressing");
  REQUIRE(stuck.size() == 1);
  CHECK(stuck[0]->severity == Severity::Warning);
  CHECK(stuck[0]->title ==
        "Consumer TITAN_INTENTS/execution-consumer is not catching up: 886 pending, ack floor 120 unchanged over 5s");
  CHECK(stuck[0]->values.at("earlier_pending") == "886");
  CHECK(stuck[0]->values.at("interval") == "5s");
  REQUIRE(stuck[0]->evidence.size() == 1);
  CHECK_THAT(stuck[0]->evidence[0], Catch::Contains("num_pending 886 then 886, ack floor stream seq 120 then 120"));
  CHECK(test::with_code(findings, "nats.consumer_catching_up").empty());

  // More arrived and nothing was acknowledged: not catching up either.
  CHECK(test::with_code(judge_progress(read_twice(886, 120, 900, 120)), "nats.consumer_not_progressing").size() == 1);
}

TEST_CASE("consumer judge: an ack floor that moves, or pending that shrinks, is catching up") {
  for (const auto& step : {read_twice(886, 120, 700, 306), read_twice(886, 120, 886, 130)}) {
    auto findings = judge_progress(step);
    INFO(test::describe(findings));
    CHECK(test::with_code(findings, "nats.consumer_not_progressing").empty());
    auto moving = test::with_code(findings, "nats.consumer_catching_up");
    REQUIRE(moving.size() == 1);
    CHECK(moving[0]->severity == Severity::Ok);
  }
  // Nothing pending at the first read: nothing to work off, nothing judged.
  auto idle = judge_progress(read_twice(0, 500, 0, 500));
  CHECK(test::with_code(idle, "nats.consumer_not_progressing").empty());
  CHECK(test::with_code(idle, "nats.consumer_catching_up").empty());
  // One read only: nothing judged.
  StepResult once = read_twice(886, 120, 886, 120);
  once.facts.erase("earlier");
  CHECK(test::with_code(judge_progress(once), "nats.consumer_not_progressing").empty());
}

}  // namespace rr
