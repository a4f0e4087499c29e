#pragma once
// A NATS step kind that borrows its connections from a pool shared by every
// kind add_nats_steps() registers (connection_pool.h). Built without a pool
// (as unit tests do), each run opens and closes its own connection.

#include <memory>
#include <utility>

#include "steps/step.h"

namespace rr::nats {

class ConnectionPool;

class PooledStep : public StepKind {
 public:
  explicit PooledStep(std::shared_ptr<ConnectionPool> pool = nullptr) : pool_(std::move(pool)) {}

 protected:
  ConnectionPool* pool() const { return pool_.get(); }  // may be null; owned with the other kinds

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace rr::nats
