#include "config/ssh.h"

#include <algorithm>

namespace rr {

std::optional<std::string> CommandSpec::placeholder(const std::string& word) {
  if (word.size() < 3 || word.front() != '{' || word.back() != '}') return std::nullopt;
  std::string name = word.substr(1, word.size() - 2);
  if (!valid_command_name(name)) return std::nullopt;
  return name;
}

bool valid_command_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

std::map<std::string, std::string> SshConfig::builtin_vars() {
  return {{"unit", "nats"},
          {"container", "titan-nats"},
          {"data_dir", "/var/lib/nats"},
          {"store_dir", "/var/lib/nats/jetstream"},
          {"lines", "100"}};
}

std::vector<CommandSpec> builtin_action_commands() {
  return {{"restart_unit",
           {"systemctl", "restart", "{unit}"},
           {{"unit", ValueType::Word}},
           "",
           "restart the NATS unit (runbook 1.3)"}};
}

std::vector<CommandSpec> builtin_commands() {
  using T = ValueType;
  return {
      {"unit_status",
       {"systemctl", "status", "--no-pager", "--full", "--lines=20", "{unit}"},
       {{"unit", T::Word}},
       "systemctl",
       "the NATS unit's state and its last log lines (runbook 1.1)"},
      {"unit_journal",
       {"journalctl", "-u", "{unit}", "-n", "{lines}", "--no-pager", "-o", "short-iso"},
       {{"unit", T::Word}, {"lines", T::Integer}},
       "journal",
       "the NATS unit's last log lines (runbook 1.2)"},
      {"store_disk",
       {"df", "-h", "{data_dir}"},
       {{"data_dir", T::Word}},
       "df",
       "disk usage of the NATS data directory (runbook 1.4)"},
      // The runbook's `find ... -delete`, without -delete: the listing only.
      {"old_snapshots",
       {"find", "{store_dir}", "-name", "*.snap", "-mtime", "+7", "-printf", R"(%s %TY-%Tm-%Td %p\n)"},
       {{"store_dir", T::Word}},
       "find",
       "JetStream snapshot files older than seven days (runbook 1.4)"},
      {"containers",
       {"docker", "ps", "-a", "--format", "{{.Names}}\t{{.State}}\t{{.Status}}\t{{.Image}}"},
       {},
       "docker_ps",
       "the host's containers and their state (Titan runbook, first step)"},
      {"container_logs",
       {"docker", "logs", "--timestamps", "--tail", "{lines}", "{container}"},
       {{"lines", T::Integer}, {"container", T::Name}},
       "journal",
       "the NATS container's last log lines (Titan runbook, first step)"},
  };
}

}  // namespace rr
