#include "steps/ssh/ssh_session.h"

#include <libssh/libssh.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string_view>

namespace rr::ssh {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The longest single wait on the channel, so a silent remote cannot hold a
// read past the deadline by more than this.
constexpr std::chrono::milliseconds kReadSlice{100};
// What closing the channel and disconnecting may take after the deadline.
constexpr std::chrono::milliseconds kCloseGrace{200};
// libssh's own timer gives up a little before ours (it counts whole
// milliseconds); a failure this close to the deadline is the deadline's.
constexpr std::chrono::milliseconds kDeadlineSlack{25};
constexpr std::size_t kReadChunk = 16 * 1024;

// Deleter for a libssh object freed by `Free`.
template <class T, void (*Free)(T*)>
struct CDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
void disconnect_and_free(ssh_session s) {
  ssh_disconnect(s);  // a no-op when never connected
  ssh_free(s);
}
void free_char(char* s) { ssh_string_free_char(s); }
void free_hash(unsigned char* h) { ssh_clean_pubkey_hash(&h); }
using SessionPtr = std::unique_ptr<ssh_session_struct, CDeleter<ssh_session_struct, disconnect_and_free>>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, CDeleter<ssh_channel_struct, ssh_channel_free>>;
using KeyPtr = std::unique_ptr<ssh_key_struct, CDeleter<ssh_key_struct, ssh_key_free>>;
using CharPtr = std::unique_ptr<char, CDeleter<char, free_char>>;
using HashPtr = std::unique_ptr<unsigned char, CDeleter<unsigned char, free_hash>>;

void init_once() {
  static std::once_flag once;
  // libssh's global state (crypto, threads) is never finalized: other
  // sessions may be running on other threads until the process exits.
  std::call_once(once, [] { ssh_init(); });
}

// Sets libssh's timeout for its blocking calls (connect, auth, channel
// requests, close) to `left`. False when nothing is left.
bool set_timeout(ssh_session s, std::chrono::milliseconds left) {
  if (left.count() <= 0) return false;
  long sec = static_cast<long>(left.count() / 1000);
  long usec = static_cast<long>(left.count() % 1000) * 1000;
  // Both are set every time: libssh adds them up.
  return ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec) == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec) == SSH_OK;
}

bool near(Deadline deadline) { return deadline.remaining() <= kDeadlineSlack; }

std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

std::string libssh_error(ssh_session s) { return one_line(ssh_get_error(s)); }

// "SHA256:..." of the key the server presented, "" when unavailable.
std::string server_fingerprint(ssh_session s) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK) return "";
  KeyPtr key(raw);
  unsigned char* hash_raw = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash_raw, &hash_len) != 0) return "";
  HashPtr hash(hash_raw);
  CharPtr text(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash.get(), hash_len));
  return text ? std::string(text.get()) : "";
}

// Appends what fits of `chunk` within the limits; false when some was left out.
bool append_capped(std::string& out, std::size_t& lines, std::string_view chunk, const Limits& limits) {
  const std::size_t room = limits.max_bytes > out.size() ? limits.max_bytes - out.size() : 0;
  std::size_t take = 0;
  while (take < chunk.size() && take < room && lines < limits.max_lines) {
    if (chunk[take++] == '\n') ++lines;
  }
  out.append(chunk.substr(0, take));
  return take == chunk.size();
}

// The connection of one call. Closing is bounded by kCloseGrace, since it
// may happen after the deadline; the channel goes before its session.
struct Connection {
  SessionPtr session;
  ChannelPtr channel;

  ~Connection() {
    if (!session) return;
    set_timeout(session.get(), kCloseGrace);
    if (channel && ssh_channel_is_open(channel.get())) ssh_channel_close(channel.get());
    channel.reset();
    session.reset();
  }
};

class Call {
 public:
  Call(const Target& target, Deadline deadline, const Limits& limits,
       std::optional<std::chrono::nanoseconds> connect_timeout)
      : target_(target),
        deadline_(deadline),
        connect_deadline_(connect_timeout ? deadline.capped(*connect_timeout) : deadline),
        limits_(limits),
        started_(Clock::now()) {}

  CommandResult run(const std::vector<std::string>& argv);

 private:
  CommandResult& fail(Outcome outcome, const std::string& what) {
    result_.outcome = outcome;
    result_.error = one_line(where() + what);
    return finish();
  }
  // A libssh call failed: the deadline's doing when it is (nearly) up.
  CommandResult& failed_call(Outcome otherwise, const std::string& what) {
    if (near(phase_deadline_)) return timeout(what);
    return fail(otherwise, what + ": " + libssh_error(conn_.session.get()));
  }
  CommandResult& timeout(const std::string& during) {
    if (conn_.channel) {
      // Best effort, so the remote command does not outlive the call.
      ssh_channel_request_send_signal(conn_.channel.get(), "TERM");
    }
    const bool connect_cap = phase_deadline_.at() < deadline_.at();
    return fail(Outcome::Timeout, (connect_cap ? "connect timeout passed during " : "deadline passed during ") + during);
  }
  CommandResult& finish() {
    result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    return result_;
  }
  std::string where() const {
    return "ssh " + target_.host_name + " (" + target_.address + ":" + std::to_string(target_.port) + "): ";
  }
  bool bound() { return set_timeout(conn_.session.get(), phase_deadline_.remaining()); }

  bool configure();
  bool check_host_key();
  bool read_output();

  const Target& target_;
  const Deadline deadline_;
  const Deadline connect_deadline_;  // deadline_, or earlier by connect_timeout
  const Limits limits_;
  const Clock::time_point started_;
  Deadline phase_deadline_ = connect_deadline_;  // what bounds the current stage
  CommandResult result_;
  Connection conn_;
};

bool Call::configure() {
  ssh_session s = conn_.session.get();
  const unsigned int port = static_cast<unsigned int>(target_.port);
  const bool no = false;
  const int log_none = SSH_LOG_NOLOG;
  // SSH_DIR is set so libssh never needs a home directory; with config
  // processing off and known_hosts set, nothing is read from it.
  return ssh_options_set(s, SSH_OPTIONS_HOST, target_.address.c_str()) == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_PORT, &port) == SSH_OK &&
         (target_.user.empty() || ssh_options_set(s, SSH_OPTIONS_USER, target_.user.c_str()) == SSH_OK) &&
         ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_SSH_DIR, "/nonexistent") == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, target_.known_hosts.c_str()) == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &log_none) == SSH_OK;
}

bool Call::check_host_key() {
  const std::string host = target_.host_name + " (" + target_.address + ":" + std::to_string(target_.port) + ")";
  const std::string presented = server_fingerprint(conn_.session.get());
  const std::string shown = presented.empty() ? "" : " (presented " + presented + ")";
  switch (ssh_session_is_known_server(conn_.session.get())) {
    case SSH_KNOWN_HOSTS_OK:
      return true;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      fail(Outcome::HostKeyChanged,
           "host key for " + host + " does not match known_hosts" + shown + ": possible man-in-the-middle; refusing");
      return false;
    case SSH_KNOWN_HOSTS_UNKNOWN:
      fail(Outcome::HostKeyUnknown, "host key for " + host + " is not in " + target_.known_hosts + shown + "; refusing");
      return false;
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      fail(Outcome::HostKeyUnknown, "known_hosts file " + target_.known_hosts + " not found; refusing");
      return false;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      fail(Outcome::Error, "cannot check the host key: " + libssh_error(conn_.session.get()));
      return false;
  }
}

// Reads stdout (waiting in slices) and whatever stderr is buffered, until
// EOF, the stdout cap or the deadline. False when `result_` is final.
bool Call::read_output() {
  ssh_channel ch = conn_.channel.get();
  std::string buffer(kReadChunk, '\0');
  std::size_t lines = 0;
  while (true) {
    const auto left = deadline_.remaining();
    if (left.count() <= 0) {
      timeout("the command");
      return false;
    }
    const int slice = static_cast<int>(std::min(left, kReadSlice).count());
    const int n = ssh_channel_read_timeout(ch, buffer.data(), kReadChunk, 0, slice);
    if (n == SSH_ERROR) {
      failed_call(Outcome::Error, "reading the output");
      return false;
    }
    if (n > 0 && !append_capped(result_.output, lines, std::string_view(buffer.data(), n), limits_)) {
      // Capped: the rest is not wanted, so the channel is closed (by
      // Connection) rather than drained.
      result_.trimmed = true;
      return true;
    }
    int m;
    while ((m = ssh_channel_read_nonblocking(ch, buffer.data(), kReadChunk, 1)) > 0) {
      const std::size_t room = kStderrLimit - result_.stderr_text.size();
      const std::size_t take = std::min<std::size_t>(room, static_cast<std::size_t>(m));
      result_.stderr_text.append(buffer.data(), take);
      if (take < static_cast<std::size_t>(m)) result_.stderr_trimmed = true;
    }
    if (m == SSH_ERROR) {
      failed_call(Outcome::Error, "reading the error output");
      return false;
    }
    // True only once both streams are drained.
    if (ssh_channel_is_eof(ch)) return true;
  }
}

CommandResult Call::run(const std::vector<std::string>& argv) {
  auto quoted = quote_argv(argv);
  if (!quoted) return fail(Outcome::Error, quoted.error().to_string());
  result_.command_line = *quoted;
  if (target_.address.empty() || target_.address.find('@') != std::string::npos)
    return fail(Outcome::Error, "address must be a host name or IP, without user@");
  if (target_.port < 1 || target_.port > 65535) return fail(Outcome::Error, "port out of range");
  // libssh expands %d, %u, %h... in the known_hosts path.
  if (target_.known_hosts.empty() || target_.known_hosts.find('%') != std::string::npos)
    return fail(Outcome::Error, "a known_hosts file (a path without '%') is required");
  if (target_.key_file.empty()) return fail(Outcome::Error, "a key file is required");

  init_once();
  // The key is read before connecting, so a configuration mistake costs no
  // connection. Its contents never reach a message.
  ssh_key raw_key = nullptr;
  if (ssh_pki_import_privkey_file(target_.key_file.c_str(), nullptr, nullptr, nullptr, &raw_key) != SSH_OK)
    return fail(Outcome::Error, "cannot load the private key " + target_.key_file +
                                    " (missing, unreadable, passphrase-protected or not a key)");
  KeyPtr key(raw_key);

  conn_.session.reset(ssh_new());
  if (!conn_.session) return fail(Outcome::Error, "ssh_new failed");
  ssh_session s = conn_.session.get();
  if (!configure()) return fail(Outcome::Error, "cannot set options: " + libssh_error(s));

  if (!bound()) return timeout("connect");
  if (ssh_connect(s) != SSH_OK) return failed_call(Outcome::Unreachable, "connect");
  if (!check_host_key()) return finish();

  if (!bound()) return timeout("authentication");
  switch (ssh_userauth_publickey(s, nullptr, key.get())) {
    case SSH_AUTH_SUCCESS:
      break;
    case SSH_AUTH_DENIED:
    case SSH_AUTH_PARTIAL:
      return fail(Outcome::AuthFailed, "the server refused key " + target_.key_file + " for user " +
                                           (target_.user.empty() ? "(local user)" : target_.user));
    default:
      return failed_call(Outcome::Error, "authentication");
  }

  phase_deadline_ = deadline_;
  conn_.channel.reset(ssh_channel_new(s));
  if (!conn_.channel) return fail(Outcome::Error, "cannot create a channel: " + libssh_error(s));
  if (!bound()) return timeout("opening a session");
  if (ssh_channel_open_session(conn_.channel.get()) != SSH_OK) return failed_call(Outcome::Error, "opening a session");
  if (!bound()) return timeout("sending the command");
  if (ssh_channel_request_exec(conn_.channel.get(), result_.command_line.c_str()) != SSH_OK)
    return failed_call(Outcome::Error, "sending the command");

  if (!read_output()) return finish();
  result_.outcome = Outcome::Ok;
  if (result_.trimmed) return finish();

  // The status may follow EOF; libssh waits for it (or the close) up to the
  // session timeout. -1 means none came: a signal, or the remote closed.
  if (!bound()) return timeout("waiting for the exit status");
  const int status = ssh_channel_get_exit_status(conn_.channel.get());
  if (status >= 0) {
    result_.exit_status = status;
  } else if (near(deadline_)) {
    return timeout("waiting for the exit status");
  }
  return finish();
}

}  // namespace

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Unreachable: return "unreachable";
    case Outcome::HostKeyUnknown: return "host_key_unknown";
    case Outcome::HostKeyChanged: return "host_key_changed";
    case Outcome::AuthFailed: return "auth_failed";
    case Outcome::Timeout: return "timeout";
    case Outcome::Error: return "error";
  }
  return "error";
}

Result<std::string> quote_argv(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"", "empty command"};
  std::string out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.find('\0') != std::string::npos)
      return Error{"argv[" + std::to_string(i) + "]", "contains a NUL byte"};
    if (i > 0) out += ' ';
    // Inside single quotes nothing is special but the quote itself, which
    // is closed, escaped and reopened.
    out += '\'';
    for (char c : word) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

CommandResult run_command(const Target& target, const std::vector<std::string>& argv, Deadline deadline,
                          const Limits& limits, std::optional<std::chrono::nanoseconds> connect_timeout) {
  Call call(target, deadline, limits, connect_timeout);
  return call.run(argv);
}

}  // namespace rr::ssh
