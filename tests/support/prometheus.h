#pragma once
// A real Prometheus (Debian's package prometheus, from scripts/setup) on a
// free loopback port, loaded with the shipped alerting rules
// (alertmanager/prometheus-rules.yml), scraping NATS exporters as job
// `cim-nats` and sending its alerts to one Alertmanager. Torn down by RAII.
//
// It scrapes and evaluates every second, and the copy of the rules it loads
// differs from the shipped file in its `for:` durations only (see
// Options::rule_for). Its config and that copy are checked with `promtool
// check config` first; the constructor throws when that fails or when
// Prometheus does not become ready.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace rr::test {

class Prometheus {
 public:
  struct Options {
    std::vector<std::string> cim_nats_targets;  // host:port of each exporter of job cim-nats
    std::string alertmanager_url;               // http://127.0.0.1:port
    // Replaces every rule's `for:` (1m to 15m in the shipped file): a test
    // cannot wait minutes for an alert to fire. Short but not 0s, so a rule
    // still has to hold for two evaluations.
    std::string rule_for = "2s";
  };

  // `prometheus` on PATH, else "".
  static std::string binary();
  static bool available() { return !binary().empty(); }
  static std::string why_unavailable();  // for RR_REQUIRE_OR_SKIP

  explicit Prometheus(Options options);

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::filesystem::path rules_file() const { return dir_ / "prometheus-rules.yml"; }
  std::string log() const;

  // GET /api/v1/query: the result vector of an instant query, or an empty
  // array when there is none or no answer.
  nlohmann::json query(const std::string& promql) const;
  // GET /api/v1/alerts, as it answers (for a failing test's output).
  std::string alerts() const;

 private:
  TempDir dir_;
  int port_ = 0;
  Process process_;
};

}  // namespace rr::test
