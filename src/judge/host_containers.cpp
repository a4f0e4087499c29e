#include "judge/host_containers.h"

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::get_bool;
using nats::get_string;
using nats::get_uint;
using nats::one_line;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool has_name(const std::string& names, const std::string& wanted) {
  for (const auto& n : split(names, ','))
    if (trim(n) == wanted) return true;
  return false;
}

// The state, lower case; from the status ("Up 3 hours") when docker printed none.
std::string state_of(const nlohmann::json& c) {
  std::string state = lower(one_line(get_string(c, "state"), 32));
  if (state.empty()) {
    std::string status = one_line(get_string(c, "status"), 128);
    if (starts_with(status, "Up ")) return status.find("(Paused)") != std::string::npos ? "paused" : "running";
    if (starts_with(status, "Restarting")) return "restarting";
    if (starts_with(status, "Exited")) return "exited";
    if (starts_with(status, "Created")) return "created";
  }
  return state;
}

std::string_view meaning(std::string_view state) {
  if (state == "exited") return "It stopped; its last log lines (docker logs) say why.";
  if (state == "restarting")
    return "It keeps exiting and docker restarts it (its restart policy); its last log lines (docker logs) say why.";
  if (state == "paused") return "Its processes are frozen (docker pause) until it is unpaused.";
  if (state == "created") return "It was created but never started.";
  if (state == "dead") return "Docker failed to stop or remove it.";
  if (state == "removing") return "Docker is removing it.";
  return "It is not running.";
}

void down(const nlohmann::json& c, const std::string& host, const std::string& step_id, bool wanted,
          FindingSet& out) {
  std::string name = one_line(get_string(c, "name"), 256);
  std::string state = state_of(c);
  std::string status = one_line(get_string(c, "status"), 128);
  std::string image = one_line(get_string(c, "image"), 256);
  std::string shown = state.empty() ? "not running" : state;
  Finding f;
  f.severity = Severity::Critical;
  f.code = "host.container_down";
  f.title = fmt::format("{}: container {} is {}{}", host, name, shown, status.empty() ? "" : " (" + status + ")");
  f.detail = fmt::format("docker on {} lists {}{} as {}{}. {}", host, name, image.empty() ? "" : " (" + image + ")",
                         shown, status.empty() ? "" : ": " + status, meaning(state));
  f.detail += wanted ? " The NATS server in it is not serving clients, routes or JetStream."
                     : " If it runs a NATS server, that server is not serving clients, routes or JetStream.";
  f.evidence.push_back(fmt::format("{}: {} {} {}{}", step_id, name, state.empty() ? "-" : state,
                                   status.empty() ? "-" : status, image.empty() ? "" : " " + image));
  f.values = {{"host", host}, {"container", name}, {"state", state}, {"status", status}, {"image", image}};
  out.add(std::move(f), host + "|" + name);
}

}  // namespace

void container_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                        const std::string& wanted_container, FindingSet& out) {
  const auto& containers = nats::field(facts, "containers");
  if (!containers.is_array()) return;
  if (wanted_container.empty()) {
    for (const auto& c : containers) {
      std::string name = one_line(get_string(c, "name"), 256);
      if (name.empty() || lower(name).find("nats") == std::string::npos) continue;
      if (state_of(c) != "running") down(c, host, step_id, false, out);
    }
    return;
  }
  for (const auto& c : containers) {
    if (!has_name(one_line(get_string(c, "name"), 256), wanted_container)) continue;
    if (state_of(c) != "running") down(c, host, step_id, true, out);
    return;
  }
  // Absent: only when the listing is whole and came from docker ps.
  if (get_bool(facts, "truncated")) return;
  if (containers.empty() && get_uint(facts, "unparsed").value_or(0) > 0) return;
  std::string wanted = one_line(wanted_container, 256);
  Finding f;
  f.severity = Severity::Critical;
  f.code = "host.container_missing";
  f.title = fmt::format("{}: no container {}", host, wanted);
  f.detail = fmt::format(
      "docker ps -a on {} lists {} container{}, none named {}: it was removed (docker rm, docker compose down) or "
      "runs under another name (docker compose names containers <project>-<service>-<n>): check the container "
      "name configured for this host. The NATS server it should run is not serving clients, routes or "
      "JetStream there.",
      host, containers.size(), containers.size() == 1 ? "" : "s", wanted);
  std::string listed;
  for (const auto& c : containers) {
    if (listed.size() > 200) {
      listed += ", ...";
      break;
    }
    listed += (listed.empty() ? "" : ", ") + one_line(get_string(c, "name"), 64);
  }
  f.evidence.push_back(fmt::format("{}: no {} among {}", step_id, wanted,
                                   listed.empty() ? "no containers" : "[" + listed + "]"));
  f.values = {{"host", host}, {"container", wanted}};
  out.add(std::move(f), host + "|" + wanted);
}

}  // namespace rr::host
