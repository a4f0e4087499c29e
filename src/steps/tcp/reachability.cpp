#include "steps/tcp/reachability.h"

#include <future>

#include <fmt/format.h>

#include "common/host_port.h"
#include "net/http.h"
#include "steps/nats/json_read.h"
#include "steps/nats/monitor.h"
#include "steps/nats/step_run.h"
#include "steps/nats/sys_servers.h"
#include "steps/tcp/tcp_connect.h"

namespace rr::tcp {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_int;
using nats::get_string;

nlohmann::json probe_facts(const std::string& kind, const std::string& host, int port, Deadline deadline) {
  TcpProbe p = tcp_probe(host, port, deadline);
  return {{"kind", kind}, {"host", host}, {"port", port}, {"reachable", p.reachable}, {"ms", p.ms}, {"error", p.error}};
}

nlohmann::json skipped(const std::string& kind, const std::string& reason) {
  return {{"kind", kind}, {"skipped", reason}};
}

bool wildcard_host(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

nlohmann::json server_facts(int index, const std::string& client, const std::string& monitor, Deadline deadline) {
  nlohmann::json facts = {{"index", index}, {"monitor", monitor}, {"client", client}};
  auto client_hp = client.empty() ? std::nullopt : nats::client_url_address(client);
  std::future<nlohmann::json> client_probe;
  if (client_hp) {
    client_probe = std::async(std::launch::async, [&] { return probe_facts("client", client_hp->host, client_hp->port, deadline); });
  }
  nlohmann::json ports = nlohmann::json::array();
  nlohmann::json monitor_probe, cluster_probe;
  if (monitor.empty()) {
    monitor_probe = skipped("monitor", "no monitor URL configured");
    cluster_probe = skipped("cluster", "no monitor URL configured: cluster port unknown");
  } else if (auto url = parse_url(monitor); !url) {
    monitor_probe = skipped("monitor", "invalid monitor URL");
    cluster_probe = skipped("cluster", "invalid monitor URL: cluster port unknown");
  } else {
    monitor_probe = probe_facts("monitor", url->host, url->port, deadline);
    if (!get_bool(monitor_probe, "reachable")) {
      cluster_probe = skipped("cluster", "monitor did not answer: cluster port unknown");
    } else {
      nats::MonitorReply varz = nats::get_monitor(monitor, "/varz", deadline);
      const auto& cluster = field(varz.body, "cluster");
      auto port = get_int(cluster, "cluster_port");
      nats::copy_string(facts, varz.body, "server_name", "server_name");
      if (!varz.body.is_object()) {
        cluster_probe = skipped("cluster", "/varz did not answer (" + nats::data_reply_error(varz) + "): cluster port unknown");
      } else if (!port || *port <= 0 || *port > 65535) {
        cluster_probe = skipped("cluster", "/varz names no cluster port (not clustered)");
      } else {
        // The cluster listener's own address, unless it listens everywhere.
        std::string host = get_string(cluster, "addr");
        if (wildcard_host(host)) host = url->host;
        cluster_probe = probe_facts("cluster", host, static_cast<int>(*port), deadline);
      }
    }
  }
  if (client_probe.valid()) {
    ports.push_back(client_probe.get());
  } else {
    ports.push_back(skipped("client", client.empty() ? "no client URL configured" : "invalid client URL"));
  }
  ports.push_back(std::move(monitor_probe));
  ports.push_back(std::move(cluster_probe));
  facts["ports"] = std::move(ports);
  return facts;
}

std::string server_label(const nlohmann::json& s) {
  std::string name = get_string(s, "server_name");
  if (!name.empty()) return name;
  std::string monitor = get_string(s, "monitor");
  return monitor.empty() ? get_string(s, "client") : monitor;
}

}  // namespace

std::string reachability_summary(const nlohmann::json& facts) {
  std::string summary = std::to_string(get_int(facts, "checked").value_or(0) - get_int(facts, "unreachable").value_or(0)) +
                        "/" + std::to_string(get_int(facts, "checked").value_or(0)) + " ports reachable";
  std::string bad;
  for (const auto& s : field(facts, "servers")) {
    for (const auto& p : field(s, "ports")) {
      if (field(p, "reachable").is_boolean() && !get_bool(p, "reachable")) {
        bad += (bad.empty() ? "" : ", ") + server_label(s) + " " + get_string(p, "kind") + " " + get_string(p, "host") +
               ":" + std::to_string(get_int(p, "port").value_or(0)) + " (" + get_string(p, "error") + ")";
      }
    }
  }
  if (!bad.empty()) summary += "; unreachable: " + bad;
  return nats::one_line(summary, 400);
}

std::string reachability_output(const nlohmann::json& facts) {
  std::string out;
  for (const auto& s : field(facts, "servers")) {
    out += server_label(s) + ":";
    for (const auto& p : field(s, "ports")) {
      out += " " + get_string(p, "kind");
      if (!get_string(p, "skipped").empty()) {
        out += " skipped (" + get_string(p, "skipped") + ")";
        continue;
      }
      out += " " + get_string(p, "host") + ":" + std::to_string(get_int(p, "port").value_or(0));
      if (get_bool(p, "reachable")) {
        out += fmt::format(" {:.2f} ms", nats::get_number(p, "ms").value_or(0));
      } else {
        out += " " + get_string(p, "error");
      }
      out += ";";
    }
    out += "\n";
  }
  return out;
}

StepResult ReachabilityStep::run(const StepInput& input) const {
  return nats::run_step(kName, input, [&](const ClusterConfig& cluster, StepResult& result) {
    std::size_t n = std::max(cluster.servers.size(), cluster.monitor.size());
    if (n == 0) {
      result.status = StepStatus::Failed;
      result.summary = "no server or monitor URLs configured for cluster " + cluster.name;
      return;
    }
    std::vector<std::future<nlohmann::json>> futures;
    for (std::size_t i = 0; i < n; ++i) {
      std::string client = i < cluster.servers.size() ? cluster.servers[i] : "";
      std::string monitor = i < cluster.monitor.size() ? cluster.monitor[i] : "";
      futures.push_back(std::async(std::launch::async, [i, client, monitor, deadline = input.deadline] {
        return server_facts(static_cast<int>(i), client, monitor, deadline);
      }));
    }
    nlohmann::json servers = nlohmann::json::array();
    int checked = 0, unreachable = 0;
    for (auto& f : futures) {
      nlohmann::json s = f.get();
      for (const auto& p : field(s, "ports")) {
        if (!field(p, "reachable").is_boolean()) continue;
        ++checked;
        if (!get_bool(p, "reachable")) ++unreachable;
      }
      servers.push_back(std::move(s));
    }
    result.facts = {{"cluster", cluster.name},
                    {"total", n},
                    {"reachable", checked > unreachable},
                    {"checked", checked},
                    {"unreachable", unreachable},
                    {"servers", std::move(servers)}};
    result.summary = reachability_summary(result.facts);
    result.output = nats::trim_step_output(reachability_output(result.facts));
  });
}

}  // namespace rr::tcp
