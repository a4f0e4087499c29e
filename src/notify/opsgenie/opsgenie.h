#pragma once
// The Opsgenie target: the Alert API. One Opsgenie alert per alert group.
// Opsgenie is sold no more and its support ends in 2027: this target is for
// teams still on it; prefer PagerDuty for new setups.
//
//   notify:
//     - name: genie
//       type: opsgenie
//       api_key_file: /etc/runbook-responder/opsgenie-key   # or api_key_env; a secret
//       api_url: https://api.eu.opsgenie.com                # optional; default https://api.opsgenie.com
//
// Trigger (a triage or an unmatched report):
//   POST <api_url>/v2/alerts, Authorization: GenieKey <api_key>,
//   Content-Type: application/json:
//     message      the report's title, one line, at most 130 characters
//     alias        "rr-" + lowercase hex SHA-256 of the groupKey: Opsgenie's
//                  de-duplication key, so repeats add to one alert
//     description  the plain-text report (render_text), at most 15,000
//                  characters: when longer, steps, alerts and links go before
//                  the verdict, the worst findings and the suggested
//                  commands, and a last line says what was left out
//     priority     P1 when the worst finding is critical, P3 warning, else P5
//     tags         "runbook-responder", the rule, the cluster (those set)
//     details      {cluster, rule, verdict, report_url}: those set, short
//     entity       the cluster; source: "runbook-responder"
// Resolution of the whole group (report status "resolved"):
//   POST <api_url>/v2/alerts/<alias>/close?identifierType=alias
//     {"source": "runbook-responder", "note": <verdict>}
// Partial resolutions (the group still firing) and progress notices are not
// sent. Opsgenie answers 202 and processes the request later; 429 and 5xx
// are retried, every other refusal is final and its message is quoted in
// Delivery::error (never the key).

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "notify/target_type.h"
#include "report/report.h"

namespace rr {

// Opsgenie's documented field limits, in characters.
struct OpsgenieLimits {
  std::size_t message = 130;
  std::size_t description = 15000;
  std::size_t tag = 50;
  std::size_t details_value = 1000;  // each; Opsgenie allows 8000 for keys and values together
  std::size_t entity = 512;
  std::size_t note = 1000;           // the close note (Opsgenie allows 25,000)
};

// "rr-" + sha256_hex(group_key): 67 characters (Opsgenie allows 512).
std::string opsgenie_alias(std::string_view group_key);

// "P1", "P3" or "P5" from the worst finding.
std::string opsgenie_priority(const Report& report);

// The plain-text description, at most `max_chars` characters.
std::string opsgenie_description(const Report& report, std::size_t max_chars);

// The body of POST /v2/alerts.
nlohmann::ordered_json render_opsgenie_alert(const Report& report, const OpsgenieLimits& limits = {});

// The body of POST /v2/alerts/<alias>/close?identifierType=alias.
nlohmann::ordered_json render_opsgenie_close(const Report& report, const OpsgenieLimits& limits = {});

// `type: opsgenie`: options api_key (required), api_url.
extern const TargetType kOpsgenieTarget;

}  // namespace rr
