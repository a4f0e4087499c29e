#pragma once
// The generic JSON webhook target and its schema, version 1. The same JSON
// is printed by `runbook-responder triage --format json`.
//
// POST <url>, Content-Type: application/json, one object:
//
//   version           1 (integer; bumped only on incompatible changes)
//   id                string, unique per report
//   kind              "triage" | "resolution" | "unmatched"
//   status            "firing" | "resolved"
//   title             string, e.g. "[FIRING:2] EventStreamDisconnected cim"
//   group_key         Alertmanager's groupKey
//   receiver          Alertmanager's receiver name
//   alerts            [{ name, status, fingerprint, labels {string: string},
//                        summary, starts_at (RFC 3339), rule ("" if none) }]
//   rule              first matched rule, "" if none
//   cluster           cluster the steps ran against, "" if none
//   verdict           one line
//   summary           same as verdict (for consumers that expect "summary")
//   severity          worst finding: "critical" | "warning" | "info" | "ok"
//   findings          [{ severity, code, title, detail, evidence [string] }],
//                     most severe first
//   steps             [{ id, kind, target, status ("ok" | "failed" | "timeout"
//                        | "skipped"), duration_ms (integer), summary, output }]
//   suggestions       [{ command, why, risk }]: commands for a human; never run
//   links             [{ title, url }]: http(s) URLs only
//   url               the full report page, "" when no external_url is set
//   group_labels, common_labels   {string: string}, as Alertmanager sent them
//   truncated_alerts  integer, alerts Alertmanager left out (max_alerts)
//   created           RFC 3339 UTC with milliseconds
//   triage_duration_ms integer
// and `values` {string: string} in each finding (what suggestions are filled from).
//
// Every key is always present. Unknown keys may be
// added in version 1; consumers must ignore them. The target succeeds on any 2xx.
// report/report_json.h writes and reads this document.

#include <memory>
#include <string>

#include "notify/notifier.h"
#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// `type: webhook`, option `url` (or url_file, url_env).
extern const TargetType kWebhookTarget;

}  // namespace rr
