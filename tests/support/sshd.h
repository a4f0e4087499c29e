#pragma once
// A real OpenSSH server for tests: /usr/sbin/sshd on 127.0.0.1 and a free
// port, as the current user, in a temporary directory, stopped by RAII.
// Keys (ed25519, no passphrase) are made with ssh-keygen: a host key, a
// client key in authorized_keys, and a known_hosts file naming the host key
// for "[127.0.0.1]:PORT". Only public-key login is allowed. sshd sets PATH
// to bin_dir():/usr/bin:/bin, so stub commands there shadow real ones (the
// user's shell rc files may still prepend to it).
//
// sshd needs /run/sshd (created when root). When the server cannot start,
// or (not root) refuses the current user, available() is false and why()
// says why; tests then RR_REQUIRE_OR_SKIP (support/skip.h): skipped where
// not root, a failure as root.

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"

namespace rr::test {

class Sshd {
 public:
  // `extra_config`: sshd_config lines appended to the fixture's own (e.g.
  // "MaxSessions 2\n").
  explicit Sshd(const std::string& extra_config = "");
  ~Sshd() = default;  // members stop sshd, then remove the directory
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  bool available() const { return available_; }
  const std::string& why() const { return why_; }

  int port() const { return port_; }
  const std::string& user() const { return user_; }  // the current user
  std::string key_file() const { return (dir_ / "client_key").string(); }
  std::string known_hosts() const { return (dir_ / "known_hosts").string(); }
  const std::string& host_key_pub() const { return host_key_pub_; }  // "ssh-ed25519 AAAA..."
  std::filesystem::path bin_dir() const { return dir_ / "bin"; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Writes bin_dir()/name, a #!/bin/sh script that appends its argv to the
  // execution log, then runs `script_body`.
  void add_stub(const std::string& name, const std::string& script_body);
  // Every stub run so far, in order, each as its argv (argv[0] is the
  // stub's name, without directory), byte for byte.
  std::vector<std::vector<std::string>> executed() const;

  // A fresh ed25519 key pair (no passphrase) in the directory, not
  // authorized; returns the private key's path.
  std::string make_key(const std::string& name) const;
  // A known_hosts file naming a freshly generated key for this server.
  std::string write_known_hosts_with_other_key() const;
  // An existing, empty known_hosts file.
  std::string empty_known_hosts() const;

  // sshd's own log (-e, LogLevel VERBOSE), for failure messages.
  std::string log() const;
  // TCP connections accepted so far (the log's "Connection from" lines,
  // written before sshd sends its banner, so a client that got past the key
  // exchange is already counted), and logins ("Accepted publickey", written
  // before the client learns it is authenticated). The fixture's own login
  // check (not root) counts too: compare before and after.
  int connections() const;
  int logins() const;

 private:
  std::string start(const std::string& extra_config);  // "" once sshd accepts connections, else why not

  TempDir dir_;
  Process server_;
  int port_ = 0;
  std::string user_;
  std::string host_key_pub_;
  bool available_ = false;
  std::string why_;
};

}  // namespace rr::test
