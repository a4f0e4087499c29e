#pragma once
// Judges how the ssh.* steps went on each host (their facts' "hosts" list,
// steps/ssh/command_step.h), apart from what the commands printed (that is
// HostOutputJudge's):
//   ssh.host_key_changed  critical  the host key differs from known_hosts:
//                                   refused; a reinstalled host or a man in
//                                   the middle
//   ssh.host_key_unknown  warning   no known_hosts entry: refused
//   ssh.unreachable       warning   no SSH connection (the host may be down)
//   ssh.auth_failed       warning   the host refused the responder's key
//   ssh.timeout           warning   cut off at the step's deadline
//   ssh.not_in_inventory  warning   an alert named a host the config does not
//                                   list: never connected to
//   ssh.refused           warning   a placeholder had no value or a bad one
//   ssh.error             warning   anything else
//   ssh.command_failed    warning   the command exited non-zero and its
//                                   output gave nothing to read (systemctl's
//                                   exit 3 for a stopped unit is not this)
// One finding per code and host; values host, command, error (and
// exit_status for command_failed).

#include "judge/judge.h"

namespace rr {

class SshJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
