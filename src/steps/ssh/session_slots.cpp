#include "steps/ssh/ssh_session.h"

#include <algorithm>

namespace rr::ssh {

SessionSlots::SessionSlots(int max) : max_(std::max(max, 1)) {}

SessionSlots::Lease& SessionSlots::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (slots_) slots_->release();
    slots_ = other.slots_;
    other.slots_ = nullptr;
  }
  return *this;
}

SessionSlots::Lease::~Lease() {
  if (slots_) slots_->release();
}

std::optional<SessionSlots::Lease> SessionSlots::acquire(Deadline deadline) {
  std::unique_lock lock(mu_);
  if (!freed_.wait_until(lock, deadline.at(), [this] { return in_use_ < max_; })) return std::nullopt;
  ++in_use_;
  return Lease(this);
}

int SessionSlots::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

void SessionSlots::release() {
  {
    std::lock_guard lock(mu_);
    --in_use_;
  }
  freed_.notify_one();
}

}  // namespace rr::ssh
