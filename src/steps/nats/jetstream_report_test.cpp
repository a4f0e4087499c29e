// The per-stream part of nats.jetstream_report, from a captured
// /jsz?acc=APP&streams=true reply and from hostile ones.

#include <catch2/catch.hpp>

#include "steps/nats/jetstream_report.h"
#include "steps/nats/testdata/samples.h"

namespace rr::nats {

TEST_CASE("nats.jetstream_report lists each server's own copy of its streams") {
  nlohmann::json facts = nlohmann::json::object();
  add_jetstream_stream_facts(facts, parse_monitor_reply(samples::ok(
                                        samples::json("healthy_n3leader_jsz_acc_APP_streams_consumers_config.json"))));
  CHECK(facts["stream_detail_error"] == "");
  REQUIRE(facts["stream_detail"].size() == 1);
  const auto& s = facts["stream_detail"][0];
  CHECK(s["name"] == "CIM-EVENTS");
  CHECK(s["account"] == "APP");
  CHECK(s["messages"] == 100);
  CHECK(s["last_seq"] == 100);
  CHECK(s["leader"] == "n3");
  CHECK(jetstream_report_output({{"servers", {{{"monitor", "http://m"}, {"reachable", true}, {"stream_detail", facts["stream_detail"]}}}}})
            .find("stream CIM-EVENTS: 100 messages, last seq 100, leader n3") != std::string::npos);
}

TEST_CASE("nats.jetstream_report stream detail: failures and hostile shapes") {
  nlohmann::json facts = nlohmann::json::object();
  add_jetstream_stream_facts(facts, parse_monitor_reply(samples::refused()));
  CHECK(facts["stream_detail_error"] != "");
  CHECK_FALSE(facts.contains("stream_detail"));

  for (const char* body : {R"({"account_details": 5})", R"({"account_details": [{"stream_detail": {"a": 1}}]})",
                           R"({"account_details": [{"name": [], "stream_detail": [{"name": 3, "state": "x"}]}]})"}) {
    nlohmann::json f = nlohmann::json::object();
    HttpResponse r;
    r.status = 200;
    r.body = body;
    REQUIRE_NOTHROW(add_jetstream_stream_facts(f, parse_monitor_reply(r)));
  }

  nlohmann::json many = {{"account_details", nlohmann::json::array()}};
  nlohmann::json streams = nlohmann::json::array();
  for (int i = 0; i < 500; ++i) streams.push_back({{"name", "S" + std::to_string(i)}, {"state", {{"last_seq", i}}}});
  many["account_details"].push_back({{"name", "APP"}, {"stream_detail", streams}});
  many["account_details"].push_back({{"name", "OTHER"}, {"stream_detail", streams}});
  nlohmann::json f = nlohmann::json::object();
  add_jetstream_stream_facts(f, parse_monitor_reply(samples::ok(many)));
  CHECK(f["stream_detail"].size() == kMaxReportStreams);
}

}  // namespace rr::nats
