#pragma once
// Reading the config file's `ssh`, `hosts`, `commands` and `redact` keys
// (used by loader.cpp). Each reports every problem to the reader and keeps
// only valid entries.

#include <string>

#include "config/config.h"
#include "rules/yaml_reader.h"

namespace rr {

void read_ssh(yaml::Reader& r, const YAML::Node& node, const std::string& base_dir, SshConfig& out);
void read_hosts(yaml::Reader& r, const YAML::Node& node, const std::string& base_dir, Config& c);
// Entries replace the built-in command of the same name, or add one.
void read_commands(yaml::Reader& r, const YAML::Node& node, std::vector<CommandSpec>& out);
void read_redact(yaml::Reader& r, const YAML::Node& node, Config& c);

// After everything is read: each host has a user, a key and known_hosts,
// and every var a command uses (host or ssh.vars) passes that command's type.
void check_ssh(yaml::Reader& r, const YAML::Node& at, Config& c);

}  // namespace rr
