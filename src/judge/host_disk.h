#pragma once
// Findings from the disk usage facts that steps/host/df_output.h's
// disk_facts builds (its header documents the facts' shape).
//
// Findings (disk_findings): `host.disk_high`, warning at or above
// warning_percent, critical at or above critical_percent; values host,
// mount, percent ("95"), avail ("2.6G"), filesystem.

#include <string>

#include <nlohmann/json.hpp>

#include "judge/step_facts.h"
#include "steps/host/df_output.h"

namespace rr::host {

struct DiskThresholds {
  double warning_percent = 80;
  double critical_percent = 95;
};

void disk_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                   const DiskThresholds& thresholds, FindingSet& out);

}  // namespace rr::host
