#include "config/ssh_loader.h"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/file.h"
#include "common/text.h"

namespace rr {
namespace {

constexpr std::string_view kParsers[] = {"", "journal", "df", "systemctl", "find", "docker_ps"};

// A path (resolved against base_dir) to a file this process can read. Only
// its name is ever reported, never its content.
std::optional<std::string> readable_file(yaml::Reader& r, const YAML::Node& n, const std::string& what,
                                         const std::string& base_dir) {
  auto v = yaml::string_value(r, n, what);
  if (!v) return std::nullopt;
  if (v->empty() || !is_printable_ascii(*v)) {
    r.error(n, what + " must be a path");
    return std::nullopt;
  }
  std::string path = resolve_path(base_dir, *v);
  if (::access(path.c_str(), R_OK) != 0) {
    r.error(n, what + ": cannot read " + path);
    return std::nullopt;
  }
  return path;
}

std::optional<std::string> user_name(yaml::Reader& r, const YAML::Node& n) {
  auto v = yaml::string_value(r, n, "user");
  if (v && (v->empty() || v->size() > 64 || !is_printable_ascii(*v) || v->find(' ') != std::string::npos)) {
    r.error(n, "user must be a user name without spaces");
    return std::nullopt;
  }
  return v;
}

void read_vars(yaml::Reader& r, const YAML::Node& node, std::map<std::string, std::string>& out) {
  auto f = yaml::Fields::read(r, node, "vars", {});
  if (!f) return;
  for (const auto& [key, value] : f->entries()) {
    if (!valid_command_name(key)) {
      r.error(value, "var name \"" + key + "\" must be 1 to 64 of [a-z0-9_]");
      continue;
    }
    // Typed against each command that uses it in check_ssh.
    if (auto v = yaml::string_value(r, value, "vars." + key)) out[key] = *v;
  }
}

}  // namespace

void read_ssh(yaml::Reader& r, const YAML::Node& node, const std::string& base_dir, SshConfig& out) {
  auto f = yaml::Fields::read(r, node, "ssh",
                              {"user", "key_file", "known_hosts", "max_sessions", "connect_timeout", "output_bytes",
                               "output_lines", "vars"});
  if (!f) return;
  if (const YAML::Node* n = f->find("user"))
    if (auto v = user_name(r, *n)) out.user = *v;
  if (const YAML::Node* n = f->find("key_file"))
    if (auto v = readable_file(r, *n, "ssh.key_file", base_dir)) out.key_file = *v;
  if (const YAML::Node* n = f->find("known_hosts"))
    if (auto v = readable_file(r, *n, "ssh.known_hosts", base_dir)) out.known_hosts = *v;
  if (const YAML::Node* n = f->find("max_sessions"))
    if (auto v = yaml::integer_value(r, *n, "ssh.max_sessions", 1, 256)) out.max_sessions = static_cast<int>(*v);
  if (const YAML::Node* n = f->find("connect_timeout"))
    if (auto v = yaml::duration_value(r, *n, "ssh.connect_timeout")) out.connect_timeout = *v;
  if (const YAML::Node* n = f->find("output_bytes"))
    if (auto v = yaml::integer_value(r, *n, "ssh.output_bytes", 1024, 16 << 20))
      out.output_bytes = static_cast<std::size_t>(*v);
  if (const YAML::Node* n = f->find("output_lines"))
    if (auto v = yaml::integer_value(r, *n, "ssh.output_lines", 1, 100000))
      out.output_lines = static_cast<std::size_t>(*v);
  if (const YAML::Node* n = f->find("vars")) read_vars(r, *n, out.vars);
}

void read_hosts(yaml::Reader& r, const YAML::Node& list, const std::string& base_dir, Config& c) {
  if (!list.IsSequence()) {
    r.error(list, "hosts must be a list");
    return;
  }
  std::set<std::string> names;
  for (const auto& node : list) {
    auto f = yaml::Fields::read(r, node, "a host",
                                {"name", "address", "port", "user", "key_file", "known_hosts", "cluster", "vars"});
    if (!f) continue;
    HostConfig h;
    bool ok = true;
    if (const YAML::Node* n = f->require("name")) {
      if (auto v = yaml::string_value(r, *n, "name")) {
        h.name = *v;
        if (auto why = check_value(ValueType::Host, h.name)) {
          r.error(*n, "host name " + *why + " (it must be written as alert labels write it: a DNS name or IP)");
          ok = false;
        } else if (!names.insert(h.name).second) {
          r.error(*n, "duplicate host \"" + h.name + "\"");
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    h.address = h.name;
    if (const YAML::Node* n = f->find("address")) {
      if (auto v = yaml::string_value(r, *n, "address")) {
        if (auto why = check_value(ValueType::Host, *v)) {
          r.error(*n, "address " + *why);
          ok = false;
        }
        h.address = *v;
      }
    }
    if (const YAML::Node* n = f->find("port"))
      if (auto v = yaml::integer_value(r, *n, "port", 1, 65535)) h.port = static_cast<int>(*v);
    if (const YAML::Node* n = f->find("user"))
      if (auto v = user_name(r, *n)) h.user = *v;
    if (const YAML::Node* n = f->find("key_file"))
      if (auto v = readable_file(r, *n, "key_file", base_dir)) h.key_file = *v;
    if (const YAML::Node* n = f->find("known_hosts"))
      if (auto v = readable_file(r, *n, "known_hosts", base_dir)) h.known_hosts = *v;
    if (const YAML::Node* n = f->find("cluster")) {
      if (auto v = yaml::string_value(r, *n, "cluster")) {
        h.cluster = *v;
        bool known = std::any_of(c.clusters.begin(), c.clusters.end(),
                                 [&](const ClusterConfig& k) { return k.name == h.cluster; });
        if (!known) r.error(*n, "host " + h.name + ": no cluster named \"" + h.cluster + "\"");
      }
    }
    if (const YAML::Node* n = f->find("vars")) read_vars(r, *n, h.vars);
    if (ok) c.hosts.push_back(std::move(h));
  }
}

void read_commands(yaml::Reader& r, const YAML::Node& list, std::vector<CommandSpec>& out) {
  if (!list.IsSequence()) {
    r.error(list, "commands must be a list");
    return;
  }
  std::set<std::string> names;
  for (const auto& node : list) {
    auto f = yaml::Fields::read(r, node, "a command", {"name", "argv", "params", "parse", "description"});
    if (!f) continue;
    CommandSpec cmd;
    std::size_t errors = r.error_count();
    if (const YAML::Node* n = f->require("name")) {
      if (auto v = yaml::string_value(r, *n, "name")) {
        cmd.name = *v;
        if (!valid_command_name(cmd.name))
          r.error(*n, "command name must be 1 to 64 of [a-z0-9_]");
        else if (!names.insert(cmd.name).second)
          r.error(*n, "duplicate command \"" + cmd.name + "\"");
      }
    }
    std::set<std::string> used;
    if (const YAML::Node* n = f->require("argv")) {
      if (auto v = yaml::string_list(r, *n, "argv")) {
        cmd.argv = *v;
        if (cmd.argv.empty()) r.error(*n, "argv needs at least the program");
        for (std::size_t i = 0; i < cmd.argv.size(); ++i) {
          const std::string& word = cmd.argv[i];
          if (word.find('\0') != std::string::npos || word.size() > 4096)
            r.error((*n)[i], "argv[" + std::to_string(i) + "] must be text without NUL, at most 4096 bytes");
          if (auto p = CommandSpec::placeholder(word)) {
            if (i == 0) r.error((*n)[i], "the program (argv[0]) cannot be a placeholder");
            used.insert(*p);
          }
        }
      }
    }
    if (const YAML::Node* n = f->find("params")) {
      if (auto p = yaml::Fields::read(r, *n, "params", {})) {
        for (const auto& [key, value] : p->entries()) {
          auto type_name = yaml::string_value(r, value, "params." + key);
          if (!type_name) continue;
          auto type = value_type_from_name(*type_name);
          if (!type)
            r.error(value, "params." + key + ": unknown type \"" + *type_name + "\"");
          else if (!used.count(key))
            r.error(value, "params." + key + " is not used as {" + key + "} in argv");
          else
            cmd.params[key] = *type;
        }
      }
    }
    for (const std::string& p : used)
      if (!cmd.params.count(p)) r.error(node, "{" + p + "} in argv needs a type under params");
    if (const YAML::Node* n = f->find("parse")) {
      if (auto v = yaml::string_value(r, *n, "parse")) {
        cmd.parse = *v;
        if (std::find(std::begin(kParsers), std::end(kParsers), cmd.parse) == std::end(kParsers))
          r.error(*n, "parse must be one of journal, df, systemctl, find, docker_ps (or absent)");
      }
    }
    if (const YAML::Node* n = f->find("description"))
      if (auto v = yaml::string_value(r, *n, "description")) cmd.description = *v;
    if (r.error_count() != errors) continue;
    auto same = std::find_if(out.begin(), out.end(), [&](const CommandSpec& k) { return k.name == cmd.name; });
    if (same != out.end())
      *same = std::move(cmd);
    else
      out.push_back(std::move(cmd));
  }
}

void read_redact(yaml::Reader& r, const YAML::Node& node, Config& c) {
  auto v = yaml::string_list(r, node, "redact");
  if (!v) return;
  auto made = Redactor::make(*v);
  if (!made) {
    r.error(node, "redact: " + made.error().message);
    return;
  }
  c.redact = *v;
  c.redactor = std::move(*made);
}

void check_ssh(yaml::Reader& r, const YAML::Node& at, Config& c) {
  for (HostConfig& h : c.hosts) {
    if (h.user.empty()) h.user = c.ssh.user;
    if (h.key_file.empty()) h.key_file = c.ssh.key_file;
    if (h.known_hosts.empty()) h.known_hosts = c.ssh.known_hosts;
    for (auto [key, value] : {std::pair{"user", &h.user}, {"key_file", &h.key_file}, {"known_hosts", &h.known_hosts}})
      if (value->empty()) r.error(at, "host " + h.name + " needs " + key + " (on the host or under ssh)");
  }
  // A var is typed by the commands that use it.
  auto check_vars = [&](const std::map<std::string, std::string>& vars, const std::string& where) {
    for (const CommandSpec& cmd : c.commands)
      for (const auto& [name, type] : cmd.params) {
        auto v = vars.find(name);
        if (v == vars.end()) continue;
        if (auto why = check_value(type, v->second))
          r.error(at, where + " var " + name + " (used by command " + cmd.name + " as " +
                          std::string(value_type_name(type)) + ") " + *why);
      }
  };
  check_vars(c.ssh.vars, "ssh");
  for (const HostConfig& h : c.hosts) check_vars(h.vars, "host " + h.name);
}

}  // namespace rr
