#pragma once
// What the responder may do on hosts over SSH: the inventory of hosts it may
// connect to, the allowlist of commands it may run there, and the values
// those commands' placeholders take. See README "Hosts and commands".
//
// A command is a list of words. A word written exactly `{NAME}` is a
// placeholder: it becomes one word holding the value of NAME (from the
// rule's step, else the host's `vars`, else `ssh.vars`), checked against
// the type the command declares for NAME. Every word is quoted for the
// remote shell, so no value can add a word to the command line.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "rules/template.h"

namespace rr {

struct HostConfig {
  std::string name;     // as alert labels write it: "nats-node-1"
  std::string address;  // what to connect to; defaults to name
  int port = 22;
  std::string user;         // else ssh.user
  std::string key_file;     // else ssh.key_file; private key, never read into logs
  std::string known_hosts;  // else ssh.known_hosts; the only host keys trusted
  std::string cluster;      // optional: the cluster whose servers it runs
  std::map<std::string, std::string> vars;  // placeholder values for this host
};

struct CommandSpec {
  std::string name;               // [a-z0-9_]; rules use it as step kind ssh.NAME
  std::vector<std::string> argv;  // argv[0] is the program
  std::map<std::string, ValueType> params;  // every {NAME} in argv, typed
  // How the output is read into facts: "" (lines only), "journal" (journalctl
  // and docker logs), "df", "systemctl", "find", "docker_ps".
  std::string parse;
  std::string description;

  // The placeholder a word is, or nullopt for a literal word.
  static std::optional<std::string> placeholder(const std::string& word);
};

struct SshConfig {
  std::string user;         // default for hosts
  std::string key_file;     // default for hosts
  std::string known_hosts;  // default for hosts
  int max_sessions = 8;     // SSH connections open at once across all triages (commands share them)
  Nanos connect_timeout = std::chrono::seconds(5);  // capped by the step's deadline
  std::size_t output_bytes = 64 * 1024;             // per command, then trimmed
  std::size_t output_lines = 1000;
  std::map<std::string, std::string> vars = builtin_vars();

  // unit: nats, container: titan-nats, data_dir: /var/lib/nats,
  // store_dir: /var/lib/nats/jetstream, lines: 100 (the runbooks' names;
  // Debian's package calls the unit nats-server: set it per host).
  static std::map<std::string, std::string> builtin_vars();
};

// The runbooks' read-only first steps: unit_status, unit_journal,
// store_disk, old_snapshots (find without -delete), containers,
// container_logs. Entries in the config file with the same name replace them.
std::vector<CommandSpec> builtin_commands();

// The write commands automatic actions may run (config `actions.commands`
// replaces or adds): restart_unit, `systemctl restart {unit}` (runbook 1.3).
std::vector<CommandSpec> builtin_action_commands();

// Only the characters a command or variable name may hold: [a-z0-9_].
bool valid_command_name(const std::string& name);

}  // namespace rr
