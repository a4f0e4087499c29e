#pragma once
// ssh.NAME: runs the allowlisted command NAME (config `commands`, built-ins
// in config/ssh.h) on inventory hosts over SSH and reads its output.
//
// Parameters: `host` (optional) and one per placeholder of the command, all
// optional (a placeholder with no value from the step takes the host's var,
// else ssh.vars). With `host`, only that inventory entry; a name that is
// not in the inventory is never connected to. Without it, every inventory
// host of the alert's cluster (hosts without `cluster` when none have it),
// in parallel. Commands to one host at the same time (other steps, other
// triages) share its connection (ssh_session.h); ssh.max_sessions bounds
// connections.
//
// Facts:
//   {"command": "unit_journal",
//    "hosts": [{"host": "nats-node-1", "address": "10.0.0.1", "port": 22,
//               "outcome": "ok",   // ssh::outcome_name, or "not_in_inventory", "refused"
//               "error": "",       // one line when outcome is not ok
//               "argv": ["journalctl", "-u", "nats", ...],   // as run
//               "exit_status": 0, "trimmed": false, "ms": 120,
//               "stderr": "...",   // first lines, when the command printed any
//               "container": "titan-nats",   // docker_ps only: the wanted container
//               "lines": 42,       // lines of output
//               // by the command's `parse`, the parsed output (steps/host/*.h):
//               "host_logs" | "host_disk" | "host_unit" | "host_snapshots" | "host_containers": {...}}]}
// Output (for the report): per host a header line, then what it printed
// (trimmed). The raw text is redacted by the triage before it goes anywhere.

#include <memory>
#include <vector>

#include "config/config.h"
#include "steps/ssh/ssh_session.h"
#include "steps/step.h"

namespace rr::ssh {

// What every ssh.* kind of one registry shares: copied from the config so
// a step left running past its deadline holds nothing that can go away.
struct SshEnv {
  std::vector<HostConfig> hosts;
  SshConfig settings;
  std::shared_ptr<SessionSlots> slots;  // bounds connections across all triages
};

class CommandStep : public StepKind {
 public:
  CommandStep(CommandSpec spec, std::shared_ptr<const SshEnv> env);
  std::string_view name() const override { return name_; }
  std::map<std::string, StepCatalog::Param> params() const override;
  StepResult run(const StepInput& input) const override;

 private:
  nlohmann::json run_on(const HostConfig& host, const StepInput& input) const;

  CommandSpec spec_;
  std::string name_;
  std::shared_ptr<const SshEnv> env_;
};

// One ssh.NAME kind per command of `config`, sharing one SshEnv.
void add_ssh_steps(StepRegistry& registry, const Config& config);

}  // namespace rr::ssh
