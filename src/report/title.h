#pragma once
// A report's title in Alertmanager's default style, so a chat message reads
// like the e-mails and pages people already know:
//   "[FIRING:2] EventStreamDisconnected cim"   "[RESOLVED] EventStreamDisconnected cim"

#include <cstddef>
#include <string>
#include <string_view>

#include "common/labels.h"
#include "intake/payload/notification.h"

namespace rr {

// `status` "firing" gives "[FIRING:<firing>]", anything else "[RESOLVED]",
// followed by the group label values, alertname first, then by label name
// (Alertmanager's SortedPairs order). With no group labels the alertname of
// `fallback` is used, if any.
std::string alert_title(std::string_view status, std::size_t firing, const LabelSet& group_labels,
                        const LabelSet& fallback = {});

// The title for a notification: counts its firing alerts and falls back to
// its common labels.
std::string alert_title(const Notification& notification);

}  // namespace rr
