#pragma once
// The PagerDuty target: Events API v2. One incident per alert group.
//
//   notify:
//     - name: pager
//       type: pagerduty
//       routing_key_file: /etc/runbook-responder/pagerduty-key   # or routing_key_env; a secret
//       api_url: https://events.pagerduty.com/v2/enqueue          # optional (the default)
//       source: nats-prod                                         # optional
//
// POST <api_url>, Content-Type: application/json, one event:
//
//   routing_key    the integration key (32 characters): the credential; it is
//                  in the body only, never in an error or a log line
//   event_action   "trigger" for a triage or an unmatched report; "resolve"
//                  when the whole group resolved (report status "resolved")
//   dedup_key      "rr-" + lowercase hex SHA-256 of the groupKey: the trigger
//                  and the resolve of a group name the same incident, and
//                  "rr-" keeps it apart from Alertmanager's own PagerDuty key
//                  (the bare hash), should both page the same service
//   payload        (trigger only)
//     summary        "<title> — <verdict>", one line, at most 1024 characters
//     source         the report's cluster, else the `source` option, else
//                    "runbook-responder"
//     severity       critical | warning from the worst finding; when no
//                    finding is warning or critical, the alerts' common
//                    `severity` label if it is critical, error, warning or
//                    info, else warning
//     timestamp      when the report was made (RFC 3339)
//     component      the cluster; group: the rule; class: the alertname
//     custom_details the report: verdict, severity, kind, status, rule,
//                    cluster, report id and URL, findings (with evidence),
//                    suggestions (with their commands), steps (summaries, no
//                    output), alerts, truncated_alerts; and `left_out`, a
//                    note saying what was trimmed, when it was
//   links          [{href, text}]: the report's http(s) links (the full
//                  report page first when the responder has one)
//   client         "Runbook Responder"; client_url: the report page, when set
//
// A resolve carries routing_key, event_action and dedup_key only. Partial
// resolutions (the group still firing) and progress notices are not sent:
// the incident stays open until the whole group resolves.
//
// Limits (the Events API v2 documentation): events up to 512 KB, so custom_details are trimmed
// to fit, keeping the verdict, the worst findings and the suggested
// commands first. Success is 202 (any 2xx); 400 is final, 429 and 5xx are
// retried (about 120 events a minute per routing key). A refusal's message
// and errors are quoted in Delivery::error, with the routing key removed.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

struct PagerdutyLimits {
  std::size_t max_event_bytes = 500 * 1000;  // the service's 512 KB, with margin
  std::size_t summary = 1024;                // bytes; never more characters than that
  std::size_t text = 4096;                   // verdict, a finding's detail, a command
  std::size_t line = 1024;                   // titles, evidence lines, step and alert summaries
  std::size_t evidence = 20;                 // evidence lines per finding
  std::size_t links = 20;
  std::size_t link_url = 2048;               // longer links are left out
};

// "rr-" + sha256_hex(group_key): 67 characters.
std::string pagerduty_dedup_key(std::string_view group_key);

// critical | error | warning | info, as described above.
std::string pagerduty_severity(const Report& report);

// The trigger event for `report`, routing key included (its size counts).
// `default_source` is the target's `source` option ("" when not set).
nlohmann::ordered_json render_pagerduty_trigger(const Report& report, std::string_view routing_key,
                                                std::string_view default_source = "",
                                                const PagerdutyLimits& limits = {});

// The resolve event for the report's group.
nlohmann::ordered_json render_pagerduty_resolve(const Report& report, std::string_view routing_key);

// `type: pagerduty`: options routing_key (required), api_url, source.
extern const TargetType kPagerdutyTarget;

}  // namespace rr
