#include "steps/ssh/ssh_session.h"

#include "steps/tcp/tcp_connect.h"

#include <libssh/libssh.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "steps/ssh/connection.h"

namespace rr::ssh {
namespace {

using namespace std::chrono_literals;
using detail::Attachment;
using detail::ChannelPtr;
using detail::Clock;
using detail::Connection;
using detail::Failure;

// libssh's own timer gives up a little before ours (it counts whole
// milliseconds); a failure this close to the deadline is the deadline's.
constexpr std::chrono::milliseconds kDeadlineSlack{25};
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kStepBytes = 4 * kReadChunk;
// Connections one command may try: one more each time a shared one refuses
// it a channel or an opener's own deadline cut the connection it waited for.
constexpr int kMaxAttempts = 8;

void free_char(char* s) { ssh_string_free_char(s); }
void free_hash(unsigned char* h) { ssh_clean_pubkey_hash(&h); }
using KeyPtr = std::unique_ptr<ssh_key_struct, detail::CDeleter<ssh_key_struct, ssh_key_free>>;
using CharPtr = std::unique_ptr<char, detail::CDeleter<char, free_char>>;
using HashPtr = std::unique_ptr<unsigned char, detail::CDeleter<unsigned char, free_hash>>;

void init_once() {
  static std::once_flag once;
  // libssh's global state (crypto, threads) is never finalized: other
  // sessions may be running on other threads until the process exits.
  std::call_once(once, [] { ssh_init(); });
}

// Sets libssh's timeout for its blocking calls (the handshake) to `left`.
// False when nothing is left.
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

// One command's channel on a shared connection, closed and freed under the
// connection's mutex through `lock` (which the owner holds, or this takes);
// then every waiter on the connection is woken, since the one that polled
// for them may be this command.
class OwnChannel {
 public:
  OwnChannel(Connection& conn, std::unique_lock<std::mutex>& lock)
      : conn_(conn), lock_(lock), channel_(ssh_channel_new(conn.session.get())) {
    ++conn_.channels_live;
  }
  OwnChannel(const OwnChannel&) = delete;
  OwnChannel& operator=(const OwnChannel&) = delete;
  ~OwnChannel() {
    if (!lock_.owns_lock()) lock_.lock();
    // Non-blocking: sends EOF and close; libssh frees the channel once the
    // server's close arrives, or with the session.
    if (channel_ && ssh_channel_is_open(channel_.get())) ssh_channel_close(channel_.get());
    channel_.reset();
    --conn_.channels_live;
    conn_.wake_all();
  }
  ssh_channel get() const { return channel_.get(); }

 private:
  Connection& conn_;
  std::unique_lock<std::mutex>& lock_;
  ChannelPtr channel_;
};

class Call {
 public:
  Call(const Target& target, Deadline deadline, const Limits& limits,
       std::optional<std::chrono::nanoseconds> connect_timeout, std::shared_ptr<SessionSlots> slots)
      : target_(target),
        deadline_(deadline),
        connect_timeout_(connect_timeout),
        limits_(limits),
        slots_(std::move(slots)),
        started_(Clock::now()) {}

  CommandResult run(const std::vector<std::string>& argv);

 private:
  // How a command's use of a ready connection ended.
  enum class ChannelEnd {
    Done,     // result_ is final
    Refused,  // the server refused a channel on a shared connection: try another
    Broken,   // result_ is final, and the connection is unusable
  };

  CommandResult& fail(Outcome outcome, const std::string& what) { return adopt(failure(outcome, what)); }
  CommandResult& adopt(const Failure& f) {
    result_.outcome = f.outcome;
    result_.error = f.error;
    return finish();
  }
  CommandResult& finish() {
    result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    return result_;
  }
  Failure failure(Outcome outcome, const std::string& what) const { return {outcome, one_line(where() + what)}; }
  // A blocking libssh call of the handshake failed: the deadline's doing
  // when it is (nearly) up.
  Failure failed_call(ssh_session s, Outcome otherwise, const std::string& what) const {
    if (near(phase_deadline_)) return timeout(what);
    return failure(otherwise, what + ": " + libssh_error(s));
  }
  Failure timeout(const std::string& during) const {
    const bool connect_cap = phase_deadline_.at() < deadline_.at();
    return failure(Outcome::Timeout,
                   (connect_cap ? "connect timeout passed during " : "deadline passed during ") + during);
  }
  std::string where() const {
    return "ssh " + target_.host_name + " (" + target_.address + ":" + std::to_string(target_.port) + "): ";
  }
  bool bound(ssh_session s) const { return set_timeout(s, phase_deadline_.remaining()); }

  std::optional<Failure> open_connection(Attachment& a, ssh_key key);
  bool configure(ssh_session s) const;
  std::optional<Failure> check_host_key(ssh_session s) const;
  ChannelEnd run_channel(Connection& conn);

  const Target& target_;
  const Deadline deadline_;
  const std::optional<std::chrono::nanoseconds> connect_timeout_;
  const Limits limits_;
  const std::shared_ptr<SessionSlots> slots_;
  const Clock::time_point started_;
  Deadline phase_deadline_ = deadline_;  // what bounds the current stage of the handshake
  std::string command_line_;
  CommandResult result_;
};

bool Call::configure(ssh_session s) const {
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

std::optional<Failure> Call::check_host_key(ssh_session s) const {
  const std::string host = target_.host_name + " (" + target_.address + ":" + std::to_string(target_.port) + ")";
  const std::string presented = server_fingerprint(s);
  const std::string shown = presented.empty() ? "" : " (presented " + presented + ")";
  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      return std::nullopt;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return failure(Outcome::HostKeyChanged, "host key for " + host + " does not match known_hosts" + shown +
                                                  ": possible man-in-the-middle; refusing");
    case SSH_KNOWN_HOSTS_UNKNOWN:
      return failure(Outcome::HostKeyUnknown,
                     "host key for " + host + " is not in " + target_.known_hosts + shown + "; refusing");
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return failure(Outcome::HostKeyUnknown, "known_hosts file " + target_.known_hosts + " not found; refusing");
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return failure(Outcome::Error, "cannot check the host key: " + libssh_error(s));
  }
}

// The opener: slot, handshake, then ready() or failed() for every waiter.
// The session is this thread's alone until ready().
std::optional<Failure> Call::open_connection(Attachment& a, ssh_key key) {
  Connection& conn = a.conn();
  auto attempt = [&]() -> std::optional<Failure> {
    if (slots_) {
      auto lease = slots_->acquire(deadline_);
      if (!lease) return failure(Outcome::Timeout, "no free SSH session before the deadline");
      conn.slots = slots_;
      conn.lease = std::move(lease);
    }
    phase_deadline_ = connect_timeout_ ? deadline_.capped(*connect_timeout_) : deadline_;
    a.connecting();

    conn.session.reset(ssh_new());
    ssh_session s = conn.session.get();
    if (!s) return failure(Outcome::Error, "ssh_new failed");
    if (!configure(s)) return failure(Outcome::Error, "cannot set options: " + libssh_error(s));
    // Name resolution and the TCP connect are ours, under the deadline:
    // libssh would resolve a name with a getaddrinfo nothing bounds. The
    // session takes the socket (closed with it); SSH_OPTIONS_HOST still
    // names the host for known_hosts.
    {
      tcp::TcpConnection tcp = tcp::tcp_connect(target_.address, target_.port, phase_deadline_);
      if (!tcp.fd.valid()) {
        return tcp.timed_out ? timeout("connect (" + tcp.error + ")")
                             : failure(Outcome::Unreachable, "connect: " + tcp.error);
      }
      socket_t fd = tcp.fd.get();
      if (ssh_options_set(s, SSH_OPTIONS_FD, &fd) != SSH_OK)
        return failure(Outcome::Error, "cannot hand the socket to libssh: " + libssh_error(s));
      tcp.fd.release();
    }
    if (!bound(s)) return timeout("connect");
    if (ssh_connect(s) != SSH_OK) return failed_call(s, Outcome::Unreachable, "connect");
    if (auto bad = check_host_key(s)) return bad;
    if (!bound(s)) return timeout("authentication");
    switch (ssh_userauth_publickey(s, nullptr, key)) {
      case SSH_AUTH_SUCCESS:
        break;
      case SSH_AUTH_DENIED:
      case SSH_AUTH_PARTIAL:
        return failure(Outcome::AuthFailed, "the server refused key " + target_.key_file + " for user " +
                                                (target_.user.empty() ? "(local user)" : target_.user));
      default:
        return failed_call(s, Outcome::Error, "authentication");
    }
    // From here on every call on the session returns at once; the commands
    // wait in Connection::wait_io, outside its mutex.
    ssh_set_blocking(s, 0);
    // Without an eventfd, waiters still see news within wait_io's slice.
    conn.wake = detail::Fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    return std::nullopt;
  };
  std::optional<Failure> failed;
  try {
    failed = attempt();
  } catch (...) {
    conn.session.reset();
    conn.lease.reset();
    a.failed(failure(Outcome::Error, "connection attempt aborted"));
    throw;
  }
  if (!failed) {
    a.ready();
    return std::nullopt;
  }
  conn.session.reset();
  conn.lease.reset();
  a.failed(*failed);
  return failed;
}

// Opens this command's channel on a ready connection, sends the command and
// reads stdout and stderr until EOF, the stdout cap or the deadline, then
// the exit status. Every libssh call is non-blocking and made under
// conn.mu; the waits are Connection::wait_io's.
Call::ChannelEnd Call::run_channel(Connection& conn) {
  enum class Stage { Open, Exec, Read, Status };
  enum class Step { Progress, Idle, Finished, Refused };
  static constexpr const char* kDuring[] = {"opening a session", "sending the command", "the command",
                                            "waiting for the exit status"};

  std::unique_lock lock(conn.mu);
  ssh_session s = conn.session.get();
  OwnChannel ch(conn, lock);  // after `lock`: closed while it is held
  if (!ch.get()) {
    fail(Outcome::Error, "cannot create a channel: " + libssh_error(s));
    return ChannelEnd::Done;
  }
  Stage stage = Stage::Open;
  std::string buffer(kReadChunk, '\0');
  std::size_t lines = 0;
  bool broken = false;
  auto failed_io = [&](const std::string& what) {
    broken = ssh_is_connected(s) == 0;
    fail(Outcome::Error, what + ": " + libssh_error(s));
    return Step::Finished;
  };
  auto step = [&]() -> Step {
    switch (stage) {
      case Stage::Open: {
        const int rc = ssh_channel_open_session(ch.get());
        if (rc == SSH_AGAIN) return Step::Idle;
        if (rc == SSH_OK) {
          ++conn.channels_opened;
          stage = Stage::Exec;
          return Step::Progress;
        }
        // Refused while others have (or had) channels on it: the server's
        // MaxSessions, most likely.
        if (ssh_get_error_code(s) == SSH_REQUEST_DENIED && ssh_is_connected(s) &&
            (conn.channels_live > 1 || conn.channels_opened > 0))
          return Step::Refused;
        return failed_io("opening a session");
      }
      case Stage::Exec: {
        const int rc = ssh_channel_request_exec(ch.get(), command_line_.c_str());
        if (rc == SSH_AGAIN) return Step::Idle;
        if (rc != SSH_OK) return failed_io("sending the command");
        stage = Stage::Read;
        return Step::Progress;
      }
      case Stage::Read: {
        // A bound on one step's reading, so a flood cannot keep the mutex.
        std::size_t budget = kStepBytes;
        bool progress = false;
        int n = 0;
        while (budget > 0 && (n = ssh_channel_read_nonblocking(ch.get(), buffer.data(), kReadChunk, 0)) > 0) {
          progress = true;
          budget -= std::min<std::size_t>(budget, static_cast<std::size_t>(n));
          if (!append_capped(result_.output, lines, std::string_view(buffer.data(), n), limits_)) {
            // Capped: the rest is not wanted, so the channel is closed
            // (by OwnChannel) rather than drained.
            result_.trimmed = true;
            result_.outcome = Outcome::Ok;
            return Step::Finished;
          }
        }
        if (n == SSH_ERROR) return failed_io("reading the output");
        while (budget > 0 && (n = ssh_channel_read_nonblocking(ch.get(), buffer.data(), kReadChunk, 1)) > 0) {
          progress = true;
          budget -= std::min<std::size_t>(budget, static_cast<std::size_t>(n));
          const std::size_t room = kStderrLimit - result_.stderr_text.size();
          const std::size_t take = std::min<std::size_t>(room, static_cast<std::size_t>(n));
          result_.stderr_text.append(buffer.data(), take);
          if (take < static_cast<std::size_t>(n)) result_.stderr_trimmed = true;
        }
        if (n == SSH_ERROR) return failed_io("reading the error output");
        // True only once both streams are drained.
        if (ssh_channel_is_eof(ch.get())) {
          stage = Stage::Status;
          return Step::Progress;
        }
        return progress ? Step::Progress : Step::Idle;
      }
      case Stage::Status: {
        // The status may follow EOF. None (-1) once the channel is closed:
        // a signal, or the remote closed.
        const int status = ssh_channel_get_exit_status(ch.get());
        if (status >= 0) {
          result_.exit_status = status;
        } else if (!ssh_channel_is_closed(ch.get()) && (ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0) {
          return Step::Idle;
        }
        result_.outcome = Outcome::Ok;
        return Step::Finished;
      }
    }
    return Step::Finished;
  };

  while (true) {
    if (deadline_.expired()) {
      // Best effort, so the remote command does not outlive the call.
      if (stage == Stage::Read || stage == Stage::Status) ssh_channel_request_send_signal(ch.get(), "TERM");
      fail(Outcome::Timeout, std::string("deadline passed during ") + kDuring[static_cast<int>(stage)]);
      return ChannelEnd::Done;
    }
    const bool input = conn.input_pending();
    const Step done = step();
    // What this call read may be for other channels too.
    if (input) conn.wake_all();
    switch (done) {
      case Step::Finished:
        finish();
        return broken ? ChannelEnd::Broken : ChannelEnd::Done;
      case Step::Refused:
        return ChannelEnd::Refused;
      case Step::Progress:
        // Others may be waiting for the mutex to read their own channels.
        lock.unlock();
        std::this_thread::yield();
        lock.lock();
        break;
      case Step::Idle:
        conn.wait_io(lock, deadline_.at());
        break;
    }
  }
}

CommandResult Call::run(const std::vector<std::string>& argv) {
  auto quoted = quote_argv(argv);
  if (!quoted) return fail(Outcome::Error, quoted.error().to_string());
  command_line_ = *quoted;
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

  const detail::Key target_key = detail::key_of(target_);
  for (int attempt = 1;; ++attempt) {
    Attachment a = Attachment::attach(target_key);
    if (a.opener()) {
      if (auto failed = open_connection(a, key.get())) return adopt(*failed);
    } else {
      const Attachment::Opened opened = a.wait_opened(deadline_, connect_timeout_);
      if (opened.state == Connection::State::Opening) {
        // Our own limit, while another command was connecting.
        if (!opened.connecting) return fail(Outcome::Timeout, "no free SSH session before the deadline");
        if (connect_timeout_) {
          const auto cap = *opened.connecting + std::chrono::duration_cast<Clock::duration>(*connect_timeout_);
          if (cap < deadline_.at()) phase_deadline_ = Deadline(cap);
        }
        return adopt(timeout("connect"));
      }
      if (opened.state == Connection::State::Failed) {
        // The host's answer is everyone's. A timeout may only have been the
        // opener's (its deadline, or its wait for a slot): try again while
        // this command's own limits leave time.
        const bool own_time_left =
            !near(deadline_) &&
            !(opened.connecting && connect_timeout_ &&
              Clock::now() >= *opened.connecting + std::chrono::duration_cast<Clock::duration>(*connect_timeout_));
        if (opened.failure.outcome != Outcome::Timeout || !own_time_left || attempt >= kMaxAttempts)
          return adopt(opened.failure);
        continue;
      }
    }
    switch (run_channel(a.conn())) {
      case ChannelEnd::Done:
        return result_;
      case ChannelEnd::Broken:
        a.close_to_new();
        return result_;
      case ChannelEnd::Refused:
        a.close_to_new();
        if (attempt >= kMaxAttempts || deadline_.expired())
          return fail(Outcome::Error, "opening a session: refused on " + std::to_string(attempt) + " connections");
        break;
    }
  }
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
                          const Limits& limits, std::optional<std::chrono::nanoseconds> connect_timeout,
                          std::shared_ptr<SessionSlots> slots) {
  Call call(target, deadline, limits, connect_timeout, std::move(slots));
  return call.run(argv);
}

PoolStats pool_stats(const Target& target) { return detail::stats(detail::key_of(target)); }

}  // namespace rr::ssh
