#include "judge/judge.h"

#include <algorithm>

#include "judge/nats_cluster_judge.h"
#include "judge/nats_consumer_judge.h"
#include "judge/nats_leafnodes_judge.h"
#include "judge/nats_storage_judge.h"
#include "judge/nats_stream_judge.h"
#include "judge/nats_stream_relief.h"
#include "judge/http_judge.h"
#include "judge/host_output_judge.h"
#include "judge/ssh_judge.h"

namespace rr {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Critical: return "critical";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
    case Severity::Ok: return "ok";
  }
  return "unknown";
}

const Thresholds& thresholds_of(const JudgeContext& ctx) {
  static const Thresholds defaults;
  return ctx.thresholds != nullptr ? *ctx.thresholds : defaults;
}

void Judges::add(std::unique_ptr<Judge> judge) {
  if (judge) judges_.push_back(std::move(judge));
}

std::vector<Finding> Judges::run(const std::vector<StepResult>& steps, const JudgeContext& ctx) const {
  std::vector<Finding> findings;
  for (const auto& judge : judges_) judge->judge(steps, ctx, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return findings;
}

Judges default_judges() {
  Judges judges;
  judges.add(std::make_unique<NatsClusterJudge>());
  judges.add(std::make_unique<NatsStreamJudge>());
  judges.add(std::make_unique<NatsStorageJudge>());
  judges.add(std::make_unique<NatsStreamReliefJudge>());
  judges.add(std::make_unique<NatsConsumerJudge>());
  judges.add(std::make_unique<NatsLeafnodesJudge>());
  judges.add(std::make_unique<HttpJudge>());
  judges.add(std::make_unique<HostOutputJudge>());
  judges.add(std::make_unique<SshJudge>());
  return judges;
}

}  // namespace rr
