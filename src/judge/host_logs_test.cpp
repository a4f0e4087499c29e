// Findings from the NATS log facts (steps/host/journal_lines.h): codes,
// severities by category, values, evidence, foreign facts.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_logs.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;
using samples::kDocker;
using samples::kShort;
using samples::kShortIso;

TEST_CASE("log severities map onto finding severities") {
  CHECK(finding_severity(LogSeverity::Critical) == Severity::Critical);
  CHECK(finding_severity(LogSeverity::Warning) == Severity::Warning);
  CHECK(finding_severity(LogSeverity::Info) == Severity::Info);
}

TEST_CASE("log findings: codes, severities by category and values") {
  FindingSet set;
  log_findings(log_facts(kShortIso + kShort), "nats-cluster-1", "journal", set);
  std::vector<Finding> fs;
  set.move_to(fs);
  INFO(test::describe(fs));
  auto one = [&](const std::string& code) -> const Finding& {
    auto found = test::with_code(fs, code);
    REQUIRE(found.size() == 1);
    return *found[0];
  };
  CHECK(one("host.log.storage_exhausted").severity == Severity::Critical);
  CHECK(one("host.log.no_quorum").severity == Severity::Critical);
  CHECK(one("host.log.route_closed").severity == Severity::Warning);
  CHECK(one("host.log.auth_failure").severity == Severity::Warning);
  CHECK(one("host.log.slow_consumer").severity == Severity::Warning);
  CHECK(one("host.log.meta_leader_elected").severity == Severity::Info);
  const Finding& routes = one("host.log.route_closed");
  CHECK(routes.values.at("category") == "route_closed");
  CHECK(routes.values.at("count") == "3");
  CHECK(routes.values.at("first_seen") == "2026-11-23T00:32:13+0000");
  CHECK(routes.values.at("last_seen") == "2026-11-23T00:40:10.100000");
  CHECK(routes.values.at("host") == "nats-cluster-1");
  CHECK(routes.values.at("reasons") == "Client Closed x1, Read Error x1, Stale Connection x1");
  CHECK(routes.evidence.size() == 1);
  CHECK(routes.evidence[0].rfind("journal: ", 0) == 0);
  CHECK(one("host.log.meta_leader_elected").values.at("count") == "2");
  CHECK(test::with_code(fs, "host.log.store_failed").size() == 1);
  // Nothing recognised: no findings.
  FindingSet none;
  log_findings(log_facts(kDocker.substr(0, 90)), "h", "s", none);
  std::vector<Finding> empty;
  none.move_to(empty);
  CHECK(empty.empty());
}

TEST_CASE("log findings read foreign facts defensively") {
  FindingSet set;
  log_findings(json::parse(R"({"categories":[{"category":"nope","count":3},{"category":"no_quorum","count":"x"},
      {"category":"slow_consumer","count":2,"reasons":{"a":"b"},"example":"token=abc123 line"}],"x":1})"),
               "h", "s", set);
  log_findings(json(42), "h", "s", set);
  log_findings(json::parse(R"({"categories":{"a":1}})"), "h", "s", set);
  std::vector<Finding> fs;
  set.move_to(fs);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "host.log.slow_consumer");
  CHECK(fs[0].evidence[0].find("abc123") == std::string::npos);
}

}  // namespace
}  // namespace rr::host
