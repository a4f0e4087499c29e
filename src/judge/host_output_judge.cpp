#include "judge/host_output_judge.h"

#include "judge/host_containers.h"
#include "judge/host_disk.h"
#include "judge/host_logs.h"
#include "judge/host_snapshots.h"
#include "judge/host_unit.h"
#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

// The findings from one host's parsed outputs; `fallback_host` names it
// when the facts do not.
void judge_host(const nlohmann::json& facts, const std::string& fallback_host, const std::string& step_id,
                const host::DiskThresholds& disk, FindingSet& set) {
  if (!facts.is_object()) return;
  std::string host = nats::one_line(nats::get_string(facts, "host"), 128);
  if (host.empty()) host = fallback_host;
  if (const auto& v = nats::field(facts, "host_logs"); v.is_object()) host::log_findings(v, host, step_id, set);
  if (const auto& v = nats::field(facts, "host_disk"); v.is_object()) host::disk_findings(v, host, step_id, disk, set);
  if (const auto& v = nats::field(facts, "host_unit"); v.is_object()) host::unit_findings(v, host, step_id, set);
  if (const auto& v = nats::field(facts, "host_snapshots"); v.is_object())
    host::snapshot_findings(v, host, step_id, set);
  if (const auto& v = nats::field(facts, "host_containers"); v.is_object())
    host::container_findings(v, host, step_id, nats::one_line(nats::get_string(facts, "container"), 128), set);
}

}  // namespace

void HostOutputJudge::judge(const std::vector<StepResult>& steps, const JudgeContext& ctx,
                            std::vector<Finding>& out) const {
  const Thresholds& t = thresholds_of(ctx);
  const host::DiskThresholds disk{t.storage_warning * 100, t.storage_critical * 100};
  FindingSet set;
  for (const auto& s : steps) {
    if (s.status != StepStatus::Ok || !s.facts.is_object()) continue;
    std::string fallback = nats::one_line(s.target.empty() ? s.id : s.target, 128);
    judge_host(s.facts, fallback, s.id, disk, set);
    if (const auto& hosts = nats::field(s.facts, "hosts"); hosts.is_array())
      for (const auto& h : hosts) judge_host(h, fallback, s.id, disk, set);
  }
  set.move_to(out);
}

}  // namespace rr
