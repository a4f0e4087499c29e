#include "report/title.h"

#include <algorithm>

namespace rr {

std::string alert_title(std::string_view status, std::size_t firing, const LabelSet& group_labels,
                        const LabelSet& fallback) {
  std::string title = status == "firing" ? "[FIRING:" + std::to_string(firing) + "]" : "[RESOLVED]";
  auto append = [&title](const std::string& value) {
    if (value.empty()) return;
    title += ' ';
    title += value;
  };
  if (group_labels.empty()) {
    append(label_value(fallback, "alertname"));
    return title;
  }
  append(label_value(group_labels, "alertname"));
  for (const auto& [name, value] : group_labels) {
    if (name != "alertname") append(value);
  }
  return title;
}

std::string alert_title(const Notification& notification) {
  auto firing = std::count_if(notification.alerts.begin(), notification.alerts.end(),
                              [](const Alert& a) { return a.firing(); });
  return alert_title(notification.status, static_cast<std::size_t>(firing), notification.group_labels,
                     notification.common_labels);
}

}  // namespace rr
