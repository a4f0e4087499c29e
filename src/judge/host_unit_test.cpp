// Findings from the systemd unit facts (steps/host/systemctl_output.h): a
// running, failed, restarting, stopped and missing unit, foreign facts.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_unit.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

std::vector<Finding> findings(const json& facts) {
  FindingSet set;
  unit_findings(facts, "nats-cluster-1", "status", set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("unit findings: a running unit gives none") {
  CHECK(findings(unit_facts(samples::kRunning)).empty());
}

TEST_CASE("unit findings: failed (Result: exit-code) is critical, with the exit and the last lines") {
  auto fs = findings(unit_facts(samples::kFailed));
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "host.unit_down");
  CHECK(fs[0].severity == Severity::Critical);
  CHECK(fs[0].values.at("host") == "nats-cluster-1");
  CHECK(fs[0].values.at("unit") == "nats.service");
  CHECK(fs[0].values.at("state") == "failed (Result: exit-code)");
  CHECK(fs[0].values.at("since") == "Mon 2026-11-23 00:31:02 UTC");
  CHECK(fs[0].detail.find("status=1/FAILURE") != std::string::npos);
  CHECK(fs[0].evidence.back().find("Failed with result 'exit-code'") != std::string::npos);
  for (const auto& e : fs[0].evidence) CHECK(e.find("hunter2") == std::string::npos);
}

TEST_CASE("unit findings: auto-restart loop, inactive (dead)") {
  auto fs = findings(unit_facts(samples::kRestarting));
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.at("state") == "activating (auto-restart) (Result: exit-code)");
  CHECK(fs[0].detail.find("restarting it in a loop") != std::string::npos);

  auto d = findings(unit_facts(samples::kDead));
  REQUIRE(d.size() == 1);
  CHECK(d[0].severity == Severity::Critical);
  CHECK(d[0].values.at("state") == "inactive (dead)");
  CHECK(d[0].values.at("since") == "");
}

TEST_CASE("unit findings: a unit that does not exist, in both wordings, is a warning") {
  for (const std::string& text : {samples::kNotFound, samples::kNotFoundLoaded}) {
    auto fs = findings(unit_facts(text));
    INFO(test::describe(fs));
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].code == "host.unit_missing");
    CHECK(fs[0].severity == Severity::Warning);
    CHECK(fs[0].values.at("state") == "not-found");
    CHECK(fs[0].detail.find("nats-server") != std::string::npos);
  }
}

TEST_CASE("unit findings: garbage and foreign facts") {
  CHECK(findings(unit_facts("")).empty());
  CHECK(findings(unit_facts("Failed to connect to bus: No such file or directory\n")).empty());
  CHECK(findings(json::parse(R"({"parsed":true,"active_state":5,"log_lines":[1,"x"]})")).size() == 1);
  CHECK(findings(json("x")).empty());
  std::string big = samples::kFailed;
  while (big.size() < (1u << 20)) big += "Nov 23 00:31:02 nats-cluster-1 systemd[1]: token=abc123 restarting\n";
  auto fs = findings(unit_facts(big));
  REQUIRE(fs.size() == 1);
  for (const auto& e : fs[0].evidence) CHECK(e.find("abc123") == std::string::npos);
}

}  // namespace
}  // namespace rr::host
