#include "judge/step_facts.h"

#include <algorithm>

namespace rr {

std::vector<const StepResult*> results_of_kind(const std::vector<StepResult>& steps, std::string_view kind) {
  std::vector<const StepResult*> out;
  for (const auto& s : steps) {
    if (s.kind == kind && s.status == StepStatus::Ok && s.facts.is_object()) out.push_back(&s);
  }
  return out;
}

void FindingSet::add(Finding finding, const std::string& about) {
  std::string key = finding.code + "|" + about;
  auto it = index_.find(key);
  if (it == index_.end()) {
    index_[key] = findings_.size();
    findings_.push_back(std::move(finding));
    return;
  }
  auto& evidence = findings_[it->second].evidence;
  for (auto& e : finding.evidence) {
    if (std::find(evidence.begin(), evidence.end(), e) == evidence.end()) evidence.push_back(std::move(e));
  }
}

void FindingSet::move_to(std::vector<Finding>& out) {
  for (auto& f : findings_) out.push_back(std::move(f));
  findings_.clear();
  index_.clear();
}

}  // namespace rr
