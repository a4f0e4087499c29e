#include "steps/ssh/connection.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <vector>

namespace rr::ssh::detail {
namespace {

using namespace std::chrono_literals;

// The longest wait_io() sleeps without news; a safety net only, since
// input and wake_all() end it at once.
constexpr std::chrono::milliseconds kWaitSlice{250};

struct Registry {
  std::mutex mu;
  std::condition_variable changed;  // a connection started connecting, or left Opening
  std::map<Key, std::vector<std::shared_ptr<Connection>>> open;
};

// Never destroyed: a step abandoned at its deadline may still be detaching
// while the process exits.
template <class T>
union NoDestroy {
  T value;
  NoDestroy() : value() {}
  ~NoDestroy() {}
};

Registry& registry() {
  static NoDestroy<Registry> r;
  return r.value;
}

// With the registry's mutex held.
void unregister(Registry& reg, const std::shared_ptr<Connection>& conn) {
  auto it = reg.open.find(conn->key);
  if (it == reg.open.end()) return;
  auto& list = it->second;
  list.erase(std::remove(list.begin(), list.end(), conn), list.end());
  if (list.empty()) reg.open.erase(it);
}

}  // namespace

void disconnect_and_free(ssh_session s) {
  ssh_disconnect(s);
  ssh_free(s);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Key key_of(const Target& t) { return {t.host_name, t.address, t.port, t.user, t.key_file, t.known_hosts}; }

void Connection::wait_io(std::unique_lock<std::mutex>& lock, Clock::time_point until) {
  const auto now = Clock::now();
  const auto end = std::min(until, now + kWaitSlice);
  if (end <= now) return;
  if (polling_) {
    const std::uint64_t seen = generation_;
    io_cv_.wait_until(lock, end, [&] { return generation_ != seen || !polling_; });
    return;
  }
  polling_ = true;
  std::uint64_t drained;
  while (::read(wake.get(), &drained, sizeof drained) > 0) {
  }
  // A closed socket is -1, which poll() skips.
  pollfd fds[2] = {{ssh_get_fd(session.get()), POLLIN, 0}, {wake.get(), POLLIN, 0}};
  if (ssh_get_status(session.get()) & SSH_WRITE_PENDING) fds[0].events |= POLLOUT;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(end - now).count();
  lock.unlock();
  ::poll(fds, 2, static_cast<int>(std::max<long>(ms, 1)));
  lock.lock();
  polling_ = false;
  // The caller's next libssh call reads what arrived and, through
  // wake_all(), tells the others.
}

bool Connection::input_pending() {
  pollfd p{ssh_get_fd(session.get()), POLLIN, 0};
  return p.fd >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

void Connection::wake_all() {
  ++generation_;
  io_cv_.notify_all();
  if (polling_ && wake.get() >= 0) {
    const std::uint64_t one = 1;
    if (::write(wake.get(), &one, sizeof one) < 0) {
      // Full (never, in practice) or closed: the poller's slice ends it.
    }
  }
}

Attachment Attachment::attach(const Key& key) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  auto& list = reg.open[key];
  for (Connection::State wanted : {Connection::State::Ready, Connection::State::Opening}) {
    for (const auto& c : list) {
      if (c->state == wanted && c->joinable) {
        ++c->users;
        return Attachment(c, false);
      }
    }
  }
  auto c = std::make_shared<Connection>(key);
  c->users = 1;
  list.push_back(c);
  return Attachment(std::move(c), true);
}

Attachment::~Attachment() {
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    if (--conn_->users == 0) unregister(reg, conn_);
  }
  // conn_ goes after the lock: when it is the last reference, the session
  // is disconnected here, by the last user.
}

void Attachment::connecting() {
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    conn_->connecting_since = Clock::now();
  }
  reg.changed.notify_all();
}

void Attachment::ready() {
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    conn_->state = Connection::State::Ready;
  }
  reg.changed.notify_all();
}

void Attachment::failed(Failure f) {
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    conn_->state = Connection::State::Failed;
    conn_->failure = std::move(f);
    unregister(reg, conn_);
  }
  reg.changed.notify_all();
}

void Attachment::close_to_new() {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  conn_->joinable = false;
}

Attachment::Opened Attachment::wait_opened(Deadline deadline,
                                           std::optional<std::chrono::nanoseconds> connect_timeout) const {
  Registry& reg = registry();
  std::unique_lock lock(reg.mu);
  while (conn_->state == Connection::State::Opening) {
    auto until = deadline.at();
    if (conn_->connecting_since && connect_timeout)
      until = std::min(until, *conn_->connecting_since + std::chrono::duration_cast<Clock::duration>(*connect_timeout));
    if (Clock::now() >= until) break;
    reg.changed.wait_until(lock, until);
  }
  return Opened{conn_->state, conn_->failure, conn_->connecting_since};
}

PoolStats stats(const Key& key) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  PoolStats s;
  auto it = reg.open.find(key);
  if (it == reg.open.end()) return s;
  for (const auto& c : it->second) {
    ++s.connections;
    s.commands += c->users;
  }
  return s;
}

}  // namespace rr::ssh::detail
