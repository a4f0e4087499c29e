#include "support/sshd.h"

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "support/wait.h"

namespace rr::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kSshd = "/usr/sbin/sshd";
// sshd's privilege separation directory (Debian's build refuses to start without it).
constexpr const char* kPrivsepDir = "/run/sshd";

std::string current_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw && pw->pw_name ? pw->pw_name : "";
}

// ssh-keygen -t ed25519 without a passphrase; "" on success, else its output.
std::string keygen(const fs::path& key) {
  auto r = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rr-test", "-f", key.string()}, 10s);
  return r.exit_code == 0 ? "" : "ssh-keygen failed: " + r.output;
}

// "ssh-ed25519 AAAA..." from a .pub file, without the comment.
std::string public_key(const fs::path& pub) {
  std::string line = read_file(pub);
  auto first_space = line.find(' ');
  auto second_space = first_space == std::string::npos ? first_space : line.find(' ', first_space + 1);
  line = line.substr(0, second_space);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// Single-quoted for sh; the test's own paths only.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Sshd::Sshd(const std::string& extra_config) : user_(current_user()) {
  why_ = start(extra_config);
  available_ = why_.empty();
  if (!available_) why_ = "sshd fixture: " + why_;
}

std::string Sshd::start(const std::string& extra_config) {
  std::error_code ec;
  if (!fs::exists(kSshd)) return std::string(kSshd) + " is not installed";
  if (user_.empty()) return "the current user has no passwd entry";
  if (!fs::exists(kPrivsepDir)) {
    if (::geteuid() == 0) fs::create_directories(kPrivsepDir, ec);
    if (!fs::exists(kPrivsepDir)) return std::string(kPrivsepDir) + " is missing and cannot be created";
  }

  const fs::path dir = dir_.path();
  fs::create_directories(dir / "bin");
  for (const char* key : {"host_key", "client_key"}) {
    if (auto err = keygen(dir / key); !err.empty()) return err;
  }
  host_key_pub_ = public_key(dir / "host_key.pub");
  write_file(dir / "authorized_keys", read_file(dir / "client_key.pub"));
  port_ = free_port();
  write_file(dir / "known_hosts", "[127.0.0.1]:" + std::to_string(port_) + " " + host_key_pub_ + "\n");

  const fs::path config = dir / "sshd_config";
  write_file(config, "ListenAddress 127.0.0.1\n"
                     "Port " + std::to_string(port_) + "\n"
                     "HostKey " + (dir / "host_key").string() + "\n"
                     "AuthorizedKeysFile " + (dir / "authorized_keys").string() + "\n"
                     "PidFile " + (dir / "sshd.pid").string() + "\n"
                     "SetEnv PATH=" + (dir / "bin").string() + ":/usr/bin:/bin\n"
                     "StrictModes no\n"
                     "PubkeyAuthentication yes\n"
                     "PasswordAuthentication no\n"
                     "KbdInteractiveAuthentication no\n"
                     "HostbasedAuthentication no\n"
                     "UsePAM no\n"
                     "PermitRootLogin prohibit-password\n"
                     "UseDNS no\n"
                     "PrintMotd no\n"
                     "X11Forwarding no\n"
                     "AllowTcpForwarding no\n"
                     "LogLevel VERBOSE\n" + extra_config);

  // -t: refuse a bad configuration or key before starting anything.
  if (auto check = run({kSshd, "-t", "-f", config.string()}, 10s); check.exit_code != 0)
    return "sshd -t rejected the configuration: " + check.output;
  server_ = Process({kSshd, "-D", "-e", "-f", config.string()}, dir / "sshd.log");
  if (!wait_for_port(port_, 10s) || !server_.running()) return "sshd did not start: " + log();
  // wait_for_port's one connection is logged by a child of sshd, maybe
  // after it returned; connections() counts it, so it must be there first.
  if (!wait_until([&] { return connections() >= 1; }, 10s)) return "sshd did not log the probe connection: " + log();
  // Not root, sshd may run yet refuse every login (e.g. "account is locked":
  // it cannot read the shadow file), so try one with the OpenSSH client.
  if (::geteuid() != 0) {
    auto login = run({"ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + known_hosts(),
                      "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-i", key_file(), "-p",
                      std::to_string(port_), "-l", user_, "127.0.0.1", "true"},
                     10s);
    if (login.exit_code != 0) return "sshd runs but refuses " + user_ + ": " + log();
  }
  return "";
}

void Sshd::add_stub(const std::string& name, const std::string& script_body) {
  const fs::path path = bin_dir() / name;
  // Each run: the word count, then every word as "<bytes>:<word>\n", so a
  // word may hold newlines. dash counts ${#x} in bytes.
  write_file(path, "#!/bin/sh\n"
                   "{\n"
                   "  printf '%s\\n' \"$(($# + 1))\"\n"
                   "  rr_name=${0##*/}\n"
                   "  printf '%s:%s\\n' \"${#rr_name}\" \"$rr_name\"\n"
                   "  for rr_arg in \"$@\"; do printf '%s:%s\\n' \"${#rr_arg}\" \"$rr_arg\"; done\n"
                   "} >> " + sh_quote((dir() / "executed.log").string()) + "\n" +
                   script_body + "\n");
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
}

std::vector<std::vector<std::string>> Sshd::executed() const {
  const std::string log = read_file(dir() / "executed.log");
  std::vector<std::vector<std::string>> runs;
  std::size_t pos = 0;
  auto number_until = [&](char end) {
    auto stop = log.find(end, pos);
    if (stop == std::string::npos) throw std::runtime_error("executed.log is malformed");
    auto n = std::stoul(log.substr(pos, stop - pos));
    pos = stop + 1;
    return n;
  };
  while (pos < log.size()) {
    auto count = number_until('\n');
    std::vector<std::string> argv;
    for (std::size_t i = 0; i < count; ++i) {
      auto length = number_until(':');
      if (pos + length >= log.size() || log[pos + length] != '\n')
        throw std::runtime_error("executed.log is malformed");
      argv.push_back(log.substr(pos, length));
      pos += length + 1;
    }
    runs.push_back(std::move(argv));
  }
  return runs;
}

std::string Sshd::make_key(const std::string& name) const {
  const fs::path key = dir() / name;
  if (auto err = keygen(key); !err.empty()) throw std::runtime_error(err);
  return key.string();
}

std::string Sshd::write_known_hosts_with_other_key() const {
  const std::string key = make_key("other_host_key");
  const fs::path path = dir() / "known_hosts_other";
  write_file(path, "[127.0.0.1]:" + std::to_string(port_) + " " + public_key(key + ".pub") + "\n");
  return path.string();
}

std::string Sshd::empty_known_hosts() const {
  const fs::path path = dir() / "known_hosts_empty";
  write_file(path, "");
  return path.string();
}

std::string Sshd::log() const { return read_file(dir() / "sshd.log"); }

namespace {
int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}
}  // namespace

int Sshd::connections() const { return count_of(log(), "Connection from "); }
int Sshd::logins() const { return count_of(log(), "Accepted publickey for "); }

}  // namespace rr::test
