#include "judge/host_unit.h"

#include <fmt/format.h>

#include "common/redact.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::get_bool;
using nats::get_string;
using nats::one_line;

std::string state_text(const nlohmann::json& facts) {
  if (!get_bool(facts, "found", true)) return "not-found";
  std::string state = one_line(get_string(facts, "active_state"), 32);
  std::string sub = one_line(get_string(facts, "sub_state"), 64);
  std::string result = one_line(get_string(facts, "result"), 64);
  if (!sub.empty()) state += " (" + sub + ")";
  if (!result.empty()) state += " (Result: " + result + ")";
  return state;
}

}  // namespace

void unit_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                   FindingSet& out) {
  if (!get_bool(facts, "parsed")) return;
  bool found = get_bool(facts, "found", true);
  std::string active = get_string(facts, "active_state");
  if (found && active == "active") return;
  std::string unit = one_line(get_string(facts, "unit"), 256);
  std::string state = state_text(facts);
  std::string since = one_line(get_string(facts, "since"), 64);
  std::string ago = one_line(get_string(facts, "ago"), 64);
  Finding f;
  f.code = "host.unit_down";
  f.values = {{"host", host}, {"unit", unit}, {"state", state}, {"since", since}};
  if (!found) {
    // Its own code: a restart suggested for a unit that does not exist helps nobody.
    f.code = "host.unit_missing";
    f.severity = Severity::Warning;
    f.title = fmt::format("{}: unit {} does not exist", host, unit);
    f.detail = fmt::format(
        "systemctl on {} knows no unit {}. The service may run under another name (Debian's package calls it "
        "nats-server, the runbooks say nats) or in a container: check the unit name configured for this host.",
        host, unit);
    f.evidence.push_back(step_id + ": " + unit + " not found");
    out.add(std::move(f), host + "|" + unit);
    return;
  }
  f.severity = Severity::Critical;
  f.title = fmt::format("{}: {} is {}{}", host, unit, state, since.empty() ? "" : " since " + since);
  f.detail = fmt::format("systemd on {} reports {} as {}{}{}.", host, unit, state,
                         since.empty() ? "" : " since " + since, ago.empty() ? "" : " (" + ago + ")");
  std::string exit = one_line(get_string(facts, "exit"), 128);
  if (!exit.empty()) f.detail += " Its main process ended with " + exit + ".";
  if (get_string(facts, "sub_state") == "auto-restart")
    f.detail += " systemd is restarting it in a loop: the last log lines say why it exits.";
  f.detail += " The NATS server on this host is not serving clients, routes or JetStream.";
  f.evidence.push_back(step_id + ": Active: " + state + (since.empty() ? "" : " since " + since));
  const auto& logs = nats::field(facts, "log_lines");
  if (logs.is_array()) {
    std::size_t first = logs.size() > 3 ? logs.size() - 3 : 0;  // the last few say why
    for (std::size_t i = first; i < logs.size(); ++i)
      if (logs[i].is_string()) f.evidence.push_back(step_id + ": " + one_line(redact(logs[i].get<std::string>()), 300));
  }
  out.add(std::move(f), host + "|" + unit);
}

}  // namespace rr::host
