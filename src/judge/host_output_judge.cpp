#include "judge/host_output_judge.h"

#include "judge/host_disk.h"
#include "judge/host_logs.h"
#include "judge/host_unit.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {

void HostOutputJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                            std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  const host::DiskThresholds disk{t.storage_warning * 100, t.storage_critical * 100};
  FindingSet set;
  for (const auto& s : steps) {
    if (s.status != StepStatus::Ok || !s.facts.is_object()) continue;
    const auto& logs = nats::field(s.facts, "host_logs");
    const auto& df = nats::field(s.facts, "host_disk");
    const auto& unit = nats::field(s.facts, "host_unit");
    if (!logs.is_object() && !df.is_object() && !unit.is_object()) continue;
    std::string host = nats::one_line(nats::get_string(s.facts, "host"), 128);
    if (host.empty()) host = nats::one_line(s.target.empty() ? s.id : s.target, 128);
    if (logs.is_object()) host::log_findings(logs, host, s.id, set);
    if (df.is_object()) host::disk_findings(df, host, s.id, disk, set);
    if (unit.is_object()) host::unit_findings(unit, host, s.id, set);
  }
  set.move_to(out);
}

}  // namespace rr
