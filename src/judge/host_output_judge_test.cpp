// The host output judge finds the parsers' facts in any step, names the
// host, takes the disk thresholds from the context and merges evidence.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_disk.h"
#include "judge/host_logs.h"
#include "judge/host_output_judge.h"
#include "judge/host_unit.h"

namespace rr {
namespace {

StepResult step(std::string id, nlohmann::json facts, StepStatus status = StepStatus::Ok) {
  StepResult r;
  r.id = std::move(id);
  r.kind = "ssh.anything";
  r.target = "10.0.0.1";
  r.status = status;
  r.facts = std::move(facts);
  return r;
}

const char* kDf = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/sdb1        50G   43G  7.0G  86% /var/lib/nats\n";

TEST_CASE("host output judge: facts in any step kind become findings for their host") {
  std::vector<StepResult> steps = {
      step("status", {{"host", "n1"}, {"host_unit", host::unit_facts("Unit nats.service could not be found.\n")}}),
      step("df", {{"host", "n1"}, {"host_disk", host::disk_facts(kDf)}}),
      step("df-again", {{"host", "n1"}, {"host_disk", host::disk_facts(kDf)}}),
      step("logs", {{"host_logs", host::log_facts("[1] 2026/11/23 00:40:01.1 [WRN] JetStream cluster stream "
                                                  "'APP > S' has NO quorum, stalled\n")}}),
      step("failed", {{"host", "n9"}, {"host_disk", host::disk_facts(kDf)}}, StepStatus::Failed),
      step("other", {{"servers", nlohmann::json::array()}}),
  };
  Judges judges;
  judges.add(std::make_unique<HostOutputJudge>());
  auto fs = judges.run(steps, {});
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].code == "host.log.no_quorum");
  CHECK(fs[0].values.at("host") == "10.0.0.1");  // no "host": the step's target
  auto disk = test::with_code(fs, "host.disk_high");
  REQUIRE(disk.size() == 1);
  CHECK(disk[0]->severity == Severity::Warning);
  CHECK(disk[0]->values.at("host") == "n1");
  CHECK(disk[0]->evidence.size() == 2);  // one finding citing both steps
  CHECK(test::with_code(fs, "host.unit_missing").size() == 1);

  Thresholds lower;
  lower.storage_warning = 0.5;
  lower.storage_critical = 0.85;
  JudgeContext ctx;
  ctx.thresholds = &lower;
  auto strict = judges.run(steps, ctx);
  CHECK(test::with_code(strict, "host.disk_high")[0]->severity == Severity::Critical);
}

}  // namespace
}  // namespace rr
