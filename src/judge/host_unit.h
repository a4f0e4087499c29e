#pragma once
// Findings from the systemd unit facts that steps/host/systemctl_output.h's
// unit_facts builds (its header documents the facts' shape).
//
// Findings (unit_findings): `host.unit_down`, critical when the unit is
// found and not active; `host.unit_missing`, warning, when the unit does not
// exist (the unit name may be wrong: Debian's is nats-server, the runbooks
// say nats). values
// host, unit, state ("failed (Result: exit-code)", "inactive (dead)",
// "not-found"), since.

#include <string>

#include <nlohmann/json.hpp>

#include "judge/step_facts.h"
#include "steps/host/systemctl_output.h"

namespace rr::host {

void unit_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                   FindingSet& out);

}  // namespace rr::host
