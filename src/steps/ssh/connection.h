#pragma once
// The shared connections behind run_command (ssh_session.h); internal to
// src/steps/ssh/.
//
// A process-wide registry holds, per target, the connections some command
// is using. A command attaches to one (an Attachment): an open one that
// still takes channels, else one being opened, else a new one, whose first
// user (the opener) acquires the session slot, runs the handshake and
// publishes the result (ready() or failed()). Every user holds its
// Attachment for as long as it uses the connection; the last one to go
// closes it (no connection is kept idle) and so frees its slot.
//
// Locks: the registry's mutex guards the registry part of each Connection
// (state, joinable, users, connecting_since, failure); Connection::mu
// guards every libssh call on its session and channels once it is ready.
// Neither is held while the other is taken, nor while anything waits on the
// clock (wait_io() and wait_opened() release them).

#include <libssh/libssh.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "steps/ssh/ssh_session.h"

namespace rr::ssh::detail {

using Clock = std::chrono::steady_clock;

// Deleter for a libssh object freed by `Free`.
template <class T, void (*Free)(T*)>
struct CDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
void disconnect_and_free(ssh_session s);  // ssh_disconnect (a no-op when never connected), then ssh_free
using SessionPtr = std::unique_ptr<ssh_session_struct, CDeleter<ssh_session_struct, disconnect_and_free>>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, CDeleter<ssh_channel_struct, ssh_channel_free>>;

// A file descriptor, closed on destruction; -1 when none.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }

 private:
  int fd_;
};

// What makes two commands share a connection: the inventory name (so every
// message names the host it is about) and everything the handshake uses.
using Key = std::tuple<std::string, std::string, int, std::string, std::string, std::string>;
Key key_of(const Target& t);  // host_name, address, port, user, key_file, known_hosts

// Why a connection could not be opened; `error` is final (one line, with the host).
struct Failure {
  Outcome outcome = Outcome::Error;
  std::string error;
};

class Connection {
 public:
  enum class State { Opening, Ready, Failed };

  explicit Connection(Key k) : key(std::move(k)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;  // members close the session, then free the slot

  const Key key;

  // ---- Registry part: guarded by the registry's mutex (Attachment) ----
  State state = State::Opening;
  bool joinable = true;  // false once the server refused a channel on it or it broke
  int users = 0;         // attached commands, the opener included
  std::optional<Clock::time_point> connecting_since;  // the opener has its slot and is connecting
  Failure failure;                                    // when Failed

  // ---- Written by the opener before it publishes ready(), fixed afterwards ----
  std::shared_ptr<SessionSlots> slots;      // keeps lease's SessionSlots alive
  std::optional<SessionSlots::Lease> lease;  // the slot this connection counts against
  Fd wake;                                  // eventfd that interrupts the poll() in wait_io
  SessionPtr session;                       // declared last: closed first

  // ---- Guarded by mu ----
  std::mutex mu;            // every libssh call on `session` and its channels
  int channels_opened = 0;  // channels the server accepted on it so far
  int channels_live = 0;    // commands with a channel (open or being opened) on it now

  // With `lock` (on mu) held: waits, lock released, until the session may
  // have input for the caller, or `until`, or a short slice has passed (a
  // spurious return is harmless: the caller re-checks its channel). One
  // waiter at a time poll()s the socket; the others wait for it to report.
  void wait_io(std::unique_lock<std::mutex>& lock, Clock::time_point until);
  // With mu held: the socket has unread input (or hung up), so the next
  // libssh call may read packets for other channels too.
  bool input_pending();
  // With mu held: wakes every wait_io(). Call after a libssh call that may
  // have read packets for other channels, and when leaving the connection.
  void wake_all();

 private:
  std::condition_variable io_cv_;
  std::uint64_t generation_ = 0;  // bumped by wake_all
  bool polling_ = false;          // some thread is in wait_io's poll()
};

// One command's use of a connection of the registry; detaches on
// destruction (the last user closes the connection).
class Attachment {
 public:
  // Joins an open connection to `key` that takes channels, else one being
  // opened, else registers a new one with the caller as its opener.
  static Attachment attach(const Key& key);
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;
  ~Attachment();

  Connection& conn() const { return *conn_; }
  bool opener() const { return opener_; }

  // The opener: its slot is acquired and the handshake starts now.
  void connecting();
  // The opener: the session is open and authenticated (and non-blocking).
  void ready();
  // The opener: the connection failed; every waiter gets `f`, and no later
  // command joins it.
  void failed(Failure f);
  // No later command joins this connection (its server refused a channel,
  // or it broke); the commands on it go on.
  void close_to_new();

  struct Opened {
    Connection::State state;                      // Opening: the wait timed out
    Failure failure;                              // when Failed
    std::optional<Clock::time_point> connecting;  // when the opener started connecting
  };
  // A waiter: waits while the connection is being opened, until `deadline`
  // or, once the opener is connecting, `connect_timeout` after that.
  Opened wait_opened(Deadline deadline, std::optional<std::chrono::nanoseconds> connect_timeout) const;

 private:
  Attachment(std::shared_ptr<Connection> conn, bool opener) : conn_(std::move(conn)), opener_(opener) {}

  std::shared_ptr<Connection> conn_;
  bool opener_;
};

// For pool_stats (ssh_session.h).
PoolStats stats(const Key& key);

}  // namespace rr::ssh::detail
