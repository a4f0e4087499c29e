#include "support/alertmanager.h"

#include <httplib.h>

#include <sstream>
#include <stdexcept>

namespace rr::test {
namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

Alertmanager::Alertmanager(Options options) {
  port_ = free_port();
  std::string auth;
  if (options.bearer_token) {
    write_file(dir_ / "token", *options.bearer_token);
    auth = "        http_config:\n          authorization:\n            type: Bearer\n            credentials_file: " +
           (dir_ / "token").string() + "\n";
  }
  std::string config = "route:\n  receiver: responder\n  group_by: [alertname, cluster]\n  group_wait: " +
                       options.group_wait + "\n  group_interval: " + options.group_interval +
                       "\n  repeat_interval: " + options.repeat_interval +
                       "\nreceivers:\n  - name: responder\n    webhook_configs:\n      - url: " + options.webhook_url +
                       "\n        send_resolved: true\n" + auth;
  write_file(dir_ / "alertmanager.yml", config);
  auto check = run({"amtool", "check-config", (dir_ / "alertmanager.yml").string()});
  if (check.exit_code != 0) throw std::runtime_error("amtool check-config failed: " + check.output);
  process_ = Process({"prometheus-alertmanager", "--config.file=" + (dir_ / "alertmanager.yml").string(),
                      "--storage.path=" + (dir_ / "data").string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                      // Single node: no gossip, or the first notification waits ~10 s.
                      "--cluster.listen-address="},
                     dir_ / "alertmanager.log");
  if (!wait_for_http(port_, "/-/ready", 200, std::chrono::seconds(20)))
    throw std::runtime_error("alertmanager did not become ready: " + log());
}

int Alertmanager::fire(const std::string& alertname, const std::map<std::string, std::string>& labels,
                       const std::map<std::string, std::string>& annotations) {
  std::vector<std::string> argv = {"amtool", "--alertmanager.url=" + url(), "alert", "add", alertname};
  for (const auto& [k, v] : labels) argv.push_back(k + "=" + v);
  for (const auto& [k, v] : annotations) argv.push_back("--annotation=" + k + "=" + v);
  return run(argv).exit_code;
}

int Alertmanager::resolve(const std::string& alertname, const std::map<std::string, std::string>& labels) {
  std::vector<std::string> argv = {"amtool", "--alertmanager.url=" + url(), "alert", "add", alertname};
  for (const auto& [k, v] : labels) argv.push_back(k + "=" + v);
  auto now = std::chrono::system_clock::now();
  auto fmt_time = [](std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    char buf[32];
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  argv.push_back("--start=" + fmt_time(now - std::chrono::minutes(10)));
  argv.push_back("--end=" + fmt_time(now - std::chrono::seconds(1)));
  return run(argv).exit_code;
}

std::string Alertmanager::log() const { return read_file(dir_.path() / "alertmanager.log"); }

Responder::Responder(const std::string& config_yaml, int port, bool ready) {
  port_ = port > 0 ? port : free_port();
  write_file(dir_ / "config.yaml",
             replace_all(replace_all(config_yaml, "{{PORT}}", std::to_string(port_)), "{{DIR}}", dir_.path().string()));
  process_ = Process({RR_BINARY, "serve", "--config", (dir_ / "config.yaml").string(), "--log-level", "debug"},
                     dir_ / "responder.log");
  if (!wait_for_http(port_, ready ? "/readyz" : "/healthz", 200, std::chrono::seconds(15)))
    throw std::runtime_error(std::string("responder did not become ") + (ready ? "ready: " : "healthy: ") + log());
}

std::string Responder::log() const { return read_file(dir_.path() / "responder.log"); }

double Responder::metric(const std::string& series) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return 0;
  std::istringstream lines(res->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

}  // namespace rr::test
