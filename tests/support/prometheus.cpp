#include "support/prometheus.h"

#include <unistd.h>

#include <httplib.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace rr::test {
namespace {

// The shipped rules with every `for: <duration>` line set to `rule_for`;
// nothing else changes.
std::string shortened_rules(const std::string& shipped, const std::string& rule_for) {
  std::istringstream in(shipped);
  std::string out =
      "# alertmanager/prometheus-rules.yml for the end-to-end test: only the `for:`\n"
      "# durations are shortened (to " + rule_for + "), so the test does not wait minutes.\n";
  for (std::string line; std::getline(in, line);) {
    const auto indent = line.find_first_not_of(' ');
    if (indent != std::string::npos && line.compare(indent, 4, "for:") == 0)
      line = line.substr(0, indent) + "for: " + rule_for;
    out += line + "\n";
  }
  return out;
}

std::string quoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out + "]";
}

}  // namespace

std::string Prometheus::binary() { return find_program("prometheus"); }

std::string Prometheus::why_unavailable() {
  if (available()) return {};
  return "prometheus is not installed (scripts/setup installs Debian's package prometheus)";
}

Prometheus::Prometheus(Options options) {
  if (!available()) throw std::runtime_error(why_unavailable());
  const std::string shipped = read_file(RR_SOURCE_DIR "/alertmanager/prometheus-rules.yml");
  write_file(rules_file(), shortened_rules(shipped, options.rule_for));

  std::string alertmanager = options.alertmanager_url;
  if (alertmanager.rfind("http://", 0) == 0) alertmanager = alertmanager.substr(7);
  port_ = free_port();
  write_file(dir_ / "prometheus.yml",
             "global:\n"
             "  scrape_interval: 1s\n"
             "  scrape_timeout: 1s\n"
             "  evaluation_interval: 1s\n"
             "rule_files: [\"" + rules_file().string() + "\"]\n"
             "alerting:\n"
             "  alertmanagers:\n"
             "    - static_configs:\n"
             "        - targets: [\"" + alertmanager + "\"]\n"
             "scrape_configs:\n"
             "  - job_name: cim-nats\n"
             "    static_configs:\n"
             "      - targets: " + quoted(options.cim_nats_targets) + "\n");

  // promtool comes with prometheus; it checks the rule file too.
  auto check = run({"promtool", "check", "config", (dir_ / "prometheus.yml").string()});
  if (check.exit_code != 0) throw std::runtime_error("promtool check config failed: " + check.output);

  process_ = Process({binary(), "--config.file=" + (dir_ / "prometheus.yml").string(),
                      "--storage.tsdb.path=" + (dir_ / "data").string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                     dir_ / "prometheus.log");
  if (!wait_for_http(port_, "/-/ready", 200, std::chrono::seconds(30)))
    throw std::runtime_error("prometheus did not become ready: " + log());
}

std::string Prometheus::log() const { return read_file(dir_.path() / "prometheus.log"); }

nlohmann::json Prometheus::query(const std::string& promql) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
  if (!res || res->status != 200) return nlohmann::json::array();
  auto doc = nlohmann::json::parse(res->body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("data") || !doc["data"].contains("result") ||
      !doc["data"]["result"].is_array())
    return nlohmann::json::array();
  return doc["data"]["result"];
}

std::string Prometheus::alerts() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/api/v1/alerts");
  return res ? res->body : "no answer";
}

}  // namespace rr::test
