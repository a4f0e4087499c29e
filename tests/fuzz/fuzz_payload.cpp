// Alertmanager webhook bodies (src/intake/payload): parse_notification, then
// what the triage reads of a notification: each alert's labels turned into
// the placeholder scope and rendered into a suggested command.

#include <string>

#include "fuzz_util.h"
#include "intake/payload/notification.h"
#include "rules/template.h"

namespace {

// engine/triage.cpp alert_scope(), for a cluster named "cim".
rr::TemplateScope alert_scope(const rr::Alert& alert) {
  rr::TemplateScope scope;
  for (const auto& [k, v] : alert.labels) scope["labels." + k] = v;
  for (const auto& [k, v] : alert.annotations) scope["annotations." + k] = v;
  scope["alert.name"] = alert.name();
  scope["cluster.name"] = "cim";
  return scope;
}

void check_labels(const rr::LabelSet& set, const rr::PayloadLimits& limits) {
  RR_FUZZ_CHECK(set.size() <= limits.max_labels);
  for (const auto& [k, v] : set) {
    RR_FUZZ_CHECK(rr::fuzz::valid_utf8(k) && rr::fuzz::valid_utf8(v));
    RR_FUZZ_CHECK(k.find('\0') == std::string::npos && v.find('\0') == std::string::npos);
    RR_FUZZ_CHECK(v.size() <= limits.max_value_bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto command =
      rr::Template::parse("nats stream info {{ labels.stream | name }} --server {{ labels.instance | default n1 }}")
          .value();
  const rr::PayloadLimits limits;
  auto parsed = rr::parse_notification(rr::fuzz::text_of(data, size), limits);
  if (!parsed) {
    RR_FUZZ_CHECK(!parsed.error().message.empty());
    (void)parsed.error().to_string();
    return 0;
  }
  const rr::Notification& n = *parsed;
  // The documented promises of an accepted payload.
  RR_FUZZ_CHECK(!n.group_key.empty());
  RR_FUZZ_CHECK(n.alerts.size() <= limits.max_alerts);
  check_labels(n.group_labels, limits);
  check_labels(n.common_labels, limits);
  check_labels(n.common_annotations, limits);
  for (const rr::Alert& alert : n.alerts) {
    RR_FUZZ_CHECK(!alert.fingerprint.empty());
    check_labels(alert.labels, limits);
    check_labels(alert.annotations, limits);
    (void)alert.firing();
    auto rendered = command.render(alert_scope(alert), rr::ValueType::Word, rr::Template::Quoting::Shell);
    if (rendered) RR_FUZZ_CHECK(rr::fuzz::valid_utf8(*rendered));
  }
  return 0;
}
