#pragma once
// A report as JSON, both ways. The same document is the generic webhook's
// body (schema version 1, notify/webhook/webhook.h), what `triage --format
// json` prints, what GET /reports/ID?format=json serves, and how the state
// store keeps a report until every target has it.

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "report/report.h"

namespace rr {

nlohmann::json report_to_json(const Report& report);

// report_to_json() as text. Invalid UTF-8 in any string is replaced, never thrown on.
std::string report_to_json_text(const Report& report, int indent = -1);

// The inverse, for documents this version wrote: every key of the schema
// must be there with its type. Keys it does not know are ignored. Times
// keep millisecond precision.
Result<Report> report_from_json(const nlohmann::json& doc);
Result<Report> report_from_json_text(const std::string& text);

}  // namespace rr
