#pragma once
// One command on a remote host over SSH (libssh), under a deadline, for the
// host steps. Read-only by construction on our side: the command is an argv
// whose every word is quoted (the remote sshd always hands the command line
// to the user's shell), the host key must already be in the configured
// known_hosts file (never learned, never written), and the only credential
// is one private key file (no agent, no password, no keyboard-interactive,
// no ~/.ssh/config).
//
// Commands to the same target (every field of Target) that run at the same
// time share one connection, each command its own channel on it: the first
// command opens it (TCP connect, key exchange, host key check,
// authentication) while the others wait for it, and the last one to end
// closes it, so no connection is kept idle. A connection that fails
// (unreachable, host key, authentication) gives every command waiting for it
// the same outcome and is never reused: the next command tries again. A
// channel the server refuses on a shared connection (OpenSSH's MaxSessions)
// is opened on another connection. Each command's deadline bounds its own
// wait for the connection, its command and its output; at the deadline only
// its own channel is closed. Name resolution and the TCP connect happen
// before libssh sees the host (steps/tcp/tcp_connect.h), under the same
// deadline: a DNS server that never answers costs the deadline, no more.
// Thread-safe: one libssh session is only ever used under its own mutex,
// which nobody holds while waiting.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/deadline.h"
#include "common/result.h"

namespace rr::ssh {

class SessionSlots;  // below

struct Target {
  std::string host_name;    // inventory name, for messages
  std::string address;      // IP literal or DNS name
  int port = 22;
  std::string user;         // "" = the local user
  std::string key_file;     // private key (OpenSSH or PEM), no passphrase
  std::string known_hosts;  // the only known_hosts file consulted; no '%'
};

// Caps on what is kept of the command's stdout. Reaching either closes the
// channel early and sets CommandResult::trimmed.
struct Limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_lines = 1000;
};

// Bytes of stderr kept; the rest is read and dropped (stderr_trimmed).
inline constexpr std::size_t kStderrLimit = 8 * 1024;

enum class Outcome {
  Ok,              // the command ran (whatever its exit status)
  Unreachable,     // name, TCP connect or SSH handshake failed before the deadline
  HostKeyUnknown,  // the host (or the known_hosts file) has no entry
  HostKeyChanged,  // an entry exists and differs: refused, maybe a MITM
  AuthFailed,      // the server refused the key
  Timeout,         // the deadline passed (at any stage)
  Error,           // anything else: bad target, channel refused, I/O error
};
std::string_view outcome_name(Outcome o);  // "ok", "host_key_changed", ...

struct CommandResult {
  Outcome outcome = Outcome::Error;
  std::string error;                // one line, no secrets; "" when Ok
  std::optional<int> exit_status;   // when the command exited normally and its
                                    // status arrived (not when trimmed, killed
                                    // by a signal, or cut off by the deadline)
  std::string output;               // stdout, raw bytes, capped by Limits
  std::string stderr_text;          // stderr, raw bytes, capped by kStderrLimit
  bool trimmed = false;             // stdout was capped (the channel was closed)
  bool stderr_trimmed = false;      // stderr was capped
  std::string command_line;         // exactly what was sent (quote_argv)
  std::chrono::milliseconds duration{0};  // connect to last byte (close not included)
};

// POSIX-shell single-quoting of every word ("'" becomes "'\''"), joined by
// single spaces, so no byte of a word can add a word, a redirection, a
// command separator, an expansion, a glob or a line. An empty word becomes
// ''. Error for an empty argv or a word containing NUL (it would cut the
// command short).
Result<std::string> quote_argv(const std::vector<std::string>& argv);

// Runs argv on the target and returns by `deadline` (plus a brief close).
// Connect, key exchange, host key check and authentication must also end
// within `connect_timeout` (when given) of their start, so a dead host leaves
// time for others; a command waiting for another's connection waits as long.
// Either limit reached: Outcome::Timeout, with the output read so far.
// `slots`, when given, bounds connections: a command that has to open one
// first waits for a slot until `deadline` (Outcome::Timeout if none comes
// free); one that joins an open connection takes none. The connection keeps
// `slots` alive until it closes. Never throws for anything the network or
// the remote side does.
CommandResult run_command(const Target& target, const std::vector<std::string>& argv, Deadline deadline,
                          const Limits& limits = {},
                          std::optional<std::chrono::nanoseconds> connect_timeout = std::nullopt,
                          std::shared_ptr<SessionSlots> slots = nullptr);

// The connections to `target` now open or being opened, and the commands
// using or waiting for them (failed connections are not counted).
struct PoolStats {
  int connections = 0;
  int commands = 0;
};
PoolStats pool_stats(const Target& target);

// A bound on concurrent SSH connections, shared by the host steps of a
// process. A Lease holds one slot until it is destroyed; run_command's
// connections hold theirs from before connecting until they close (when the
// last command using them ends, by its deadline), so an abandoned step holds
// none past its deadline. The SessionSlots must outlive every Lease it hands
// out.
class SessionSlots {
 public:
  explicit SessionSlots(int max);  // max < 1 is treated as 1
  SessionSlots(const SessionSlots&) = delete;
  SessionSlots& operator=(const SessionSlots&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : slots_(other.slots_) { other.slots_ = nullptr; }
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    friend class SessionSlots;
    explicit Lease(SessionSlots* slots) : slots_(slots) {}
    SessionSlots* slots_;
  };

  // Waits for a free slot until `deadline`; nullopt when none came free.
  std::optional<Lease> acquire(Deadline deadline);
  int max() const { return max_; }
  int in_use() const;

 private:
  void release();

  const int max_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  int in_use_ = 0;
};

}  // namespace rr::ssh
