#pragma once
// The responder as the integration tests run it against the CIM cluster:
// the shipped rules, the cluster `cim` (alerts labelled cluster=cim), a
// Slack stand-in and a JSON webhook on an HttpSink, Alertmanager's bearer
// token. The NATS password comes from RR_TEST_NATS_PASSWORD.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http_sink.h"
#include "support/nats_cluster.h"
#include "support/process.h"

namespace rr::test {

inline std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", \"" : "\"") + i + "\"";
  return out + "]";
}

// `extra` is appended as is (more top-level keys, e.g. thresholds).
inline std::string cim_responder_config(const NatsCluster& nats, const HttpSink& sink, const TempDir& dir,
                                        const std::string& extra = "") {
  write_file(dir / "token", "am-to-responder\n");
  write_file(dir / "slack-url", sink.url("/slack/T000/B000/XXXX") + "\n");
  std::vector<std::string> servers, monitors;
  for (int i = 0; i < nats.size(); ++i) {
    servers.push_back(nats.client_url(i));
    monitors.push_back(nats.monitor_url(i));
  }
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
         "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
         "clusters:\n"
         "  - name: cim\n"
         "    match: {cluster: cim}\n"
         "    servers: " + quoted_list(servers) + "\n"
         "    monitor: " + quoted_list(monitors) + "\n"
         "    user: jsro\n"
         "    password_env: RR_TEST_NATS_PASSWORD\n"
         "notify:\n"
         "  - {name: oncall, type: slack, url_file: " + (dir / "slack-url").string() + "}\n"
         "  - {name: archive, type: webhook, url: \"" + sink.url("/webhook-json") + "\"}\n"
         "engine: {workers: 2, queue: 64, cooldown: 5m, step_timeout: 4s, deadline: 15s}\n" + extra;
}

// The reports the JSON webhook received, in order.
inline std::vector<nlohmann::json> webhook_reports(const HttpSink& sink) {
  std::vector<nlohmann::json> out;
  for (const auto& r : sink.requests("/webhook-json")) out.push_back(nlohmann::json::parse(r.body));
  return out;
}

}  // namespace rr::test
