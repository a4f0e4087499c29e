#pragma once
// Judges what host commands printed (journalctl / docker logs, df,
// systemctl status), whatever step kind ran them: any step that ran (status
// Ok) with an object of facts holding
//   "host":        "nats-cluster-1"   (else the step's target, else its id)
//   "host_logs":   host_logs.h's log_facts shape    -> host.log.<category>
//   "host_disk":   host_disk.h's disk_facts shape   -> host.disk_high
//   "host_unit":   host_unit.h's unit_facts shape   -> host.unit_down
// Disk thresholds are the context's storage_warning / storage_critical as
// percentages (80 % / 95 % by default). One finding per host and subject,
// with every step's evidence.

#include "judge/judge.h"

namespace rr {

class HostOutputJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
