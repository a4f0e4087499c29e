#pragma once
// Findings from the container listing that steps/host/docker_ps.h's
// container_facts builds (its header documents the facts' shape).
//
// Findings (container_findings), critical:
//   `host.container_down`: the wanted container is listed and not running
//     (state other than "running"); with no wanted container, every listed
//     container whose name contains "nats" (any case) that is not running.
//     values host, container, state ("exited"), status ("Exited (1) 5
//     minutes ago"), image.
//   `host.container_missing`: a container is wanted and none of that name is
//     listed; values host, container. Not reported when the listing cannot
//     tell: nothing but unparsed lines (docker's own error), or truncated.
// Names match exactly (any of a container's comma-separated names).

#include <string>

#include <nlohmann/json.hpp>

#include "judge/step_facts.h"
#include "steps/host/docker_ps.h"

namespace rr::host {

// wanted_container: the NATS container's name ("titan-nats"), or "" for
// every non-running container named like NATS.
void container_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                        const std::string& wanted_container, FindingSet& out);

}  // namespace rr::host
