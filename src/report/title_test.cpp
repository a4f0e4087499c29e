#include <catch2/catch.hpp>

#include "report/title.h"

namespace rr {
namespace {

Alert alert(std::string status) {
  Alert a;
  a.status = std::move(status);
  return a;
}

TEST_CASE("firing title counts firing alerts and lists group values alertname first") {
  Notification n;
  n.status = "firing";
  n.alerts = {alert("firing"), alert("resolved"), alert("firing")};
  n.group_labels = {{"cluster", "cim"}, {"alertname", "EventStreamDisconnected"}, {"zone", "b"}};
  CHECK(alert_title(n) == "[FIRING:2] EventStreamDisconnected cim b");
}

TEST_CASE("resolved title has no count") {
  Notification n;
  n.status = "resolved";
  n.alerts = {alert("resolved")};
  n.group_labels = {{"alertname", "A"}, {"cluster", "c"}};
  CHECK(alert_title(n) == "[RESOLVED] A c");
}

TEST_CASE("without group labels the common alertname is used") {
  Notification n;
  n.status = "firing";
  n.alerts = {alert("firing")};
  n.common_labels = {{"alertname", "NatsServerDown"}, {"server", "n1"}};
  CHECK(alert_title(n) == "[FIRING:1] NatsServerDown");
  n.common_labels.clear();
  CHECK(alert_title(n) == "[FIRING:1]");
}

TEST_CASE("empty group label values leave no double spaces") {
  CHECK(alert_title("firing", 3, {{"alertname", "A"}, {"b", ""}, {"c", "x"}}) == "[FIRING:3] A x");
}

}  // namespace
}  // namespace rr
