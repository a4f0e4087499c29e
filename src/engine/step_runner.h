#pragma once
// Runs a triage's steps concurrently, each under its own deadline. A step
// that overruns is reported as a timeout at its deadline and left to finish
// on its own thread; everything that thread touches is kept alive by the
// shared pointers it holds, so nothing it reads can be freed under it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "steps/step.h"

namespace rr {

struct StepJob {
  std::string id;
  std::string kind;
  std::map<std::string, std::string> params;  // validated
  std::optional<std::string> refused;         // set: skipped, with this reason
  std::string target;                         // shown when skipped
  Deadline deadline;
  bool fresh = false;  // never answered from a shared read (engine/shared_reads.h)
};

// `cluster` may be null. Results come back in the order of `jobs`. A step
// whose thread cannot start, or that would start while 32 steps abandoned
// at their deadline are still running, is skipped with the reason.
std::vector<StepResult> run_steps(const std::vector<StepJob>& jobs, std::shared_ptr<const StepRegistry> registry,
                                  std::shared_ptr<const ClusterConfig> cluster);

// Steps abandoned at their deadline that are still running, in the process.
std::size_t abandoned_steps();

}  // namespace rr
