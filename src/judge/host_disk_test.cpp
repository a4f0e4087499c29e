// Findings from the disk usage facts (steps/host/df_output.h): severities by
// threshold, values, sizes from bytes when df printed blocks, foreign facts.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_disk.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

std::vector<Finding> findings(const json& facts, DiskThresholds t = {}) {
  FindingSet set;
  disk_findings(facts, "nats-cluster-1", "df", t, set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("disk findings: the runbook's df -h PATH at 95 % is critical") {
  auto fs_found = findings(disk_facts(samples::kDfH));
  INFO(test::describe(fs_found));
  REQUIRE(fs_found.size() == 1);
  const Finding& f = fs_found[0];
  CHECK(f.code == "host.disk_high");
  CHECK(f.severity == Severity::Critical);
  CHECK(f.values.at("host") == "nats-cluster-1");
  CHECK(f.values.at("mount") == "/var/lib/nats");
  CHECK(f.values.at("percent") == "95");
  CHECK(f.values.at("avail") == "2.6G");
  CHECK(f.values.at("filesystem") == "/dev/sdb1");
  CHECK(f.title == "nats-cluster-1: /var/lib/nats is 95 % full (2.6G free)");
  REQUIRE(f.evidence.size() == 1);
  CHECK(f.evidence[0].rfind("df: ", 0) == 0);
}

TEST_CASE("disk findings: thresholds; sizes from bytes when df printed blocks") {
  json p = disk_facts(samples::kDfP);
  auto fs = findings(p);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::Warning);
  CHECK(fs[0].values.at("mount") == "/");
  CHECK(fs[0].values.at("avail") == "9.8 GiB");  // from bytes: df printed blocks
  CHECK(findings(p, {.warning_percent = 81, .critical_percent = 95}).empty());
  CHECK(findings(p, {.warning_percent = 50, .critical_percent = 80})[0].severity == Severity::Critical);

  json b = disk_facts(
      "Filesystem        1B-blocks        Used   Available Use% Mounted on\n"
      "/dev/nvme0n1p2 107374182400 32212254720 75161927680  30% /var/lib/nats\n");
  CHECK(findings(b).empty());
  json k = disk_facts(
      "Filesystem     1K-blocks  Used Available Use% Mounted on\n"
      "overlay         1000000 990000     10000 99% /\n");
  CHECK(findings(k)[0].severity == Severity::Critical);
}

TEST_CASE("disk findings read foreign facts defensively") {
  CHECK(findings(json::parse(R"({"filesystems":[{"use_percent":"99"},{"use_percent":250},{"mount":"/"}]})")).empty());
  CHECK(findings(json(3)).empty());
  CHECK(findings(json::parse(R"({"filesystems":{"a":1}})")).empty());
  CHECK(findings(disk_facts("df: /var/lib/nats: No such file or directory\n")).empty());
}

}  // namespace
}  // namespace rr::host
