#include "support/nats_exporter.h"

#include <httplib.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/deadline.h"
#include "net/http.h"

namespace rr::test {
namespace {

using nlohmann::json;
using Labels = std::vector<std::pair<std::string, std::string>>;

// Under Prometheus's scrape timeout (1 s in the test's config): a server
// that hangs costs the scrape this much, never the scrape itself.
constexpr auto kScrapeBudget = std::chrono::milliseconds(700);

// GET monitor_url + path as JSON; nullopt when there is no answer or it is
// not JSON (what makes the real exporter's getMetricURL fail). The status
// code is not looked at, as the real exporter does not: /healthz's 503 body
// still says why.
std::optional<json> get_json(const std::string& monitor_url, const std::string& path, const Deadline& deadline) {
  if (deadline.expired()) return std::nullopt;
  HttpRequest request;
  request.url = monitor_url + path;
  request.max_response_bytes = 1 << 20;
  HttpResponse response = http_request(request, deadline);
  if (response.status == 0 || response.truncated) return std::nullopt;
  json doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// The number at `path` ("jetstream/stats/storage") in `doc`, if it is one.
std::optional<double> number_at(const json& doc, const std::string& path) {
  const json* at = &doc;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    const std::string key = path.substr(begin, end - begin);
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
    begin = end + 1;
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

std::string string_at(const json& doc, const std::string& key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// One metric family in the text format: HELP, TYPE gauge, its samples.
class Family {
 public:
  Family(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}
  void add(const Labels& labels, double value) {
    std::string line = name_ + "{";
    for (std::size_t i = 0; i < labels.size(); ++i)
      line += (i ? "," : "") + labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
    samples_ += line + "} " + format_value(value) + "\n";
  }
  void write(std::string& out) const {
    if (samples_.empty()) return;
    out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " gauge\n" + samples_;
  }

 private:
  std::string name_, help_, samples_;
};

}  // namespace

NatsExporter::NatsExporter(std::string monitor_url, std::chrono::milliseconds timeout)
    : monitor_url_(std::move(monitor_url)), server_(std::make_unique<httplib::Server>()) {
  // prometheus-nats-exporter -use_internal_server_name: server_id is the
  // server's name, read from /varz once at start, retried until it answers.
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (server_id_.empty()) {
    if (auto varz = get_json(monitor_url_, "/varz", Deadline::after(std::chrono::seconds(2))))
      server_id_ = string_at(*varz, "server_name");
    if (!server_id_.empty()) break;
    if (std::chrono::steady_clock::now() >= until)
      throw std::runtime_error("NatsExporter: " + monitor_url_ + "/varz named no server_name");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::signal(SIGPIPE, SIG_IGN);  // as HttpSink: a scraper that gives up closes the socket
  server_->set_read_timeout(5, 0);
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("NatsExporter: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto started = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < started)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

NatsExporter::~NatsExporter() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string NatsExporter::metrics() const {
  const Deadline deadline = Deadline::after(kScrapeBudget);
  const Labels id = {{"server_id", server_id_}};

  // Each endpoint on its own, as the real exporter's collectors: one that
  // does not answer leaves out its series only.
  Family healthz_status("gnatsd_healthz_status", "status");
  Family healthz_status_value("gnatsd_healthz_status_value", "status");
  auto healthz = get_json(monitor_url_, "/healthz", deadline);
  const std::string health = healthz ? string_at(*healthz, "status") : std::string();
  if (healthz) healthz_status.add(id, health == "ok" ? 0 : 1);
  healthz_status_value.add({{"server_id", server_id_}, {"value", healthz ? health : "unreachable"}},
                           health == "ok" ? 1 : 0);

  Family num_routes("gnatsd_routez_num_routes", "num_routes");
  if (auto routez = get_json(monitor_url_, "/routez", deadline))
    if (auto n = number_at(*routez, "num_routes")) num_routes.add(id, *n);

  // -varz: every number of /varz, flattened; the rules read these two.
  Family js_storage("gnatsd_varz_jetstream_stats_storage", "storage");
  Family js_max_storage("gnatsd_varz_jetstream_config_max_storage", "max_storage");
  auto varz = get_json(monitor_url_, "/varz", deadline);
  if (varz) {
    if (auto v = number_at(*varz, "jetstream/stats/storage")) js_storage.add(id, *v);
    if (auto v = number_at(*varz, "jetstream/config/max_storage")) js_max_storage.add(id, *v);
  }

  // -jsz: the server-level series; the name comes from /varz as in the
  // real exporter's jsz collector.
  Family total_streams("jetstream_server_total_streams", "Total number of streams in JetStream");
  Family max_storage("jetstream_server_max_storage", "JetStream Max Storage");
  if (auto jsz = get_json(monitor_url_, "/jsz", deadline); jsz && varz) {
    const std::string name = string_at(*varz, "server_name");
    std::string cluster, leader, is_leader = "true";
    if (auto meta = jsz->find("meta_cluster"); meta != jsz->end() && meta->is_object()) {
      cluster = string_at(*meta, "name");
      leader = string_at(*meta, "leader");
      is_leader = leader == name ? "true" : "false";
    }
    std::string domain;
    if (auto config = jsz->find("config"); config != jsz->end() && config->is_object())
      domain = string_at(*config, "domain");
    const Labels server = {{"server_id", server_id_}, {"server_name", name},   {"cluster", cluster},
                           {"domain", domain},        {"meta_leader", leader}, {"is_meta_leader", is_leader}};
    total_streams.add(server, number_at(*jsz, "streams").value_or(0));
    max_storage.add(server, number_at(*jsz, "config/max_storage").value_or(0));
  }

  std::string out;
  for (const Family* f : {&healthz_status, &healthz_status_value, &num_routes, &js_storage, &js_max_storage,
                          &total_streams, &max_storage})
    f->write(out);
  return out;
}

}  // namespace rr::test
