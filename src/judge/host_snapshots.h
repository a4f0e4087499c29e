#pragma once
// Findings from the old snapshot file listing that steps/host/find_output.h's
// snapshot_facts builds (its header documents the facts' shape).
//
// Findings (snapshot_findings): `host.old_snapshots`, a warning when the
// listing holds at least one file; values host, count ("12"), total ("1.5
// GiB", "unknown" when find printed no sizes), oldest (the oldest file's
// path, else the first listed, else ""). One finding per host.

#include <string>

#include <nlohmann/json.hpp>

#include "judge/step_facts.h"
#include "steps/host/find_output.h"

namespace rr::host {

void snapshot_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                       FindingSet& out);

}  // namespace rr::host
