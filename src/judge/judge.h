#pragma once
// Judging turns the facts of a triage's steps into findings. Each judge
// looks at the step kinds it understands and ignores the rest.

#include <memory>
#include <vector>

#include "config/config.h"
#include "config/thresholds.h"
#include "judge/finding.h"
#include "steps/step.h"

namespace rr {

struct JudgeContext {
  const ClusterConfig* cluster = nullptr;  // may be null
  const Thresholds* thresholds = nullptr;  // null: the defaults
};

// ctx.thresholds, or the documented defaults.
const Thresholds& thresholds_of(const JudgeContext& ctx);

class Judge {
 public:
  virtual ~Judge() = default;
  virtual void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                     std::vector<Finding>& out) const = 0;
};

class Judges {
 public:
  void add(std::unique_ptr<Judge> judge);
  // Findings of every judge, most severe first (stable within a severity).
  std::vector<Finding> run(const std::vector<StepResult>& steps, const JudgeContext& ctx) const;

 private:
  std::vector<std::unique_ptr<Judge>> judges_;
};

Judges default_judges();

}  // namespace rr
