#include "steps/ssh/command_step.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "common/text.h"
#include "steps/host/df_output.h"
#include "steps/host/docker_ps.h"
#include "steps/host/find_output.h"
#include "steps/host/journal_lines.h"
#include "steps/host/systemctl_output.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::ssh {
namespace {

using Clock = std::chrono::steady_clock;

std::string lookup(const std::map<std::string, std::string>& vars, const std::string& name) {
  auto it = vars.find(name);
  return it == vars.end() ? "" : it->second;
}

// The parsed output under the key the judges read, or nothing for "".
void parse_into(const std::string& parser, const CommandResult& r, nlohmann::json& entry) {
  if (parser == "journal") {
    // docker logs writes the container's stderr to its own stderr.
    entry["host_logs"] = host::log_facts(r.output + (r.stderr_text.empty() ? "" : "\n" + r.stderr_text));
  } else if (parser == "df") {
    entry["host_disk"] = host::disk_facts(r.output);
  } else if (parser == "systemctl") {
    entry["host_unit"] = host::unit_facts(r.output + (r.stderr_text.empty() ? "" : "\n" + r.stderr_text));
  } else if (parser == "find") {
    entry["host_snapshots"] = host::snapshot_facts(r.output);
  } else if (parser == "docker_ps") {
    entry["host_containers"] = host::container_facts(r.output);
  }
}

std::string host_summary(const nlohmann::json& h) {
  std::string outcome = nats::get_string(h, "outcome");
  if (outcome != "ok") return fmt::format("{}: {}", nats::get_string(h, "host"), outcome);
  auto exit = nats::get_int(h, "exit_status");
  return fmt::format("{}: exit {}", nats::get_string(h, "host"), exit ? std::to_string(*exit) : "?");
}

}  // namespace

CommandStep::CommandStep(CommandSpec spec, std::shared_ptr<const SshEnv> env)
    : spec_(std::move(spec)), name_("ssh." + spec_.name), env_(std::move(env)) {}

std::map<std::string, StepCatalog::Param> CommandStep::params() const {
  std::map<std::string, StepCatalog::Param> p{{"host", {ValueType::Host, false}}};
  for (const auto& [name, type] : spec_.params) p[name] = {type, false};
  return p;
}

nlohmann::json CommandStep::run_on(const HostConfig& host, const StepInput& input) const {
  nlohmann::json entry = {{"host", host.name}, {"address", host.address}, {"port", host.port}};
  auto refuse = [&](std::string outcome, std::string error) {
    entry["outcome"] = std::move(outcome);
    entry["error"] = std::move(error);
    return entry;
  };
  // Every word of the command line: literal, or one checked value.
  std::vector<std::string> argv;
  for (const std::string& word : spec_.argv) {
    auto name = CommandSpec::placeholder(word);
    if (!name) {
      argv.push_back(word);
      continue;
    }
    std::string value = input.param(*name);
    if (value.empty()) value = lookup(host.vars, *name);
    if (value.empty()) value = lookup(env_->settings.vars, *name);
    if (value.empty()) return refuse("refused", "no value for {" + *name + "}");
    auto type = spec_.params.find(*name);
    if (type == spec_.params.end()) return refuse("refused", "{" + *name + "} has no type");
    if (auto why = check_value(type->second, value)) return refuse("refused", "{" + *name + "} " + *why);
    argv.push_back(std::move(value));
  }
  entry["argv"] = argv;
  if (spec_.parse == "docker_ps") {
    std::string wanted = lookup(host.vars, "container");
    entry["container"] = wanted.empty() ? lookup(env_->settings.vars, "container") : wanted;
  }

  // Commands to this host running at the same time (other steps, other
  // triages) share one connection; env_->slots bounds connections.
  Target target{host.name, host.address, host.port, host.user, host.key_file, host.known_hosts};
  Deadline deadline = input.deadline;
  Limits limits{env_->settings.output_bytes, env_->settings.output_lines};
  CommandResult r = run_command(target, argv, deadline, limits, env_->settings.connect_timeout, env_->slots);
  // Hosts print any bytes; reports are JSON and chat: valid UTF-8 only.
  r.output = sanitize_utf8(r.output);
  r.stderr_text = sanitize_utf8(r.stderr_text);

  entry["outcome"] = std::string(outcome_name(r.outcome));
  entry["error"] = r.error;
  entry["ms"] = r.duration.count();
  if (r.exit_status) entry["exit_status"] = *r.exit_status;
  entry["trimmed"] = r.trimmed;
  entry["lines"] = static_cast<std::int64_t>(std::count(r.output.begin(), r.output.end(), '\n'));
  if (!r.stderr_text.empty()) entry["stderr"] = nats::trim_step_output(r.stderr_text);
  entry["output"] = r.output;
  if (r.outcome == Outcome::Ok) parse_into(spec_.parse, r, entry);
  return entry;
}

StepResult CommandStep::run(const StepInput& input) const {
  StepResult result;
  result.id = input.id;
  result.kind = name_;
  auto started = Clock::now();

  // Which hosts: the named one (only if it is in the inventory), else the cluster's.
  std::vector<const HostConfig*> hosts;
  std::vector<std::string> refused;
  std::string named = input.param("host");
  if (!named.empty()) {
    auto it = std::find_if(env_->hosts.begin(), env_->hosts.end(), [&](const HostConfig& h) { return h.name == named; });
    if (it == env_->hosts.end())
      refused.push_back(named);
    else
      hosts.push_back(&*it);
    result.target = named;
  } else {
    std::string cluster = input.cluster ? input.cluster->name : "";
    bool any_tagged = std::any_of(env_->hosts.begin(), env_->hosts.end(),
                                  [](const HostConfig& h) { return !h.cluster.empty(); });
    for (const HostConfig& h : env_->hosts)
      if (any_tagged ? h.cluster == cluster : true) hosts.push_back(&h);
    result.target = hosts.empty() ? (cluster.empty() ? "no hosts" : "cluster " + cluster)
                                  : fmt::format("{} host{}{}", hosts.size(), hosts.size() == 1 ? "" : "s",
                                                cluster.empty() ? "" : " of cluster " + cluster);
  }
  if (hosts.empty() && refused.empty()) {
    result.status = StepStatus::Skipped;
    result.summary = env_->hosts.empty() ? "skipped: no SSH hosts configured (config hosts)"
                                         : "skipped: no inventory host of this alert's cluster";
    return result;
  }

  // One thread per host; each joins or opens that host's connection.
  std::vector<nlohmann::json> entries(hosts.size());
  std::vector<std::thread> threads;
  threads.reserve(hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        entries[i] = run_on(*hosts[i], input);
      } catch (const std::exception& e) {
        entries[i] = {{"host", hosts[i]->name}, {"outcome", "error"}, {"error", nats::one_line(e.what())}};
      }
    });
  for (auto& t : threads) t.join();

  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : refused)
    list.push_back({{"host", name},
                    {"outcome", "not_in_inventory"},
                    {"error", "not in the host inventory: never connected to"}});
  std::string output;
  const std::size_t per_host_lines = std::max<std::size_t>(5, 50 / std::max<std::size_t>(1, entries.size()));
  std::vector<std::string> parts;
  for (auto& e : entries) {
    parts.push_back(host_summary(e));
    output += fmt::format("== {} ({})\n", nats::get_string(e, "host"), host_summary(e));
    std::string text = nats::get_string(e, "output");
    // Each host gets its share of what a report shows, so the last host's
    // output is not cut off by the first's.
    std::string_view body = text;
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    if (!body.empty()) output += trim_output(body, per_host_lines, 8000 / entries.size()) + "\n";
    if (e.contains("stderr")) output += nats::get_string(e, "stderr") + "\n";
    if (nats::get_bool(e, "trimmed")) output += "[output trimmed]\n";
    e.erase("output");  // the parsed facts carry what matters; the text is in output
    list.push_back(std::move(e));
  }
  for (const std::string& name : refused) parts.push_back(name + ": not in the inventory");

  result.facts = {{"command", spec_.name}, {"hosts", std::move(list)}};
  result.output = nats::trim_step_output(output);
  result.summary = fmt::format("{} on {}", spec_.name, fmt::join(parts, ", "));
  result.status = StepStatus::Ok;
  result.duration = std::chrono::duration_cast<Millis>(Clock::now() - started);
  return result;
}

void add_ssh_steps(StepRegistry& registry, const Config& config) {
  auto env = std::make_shared<SshEnv>();
  env->hosts = config.hosts;
  env->settings = config.ssh;
  env->slots = std::make_shared<SessionSlots>(config.ssh.max_sessions);
  std::shared_ptr<const SshEnv> shared = env;
  for (const CommandSpec& cmd : config.commands) registry.add(std::make_unique<CommandStep>(cmd, shared));
}

}  // namespace rr::ssh
