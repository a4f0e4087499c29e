#pragma once
// Alertmanager v4 payloads built for integration tests, shaped like the
// captured samples in tests/fixtures/alertmanager/.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace rr::test {

inline nlohmann::json alert_payload(const std::string& group_key, const std::map<std::string, std::string>& labels,
                                    const std::string& status = "firing",
                                    const std::string& fingerprint = "0123456789abcdef") {
  nlohmann::json alert = {{"status", status},
                          {"labels", labels},
                          {"annotations", {{"summary", "test alert"}}},
                          {"startsAt", "2026-11-23T00:32:13.620287586Z"},
                          {"endsAt", "0001-01-01T00:00:00Z"},
                          {"generatorURL", "http://prometheus.example:9090/graph?g0.expr=up"},
                          {"fingerprint", fingerprint}};
  return {{"receiver", "responder"},
          {"status", status},
          {"alerts", nlohmann::json::array({alert})},
          {"groupLabels", {{"alertname", labels.count("alertname") ? labels.at("alertname") : ""}}},
          {"commonLabels", labels},
          {"commonAnnotations", nlohmann::json::object()},
          {"externalURL", "http://127.0.0.1:9093"},
          {"version", "4"},
          {"groupKey", group_key},
          {"truncatedAlerts", 0}};
}

}  // namespace rr::test
