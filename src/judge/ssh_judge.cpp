#include "judge/ssh_judge.h"

#include <fmt/format.h>

#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

struct OutcomeInfo {
  std::string_view outcome;
  Severity severity;
  std::string_view title;  // "{host}" is the host
  std::string_view detail;
};

constexpr OutcomeInfo kOutcomes[] = {
    {"host_key_changed", Severity::Critical, "SSH host key of {} changed: connection refused",
     "The key the host presented differs from the one in known_hosts. Either the host was reinstalled "
     "or someone is between the responder and the host. Verify the new key out of band before "
     "replacing the known_hosts entry; until then no command runs there."},
    {"host_key_unknown", Severity::Warning, "SSH host key of {} is not in known_hosts",
     "The responder only connects to hosts whose key is already in its known_hosts file and never "
     "adds one. Add the host's key (ssh-keyscan, verified out of band) to run the host steps."},
    {"unreachable", Severity::Warning, "No SSH connection to {}",
     "The host did not accept an SSH connection: it may be down or unreachable from the responder."},
    {"auth_failed", Severity::Warning, "{} refused the responder's SSH key",
     "Key authentication failed: is the responder's public key in the user's authorized_keys?"},
    {"timeout", Severity::Warning, "SSH to {} was cut off at the deadline",
     "The connection or the command did not finish before the step's deadline."},
    {"not_in_inventory", Severity::Warning, "{} is not in the host inventory",
     "The alert names a host the configuration does not list under hosts, so the responder did not "
     "connect to it. Add it to the inventory if it should be read."},
    {"refused", Severity::Warning, "A host command for {} was refused",
     "A placeholder of the command had no value or one that failed its type, so nothing ran."},
    {"error", Severity::Warning, "SSH to {} failed", "The SSH session failed; see the error."},
};

const OutcomeInfo* info_of(std::string_view outcome) {
  for (const auto& i : kOutcomes)
    if (i.outcome == outcome) return &i;
  return nullptr;
}

}  // namespace

void SshJudge::judge(const std::vector<StepResult>& steps, const JudgeContext&, std::vector<Finding>& out) const {
  FindingSet set;
  for (const StepResult& s : steps) {
    if (s.status != StepStatus::Ok || s.kind.rfind("ssh.", 0) != 0) continue;
    const auto& hosts = nats::field(s.facts, "hosts");
    if (!hosts.is_array()) continue;
    std::string command = nats::one_line(nats::get_string(s.facts, "command"), 64);
    for (const auto& h : hosts) {
      std::string host = nats::one_line(nats::get_string(h, "host"), 128);
      std::string outcome = nats::get_string(h, "outcome");
      std::string error = nats::one_line(nats::get_string(h, "error"), 300);
      if (outcome == "ok") {
        auto exit = nats::get_int(h, "exit_status");
        if (!exit || *exit == 0 || h.contains("host_unit")) continue;
        std::string why = nats::one_line(nats::get_string(h, "stderr"), 300);
        Finding f{Severity::Warning, "ssh.command_failed",
                  fmt::format("{} failed on {} (exit {})", command, host, *exit),
                  "The command exited with an error, so its output says nothing about NATS. " +
                      (why.empty() ? std::string("It printed no error.") : "It said: " + why),
                  {fmt::format("{}: {} exited {} on {}", s.id, command, *exit, host)},
                  {{"host", host}, {"command", command}, {"exit_status", std::to_string(*exit)}, {"error", why}}};
        set.add(std::move(f), host + "|" + command);
        continue;
      }
      const OutcomeInfo* info = info_of(outcome);
      if (!info) info = info_of("error");
      Finding f{info->severity, "ssh." + std::string(info->outcome), fmt::format(fmt::runtime(info->title), host),
                std::string(info->detail), {fmt::format("{}: {} on {}: {}", s.id, command, host, error)},
                {{"host", host}, {"command", command}, {"error", error}}};
      set.add(std::move(f), host);
    }
  }
  set.move_to(out);
}

}  // namespace rr
