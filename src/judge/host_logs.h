#pragma once
// Findings from the NATS log facts that steps/host/journal_lines.h's
// log_facts builds (its header documents the facts' shape).
//
// Findings (log_findings): `host.log.<category>` with the category's
// severity; values category, count, first_seen, last_seen, host (and
// reasons, "Client Closed x3, Read Error x1", when there are any;
// stream_corrupt also stream, the stream its lines name most).

#include <string>

#include <nlohmann/json.hpp>

#include "judge/finding.h"
#include "judge/step_facts.h"
#include "steps/host/journal_lines.h"

namespace rr::host {

// The finding severity of a log category's.
Severity finding_severity(LogSeverity s);

// Findings from log_facts' shape (facts from elsewhere are read defensively).
void log_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                  FindingSet& out);

}  // namespace rr::host
