// NatsStreamJudge's API errors: which stream a failed call names.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/nats_stream_judge.h"

namespace rr {
namespace {

StepResult api_error(const std::string& kind, nlohmann::json facts) {
  StepResult r;
  r.id = kind == "nats.stream_info" ? "stream" : "consumer";
  r.kind = kind;
  r.status = StepStatus::Ok;
  facts["reachable"] = true;
  r.facts = std::move(facts);
  return r;
}

std::vector<Finding> judge(const std::vector<StepResult>& steps) {
  std::vector<Finding> out;
  NatsStreamJudge().judge(steps, JudgeContext{}, out);
  return out;
}

}  // namespace

TEST_CASE("stream judge: a stream's failing info names the stream; a consumer call's does not") {
  auto stream = api_error("nats.stream_info", {{"stream", "TITAN_INTENTS"}, {"found", false},
                                               {"error", "stream is offline"}, {"js_error_code", 10118}});
  auto consumer = api_error("nats.consumer_info", {{"stream", "TITAN_INTENTS"}, {"consumer", "execution-consumer"},
                                                   {"error", "timeout"}, {"js_error_code", 0}});
  auto findings = judge({stream, consumer});
  INFO(test::describe(findings));
  auto errors = test::with_code(findings, "nats.jetstream_error");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0]->values.at("stream") == "TITAN_INTENTS");
  CHECK(errors[0]->values.at("js_error_code") == "10118");
  CHECK(errors[0]->values.at("error") == "stream is offline");
  CHECK(errors[1]->values.count("stream") == 0);
  CHECK(errors[1]->values.at("error") == "timeout");

  // The same error on two streams: one finding each.
  auto other = api_error("nats.stream_info", {{"stream", "TITAN_EVENTS"}, {"found", false},
                                              {"error", "stream is offline"}, {"js_error_code", 10118}});
  CHECK(test::with_code(judge({stream, other}), "nats.jetstream_error").size() == 2);
}

}  // namespace rr
