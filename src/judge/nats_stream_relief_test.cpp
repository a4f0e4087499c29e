// The purge, retention and limit plans on hand-built stream and consumer
// facts, starting from the case that motivated them: CIM-EVENTS at its
// 1 MiB max_bytes with 1,006 messages and CIM-PROCESSOR acknowledged up to
// 120, where a fixed `--keep=1000000` freed nothing.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/nats_stream_relief.h"
#include "steps/nats/testdata/samples.h"

namespace rr {
namespace {

using json = nlohmann::json;
using test::describe;
using test::with_code;
namespace samples = nats::samples;

struct StreamSpec {
  std::uint64_t messages = 1006, bytes = 1006 * 1000, first_seq = 1, last_seq = 1006;
  std::int64_t max_bytes = 1 << 20, max_msgs = -1, max_age_ns = 0;
  std::string first_ts = "2026-12-01T10:00:00Z", last_ts = "2026-12-01T10:16:46Z";  // 1006 s apart
};

StepResult stream_info(const StreamSpec& s) {
  json facts = {{"stream", "CIM-EVENTS"},
                {"found", true},
                {"config", {{"discard", "new"}, {"max_bytes", s.max_bytes}, {"max_msgs", s.max_msgs},
                            {"max_age_ns", s.max_age_ns}}},
                {"state", {{"messages", s.messages}, {"bytes", s.bytes}, {"first_seq", s.first_seq},
                           {"last_seq", s.last_seq}, {"first_ts", s.first_ts}, {"last_ts", s.last_ts}}}};
  return samples::result("stream", "nats.stream_info", facts);
}

json consumer(const std::string& name, std::uint64_t ack_floor) {
  return {{"stream", "CIM-EVENTS"}, {"consumer", name}, {"ack_floor", {{"stream_seq", ack_floor}}}};
}

StepResult consumer_report(std::vector<json> consumers) {
  return samples::result("consumers", "nats.consumer_report",
                         {{"stream", "CIM-EVENTS"}, {"found", true}, {"consumers", consumers}});
}

std::vector<Finding> judge(const std::vector<StepResult>& steps, const Thresholds* t = nullptr) {
  std::vector<Finding> out;
  NatsStreamReliefJudge().judge(steps, JudgeContext{nullptr, t}, out);
  return out;
}

const Finding& only(const std::vector<Finding>& fs, const std::string& code) {
  auto found = with_code(fs, code);
  INFO(describe(fs));
  REQUIRE(found.size() == 1);
  return *found.front();
}

TEST_CASE("A purge that reaches the target names the consumer it robs and how many messages") {
  // 1,006 messages of 1,000 bytes in 1 MiB: the target (50 %) holds 524 of them.
  auto fs = judge({stream_info({}), consumer_report({consumer("CIM-PROCESSOR", 120), consumer("AUDIT", 1006)})});
  const Finding& plan = only(fs, "nats.stream_purge_plan");
  CHECK(plan.values.at("keep") == "524");
  CHECK(plan.values.at("first_kept_seq") == "483");
  CHECK(plan.values.at("frees_messages") == "482");
  CHECK(plan.values.at("lossless") == "no");
  // Sequences 121..482 are unprocessed by CIM-PROCESSOR and removed.
  CHECK(plan.values.at("losses") == "CIM-PROCESSOR loses about 362 unprocessed messages (ack floor 120)");
  CHECK(plan.detail.find("cannot be replayed") != std::string::npos);

  // What can go without loss: below CIM-PROCESSOR's floor.
  const Finding& acked = only(fs, "nats.stream_purge_acked");
  CHECK(acked.values.at("seq") == "121");
  CHECK(acked.values.at("frees_messages") == "120");

  const Finding& raise = only(fs, "nats.stream_limit_raise");
  CHECK(raise.values.at("max_bytes") == "2MiB");  // 1,006,000 bytes at 50 % needs 1.92 MiB
  CHECK(raise.values.count("max_msgs") == 0);
  CHECK(with_code(fs, "nats.stream_purge_unsafe").empty());
}

TEST_CASE("When every consumer has processed what a purge removes, it is lossless and nothing else is proposed") {
  auto fs = judge({stream_info({}), consumer_report({consumer("CIM-PROCESSOR", 900)})});
  const Finding& plan = only(fs, "nats.stream_purge_plan");
  CHECK(plan.values.at("lossless") == "yes");
  CHECK(plan.values.at("losses").empty());
  CHECK(with_code(fs, "nats.stream_purge_acked").empty());
  CHECK(with_code(fs, "nats.stream_limit_raise").empty());
}

TEST_CASE("When every message is unprocessed, no purge is proposed and the limit needed is") {
  auto fs = judge({stream_info({}), consumer_report({consumer("CIM-PROCESSOR", 0)})});
  CHECK(with_code(fs, "nats.stream_purge_plan").empty());
  CHECK(with_code(fs, "nats.stream_purge_acked").empty());
  const Finding& unsafe = only(fs, "nats.stream_purge_unsafe");
  CHECK(unsafe.values.at("consumer") == "CIM-PROCESSOR");
  CHECK(unsafe.detail.find("loses about 482") != std::string::npos);
  CHECK(only(fs, "nats.stream_limit_raise").values.at("max_bytes") == "2MiB");
}

TEST_CASE("Without a consumer read, a purge plan says it cannot vouch for the consumers") {
  auto fs = judge({stream_info({})});
  const Finding& plan = only(fs, "nats.stream_purge_plan");
  CHECK(plan.values.at("lossless") == "unknown");
  CHECK(plan.detail.find("consumers were not read") != std::string::npos);
}

TEST_CASE("A named consumer alone cannot vouch for the others") {
  StepResult info = samples::result("consumer", "nats.consumer_info",
                                    {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}, {"found", true},
                                     {"ack_floor", {{"stream_seq", 1000}}}});
  CHECK(only(judge({stream_info({}), info}), "nats.stream_purge_plan").values.at("lossless") == "unknown");
}

TEST_CASE("The retention plan comes from the rate the held messages arrived at") {
  // 1,006,000 bytes over 1,006 s: 1,000 bytes/s; 50 % of 1 MiB is 524,288 bytes, 524 s: "8m".
  auto fs = judge({stream_info({})});
  const Finding& plan = only(fs, "nats.stream_retention_plan");
  CHECK(plan.values.at("max_age") == "8m");
  CHECK(plan.detail.find("unlimited") != std::string::npos);

  StreamSpec slow;
  slow.first_ts = "2026-11-20T10:00:00Z";  // 1,006 messages over 11 days: whole hours
  CHECK(only(judge({stream_info(slow)}), "nats.stream_retention_plan").values.at("max_age") == "137h");

  // A retention already shorter than the plan: the stream is in a burst, not retaining too long.
  StreamSpec short_age;
  short_age.max_age_ns = 60'000'000'000;
  auto burst = judge({stream_info(short_age)});
  CHECK(with_code(burst, "nats.stream_retention_plan").empty());
  CHECK(with_code(burst, "nats.stream_retention_unknown").empty());
}

TEST_CASE("No rate, no invented --max-age") {
  StreamSpec one;
  one.messages = 1;
  one.bytes = 900'000;
  one.first_seq = one.last_seq = 1;
  one.last_ts = one.first_ts;
  auto fs = judge({stream_info(one)});
  CHECK(with_code(fs, "nats.stream_retention_plan").empty());
  CHECK(only(fs, "nats.stream_retention_unknown").detail.find("Look up the publish rate") != std::string::npos);
}

TEST_CASE("A stream bound by max_msgs is planned in messages") {
  StreamSpec s;
  s.max_bytes = -1;
  s.max_msgs = 1000;
  s.messages = 1000;
  s.last_seq = 1000;
  auto fs = judge({stream_info(s), consumer_report({consumer("CIM-PROCESSOR", 10)})});
  CHECK(only(fs, "nats.stream_purge_plan").values.at("keep") == "500");
  const Finding& raise = only(fs, "nats.stream_limit_raise");
  CHECK(raise.values.at("max_msgs") == "2000");
  CHECK(raise.values.count("max_bytes") == 0);
}

TEST_CASE("A stream under its warning gets no plan; the target follows the thresholds") {
  StreamSpec half;
  half.bytes = 500'000;
  CHECK(judge({stream_info(half)}).empty());

  Thresholds t;
  t.storage_warning = 0.4;
  t.purge_target = 0.25;
  auto fs = judge({stream_info(half)}, &t);
  CHECK(only(fs, "nats.stream_purge_plan").values.at("keep") == "527");  // 25 % of 1 MiB at 497 bytes each
}

TEST_CASE("Hostile or empty stream facts give no plan and no crash") {
  CHECK(judge({samples::result("stream", "nats.stream_info", json::object())}).empty());
  CHECK(judge({samples::result("stream", "nats.stream_info", {{"found", true}, {"stream", "X"}, {"state", 5}})})
            .empty());
  StreamSpec odd;
  odd.first_seq = 2000;  // first after last: nothing sensible to compute
  CHECK(judge({stream_info(odd)}).empty());
  StreamSpec empty;
  empty.messages = 0;
  CHECK(judge({stream_info(empty)}).empty());
}

}  // namespace
}  // namespace rr

namespace rr {
namespace {

// A stream with no max_bytes of its own (the Titan storage alert's case).
StreamSpec unbounded() {
  StreamSpec s;
  s.max_bytes = -1;
  return s;
}

StepResult jetstream(std::uint64_t storage, std::int64_t max_storage, bool reachable = true) {
  json server = {{"reachable", reachable}, {"server_name", "titan-nats"}};
  if (reachable) server.update({{"storage", storage}, {"reserved_storage", 0}, {"max_storage", max_storage}});
  return samples::result("jetstream", "nats.jetstream_report", {{"servers", json::array({server})}});
}

}  // namespace

TEST_CASE("A stream without max_bytes is planned against its server's max_storage, less what else it stores") {
  // 1,006,000 bytes of the stream and 94,000 of others in a 1,200,000-byte store: 91.7 %.
  // At the 50 % target the store may hold 600,000 bytes, 506,000 of them the stream's: 506 messages.
  auto fs = judge({stream_info(unbounded()), jetstream(1100000, 1200000), consumer_report({consumer("AUDIT", 1006)})});
  const Finding& plan = only(fs, "nats.stream_purge_plan");
  CHECK(plan.values.at("keep") == "506");
  CHECK(plan.values.at("first_kept_seq") == "501");
  CHECK(plan.values.at("usage_after") == "50.0 %");
  CHECK(plan.values.at("lossless") == "yes");
  CHECK_THAT(plan.detail, Catch::Contains("server titan-nats's JetStream store at about 50.0 % of its max_storage"));
  REQUIRE(plan.evidence.size() >= 1);
  CHECK_THAT(plan.evidence[0], Catch::Contains("no max_bytes; server titan-nats stores 1100000 of max_storage 1200000"));
  // 1,000 bytes/s fill the 506,000 bytes left to the stream in 506 s.
  const Finding& retention = only(fs, "nats.stream_retention_plan");
  CHECK(retention.values.at("max_age") == "8m");
  CHECK_THAT(retention.title, Catch::Contains("server titan-nats's store at 50.0 % of its max_storage"));
  // The stream has no limit to raise, and the store's depends on a disk not seen: no invented value.
  CHECK(with_code(fs, "nats.stream_limit_raise").empty());
  CHECK(with_code(fs, "nats.server_storage_elsewhere").empty());
}

TEST_CASE("When the server's store is full of other data, no purge of the stream is computed, only what to look up") {
  StreamSpec small = unbounded();
  small.messages = small.last_seq = 10;
  small.bytes = 10000;
  auto fs = judge({stream_info(small), jetstream(1100000, 1200000)});
  const Finding& elsewhere = only(fs, "nats.server_storage_elsewhere");
  CHECK(elsewhere.values.at("server") == "titan-nats");
  CHECK(elsewhere.values.at("stream_bytes") == "10000");
  CHECK(elsewhere.values.at("used") == "1100000");
  CHECK(elsewhere.values.at("max_storage") == "1200000");
  CHECK_THAT(elsewhere.detail, Catch::Contains("Look up which streams hold the store"));
  CHECK(with_code(fs, "nats.stream_purge_plan").empty());
  CHECK(with_code(fs, "nats.stream_retention_plan").empty());
}

TEST_CASE("A stream without max_bytes and no readable store limit says what to look up; under the warning, nothing") {
  auto unread = judge({stream_info(unbounded()), jetstream(0, 0, false)});
  const Finding& unknown = only(unread, "nats.stream_limit_unknown");
  CHECK(unknown.values.at("stream") == "CIM-EVENTS");
  CHECK_THAT(unknown.detail, Catch::Contains("look up the server's storage, reserved_storage and config.max_storage"));
  CHECK(with_code(unread, "nats.stream_purge_plan").empty());

  // The rule reads no server: no storage question was asked.
  CHECK(judge({stream_info(unbounded())}).empty());
  // The store well under its warning: nothing to plan.
  CHECK(judge({stream_info(unbounded()), jetstream(1100000, 10000000)}).empty());
}

}  // namespace rr
