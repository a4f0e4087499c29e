// The shipped alerting rules in a real Prometheus, end to end (issue #12):
// a real 3-node NATS cluster, one stand-in prometheus-nats-exporter beside
// each node (support/nats_exporter.h: the series the rules read, with the
// real exporter's names and labels), a real Prometheus scraping them with
// alertmanager/prometheus-rules.yml loaded (its `for:` shortened), a real
// Alertmanager posting to the responder, and a sink for the reports. Nothing
// fires an alert by hand: when a node stops, Prometheus must work out
// EventStreamDisconnected from the scraped series with the labels the
// responder's rule reads, and the report must name that node.

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/cim_responder.h"
#include "integration/report_reading.h"
#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/nats_exporter.h"
#include "support/prometheus.h"
#include "support/skip.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

// The EventStreamDisconnected alerts of the event-stream-disconnected
// reports the JSON webhook received, in order.
std::vector<json> disconnected_alerts(const HttpSink& sink) {
  std::vector<json> out;
  for (const json& report : webhook_reports(sink)) {
    if (report["rule"] != "event-stream-disconnected") continue;
    for (const json& alert : report["alerts"])
      if (alert["name"] == "EventStreamDisconnected") out.push_back(alert);
  }
  return out;
}

// The first triage report with an alert whose server_name is `server`.
std::optional<json> report_naming(const HttpSink& sink, const std::string& server) {
  for (const json& report : webhook_reports(sink)) {
    if (report["kind"] != "triage") continue;
    for (const json& alert : report["alerts"])
      if (alert["labels"].value("server_name", "") == server) return report;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("Prometheus fires EventStreamDisconnected from the exporters' series, and the report names the stopped node") {
  RR_REQUIRE_OR_SKIP(Prometheus::available(), Prometheus::why_unavailable());

  NatsCluster nats(3);
  create_stream({{nats.client_url(0)}, "app", "app"}, "CIM-EVENTS", "cim.events.>", 3);
  std::vector<std::unique_ptr<NatsExporter>> exporters;
  std::vector<std::string> targets;
  for (int i = 0; i < nats.size(); ++i) {
    exporters.push_back(std::make_unique<NatsExporter>(nats.monitor_url(i)));
    targets.push_back(exporters.back()->target());
  }

  HttpSink sink;
  TempDir dir;
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(cim_responder_config(nats, sink, dir));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  Prometheus prometheus({.cim_nats_targets = targets, .alertmanager_url = am.url()});

  // Every node scraped, healthy and routed, before anything happens.
  const bool scraped = wait_until(
      [&] {
        return prometheus.query("gnatsd_healthz_status_value{job=\"cim-nats\", value=\"ok\"} == 1").size() == 3 &&
               prometheus.query("gnatsd_routez_num_routes{job=\"cim-nats\"} > 0").size() == 3;
      },
      std::chrono::seconds(30));
  INFO(prometheus.log());
  REQUIRE(scraped);

  const std::string stopped = nats.name(2);
  nats.stop(2);

  const bool reported = wait_until([&] { return report_naming(sink, stopped).has_value(); }, std::chrono::seconds(60));
  std::string received;  // what did arrive, for a failing run: each report's rule and alerts' server_name
  for (const json& r : webhook_reports(sink)) {
    received += "\n  " + r.value("rule", std::string()) + ":";
    for (const json& a : r["alerts"]) received += " " + a["labels"].value("server_name", std::string("-"));
  }
  INFO("reports received:" << (received.empty() ? " none" : received));
  INFO("prometheus alerts: " << prometheus.alerts());
  INFO("exporter of " << stopped << ":\n" << exporters[2]->metrics());
  INFO(am.log());
  INFO(responder.log());
  REQUIRE(reported);

  const json report = *report_naming(sink, stopped);
  INFO(report.dump(2));
  CHECK(report["rule"] == "event-stream-disconnected");
  CHECK(report["cluster"] == "cim");

  // The alert as Prometheus built it from the stopped node's exporter.
  const auto alerts = disconnected_alerts(sink);
  REQUIRE_FALSE(alerts.empty());
  for (const json& alert : alerts) {
    // Only the stopped node: the two that run are neither unreachable nor unrouted.
    CHECK(alert["labels"].value("server_name", "") == stopped);
    CHECK(alert["labels"].value("instance", "") == exporters[2]->target());
    CHECK(alert["labels"].value("job", "") == "cim-nats");
    CHECK(alert["labels"].value("cluster", "") == "cim");
    CHECK(alert["labels"].value("severity", "") == "critical");
    CHECK(alert["labels"].value("stream", "") == "CIM-EVENTS");
    CHECK(alert["summary"].get<std::string>().find("NATS server " + stopped + " ") != std::string::npos);
  }

  // The responder's own reads agree: that node is down.
  bool named_down = false;
  for (const auto& f : report["findings"])
    if (f["code"] == "nats.server_down" && f["title"].get<std::string>().find(stopped) != std::string::npos)
      named_down = true;
  CHECK(named_down);
  CHECK(report["verdict"].get<std::string>().find(stopped) != std::string::npos);
  CHECK(sink.violations().empty());
}
