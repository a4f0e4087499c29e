#pragma once
// A stand-in for prometheus-nats-exporter, for the test that runs the
// shipped alerting rules (alertmanager/prometheus-rules.yml) in a real
// Prometheus. Users run NATS's own prometheus-nats-exporter, one beside each
// NATS server, with the flags in that file's header:
//   prometheus-nats-exporter -varz -routez -healthz -jsz=all -use_internal_server_name http://127.0.0.1:8222
// Debian packages no NATS exporter, so the test cannot start the real one.
// This stand-in only mirrors the series the rules read, with the real
// exporter's names, labels and values (default prefix, server_id = the
// server's name), and nothing else:
//
//   gnatsd_healthz_status{server_id}              0 when /healthz says "ok", else 1;
//                                                 absent when the server does not answer
//   gnatsd_healthz_status_value{server_id, value} value = /healthz's status, or
//                                                 "unreachable" when the server does not
//                                                 answer; 1 when "ok", else 0
//   gnatsd_routez_num_routes{server_id}           /routez num_routes; absent when no answer
//   gnatsd_varz_jetstream_stats_storage{server_id}
//   gnatsd_varz_jetstream_config_max_storage{server_id}   from /varz; absent when no answer
//   jetstream_server_total_streams, jetstream_server_max_storage
//     {server_id, server_name, cluster, domain, meta_leader, is_meta_leader}
//                                                 from /jsz (and /varz for the name)
//
// Not mirrored: the per-stream and per-consumer jsz series
// (jetstream_stream_*, jetstream_consumer_*), whose label sets depend on the
// exporter's flags and the streams' metadata; the alerts on them are covered
// by `promtool test rules` (alertmanager/prometheus-rules.test.yml).
//
// Like the real exporter it learns the server's name from /varz once, when
// it starts (waiting for the server to answer), and keeps answering GET
// /metrics when its server stops: /healthz is then "unreachable" and the
// series read from the other endpoints are left out.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace rr::test {

class NatsExporter {
 public:
  // `monitor_url`: one NATS server's monitoring endpoint, http://host:port.
  // Listening on a free loopback port when the constructor returns; throws
  // if the server's /varz does not name it within `timeout`.
  explicit NatsExporter(std::string monitor_url, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~NatsExporter();
  NatsExporter(const NatsExporter&) = delete;
  NatsExporter& operator=(const NatsExporter&) = delete;

  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }  // what Prometheus scrapes
  const std::string& server_id() const { return server_id_; }  // the server's name, as in the labels
  // What GET /metrics answers now (Prometheus text format 0.0.4).
  std::string metrics() const;

 private:
  std::string monitor_url_;
  std::string server_id_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace rr::test
