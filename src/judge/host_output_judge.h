#pragma once
// Judges what host commands printed (journalctl / docker logs, df,
// systemctl status, find, docker ps), whatever step kind ran them: any step
// that ran (status Ok) whose facts, or each entry of whose facts' "hosts"
// list (the ssh.* kinds, steps/ssh/command_step.h), hold
//   "host":            "nats-node-1"  (else the step's target, else its id)
//   "host_logs":       steps/host/journal_lines.h's shape -> host.log.<category>
//   "host_disk":       steps/host/df_output.h's shape     -> host.disk_high
//   "host_unit":       steps/host/systemctl_output.h      -> host.unit_down / unit_missing
//   "host_snapshots":  steps/host/find_output.h           -> host.old_snapshots
//   "host_containers": steps/host/docker_ps.h, with the wanted container in
//                      "container" -> host.container_down / container_missing
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
