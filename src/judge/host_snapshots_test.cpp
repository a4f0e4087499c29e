// Findings from the old snapshot listing (steps/host/find_output.h): one
// warning per host with the count, total size and oldest file; none for an
// empty listing; foreign facts.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_snapshots.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

std::vector<Finding> findings(const json& facts, const std::string& step_id = "snapshots") {
  FindingSet set;
  snapshot_findings(facts, "nats-cluster-1", step_id, set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("snapshot findings: old files are a warning with count, total and the oldest") {
  auto fs = findings(snapshot_facts(samples::kFindSnapshots));
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  const Finding& f = fs[0];
  CHECK(f.code == "host.old_snapshots");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.values.at("host") == "nats-cluster-1");
  CHECK(f.values.at("count") == "3");
  CHECK(f.values.at("total") == "513.0 MiB");
  CHECK(f.values.at("oldest") == "/var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/9.snap");
  CHECK(f.title == "nats-cluster-1: 3 old snapshot files (513.0 MiB)");
  CHECK(f.detail.find("2026-10-02") != std::string::npos);
  CHECK(f.detail.find("-delete") != std::string::npos);
  REQUIRE(f.evidence.size() == 1);
  CHECK(f.evidence[0] ==
        "snapshots: 3 files, 513.0 MiB, oldest 2026-10-02 "
        "/var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/9.snap");
}

TEST_CASE("snapshot findings: none when find listed nothing; -print listings have no size") {
  CHECK(findings(snapshot_facts("")).empty());
  CHECK(findings(snapshot_facts("find: '/var/lib/nats/jetstream': No such file or directory\n")).empty());
  auto fs = findings(snapshot_facts("/d/1.snap\n"));
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.at("count") == "1");
  CHECK(fs[0].values.at("total") == "unknown");
  CHECK(fs[0].values.at("oldest") == "/d/1.snap");  // no dates: the first listed
  CHECK(fs[0].title == "nats-cluster-1: 1 old snapshot file");
}

TEST_CASE("snapshot findings: two steps on one host give one finding citing both") {
  FindingSet set;
  json facts = snapshot_facts(samples::kFindSnapshots);
  snapshot_findings(facts, "n1", "a", set);
  snapshot_findings(facts, "n1", "b", set);
  snapshot_findings(facts, "n2", "a", set);
  std::vector<Finding> fs;
  set.move_to(fs);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].evidence.size() == 2);
}

TEST_CASE("snapshot findings read foreign facts defensively") {
  CHECK(findings(json(7)).empty());
  CHECK(findings(json::parse(R"({"count":"3","files":"x"})")).empty());
  CHECK(findings(json::parse(R"({"count":0,"files":[{"path":"/a"}]})")).empty());
  auto fs = findings(json::parse(R"({"files":[{"path":"/a\nb","size_bytes":-1},{"path":2}],"oldest":[1]})"));
  REQUIRE(fs.size() == 1);  // no count: the files listed
  CHECK(fs[0].values.at("count") == "2");
  CHECK(fs[0].values.at("oldest") == "/a b");
  CHECK(fs[0].values.at("total") == "unknown");
}

}  // namespace
}  // namespace rr::host
