#pragma once
// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a
// free loopback port, delivering to one webhook URL, fed with amtool.

#include <map>
#include <optional>
#include <string>

#include "support/process.h"

namespace rr::test {

class Alertmanager {
 public:
  struct Options {
    std::string webhook_url;                 // where notifications go
    std::optional<std::string> bearer_token; // sent as Authorization: Bearer
    std::string group_wait = "1s";
    std::string group_interval = "2s";
    std::string repeat_interval = "1h";
  };
  explicit Alertmanager(Options options);  // throws if it does not become ready

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Fires an alert through `amtool alert add`; returns amtool's exit code.
  int fire(const std::string& alertname, const std::map<std::string, std::string>& labels,
           const std::map<std::string, std::string>& annotations = {});
  // Resolves it (same labels) with an end time in the past.
  int resolve(const std::string& alertname, const std::map<std::string, std::string>& labels);
  std::string log() const;

 private:
  TempDir dir_;
  int port_ = 0;
  Process process_;
};

// The runbook-responder binary, started with a config file it is given.
class Responder {
 public:
  // `config_yaml` may use {{PORT}} for the listen port (`port`, or a free
  // one when 0) and {{DIR}} for its own temporary directory. Relative paths
  // in it resolve against that directory, so rules are best named by
  // absolute path. A restart on the same port: Responder(yaml, old.port()).
  // Waits for /readyz 200, or with `ready` false for /healthz only (a
  // responder that is up but unready, e.g. its state store unusable).
  explicit Responder(const std::string& config_yaml, int port = 0, bool ready = true);
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;  // stdout + stderr so far
  Process& process() { return process_; }
  // The config file it was started with (rewrite it, then SIGHUP, to reload).
  std::filesystem::path config_file() const { return dir_ / "config.yaml"; }
  // The value of one series of its GET /metrics, named exactly as exposed
  // (`rr_alerts_total{action="duplicate"}`); 0 when absent or unreachable.
  double metric(const std::string& series) const;

 private:
  TempDir dir_;
  int port_ = 0;
  Process process_;
};

}  // namespace rr::test
