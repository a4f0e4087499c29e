#pragma once
// Alertmanager's webhook payload, version 4, after strict validation.
// Real senders' bodies, and what they teach about the format, are in
// tests/fixtures/alertmanager/ (see its README).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/result.h"
#include "common/time.h"

namespace rr {

struct Alert {
  std::string status;  // "firing" or "resolved"
  LabelSet labels;
  LabelSet annotations;
  TimePoint starts_at;
  TimePoint ends_at;  // 0001-01-01 while firing
  std::string generator_url;
  std::string fingerprint;  // 16 hex characters from Alertmanager

  bool firing() const { return status == "firing"; }
  const std::string& name() const { return label_value(labels, "alertname"); }
};

struct Notification {
  std::string version;  // always "4"
  std::string receiver;
  std::string status;  // "firing" while any alert fires
  std::vector<Alert> alerts;
  LabelSet group_labels;
  LabelSet common_labels;
  LabelSet common_annotations;
  std::string external_url;  // differs between HA members: never a key
  std::string group_key;
  std::int64_t truncated_alerts = 0;
};

// Limits on what one payload may hold; anything beyond is rejected as
// malformed rather than trimmed, so nothing accepted is silently lost.
struct PayloadLimits {
  std::size_t max_alerts = 1000;
  std::size_t max_labels = 128;         // per map
  std::size_t max_value_bytes = 16384;  // per label, annotation or URL
};

// Parses and validates a webhook body. Unknown fields are accepted (newer
// Alertmanagers add some); missing or mistyped known fields are errors whose
// `where` names the field, e.g. "alerts[1].startsAt".
// Also rejected: anything but one JSON object, invalid UTF-8, nesting deeper
// than 32, NUL characters in any string kept, and an empty groupKey or
// fingerprint (where = "body" for the first three). Never throws.
Result<Notification> parse_notification(std::string_view body, const PayloadLimits& limits = {});

}  // namespace rr
