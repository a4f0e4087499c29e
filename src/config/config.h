#pragma once
// The service's configuration: one YAML file, every key documented in the
// README. Secrets come from files (or environment variables) and are held
// here in memory only; they are never logged or printed.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redact.h"
#include "common/result.h"
#include "common/time.h"
#include "config/listener.h"
#include "config/ssh.h"
#include "config/thresholds.h"
#include "rules/matcher.h"

namespace rr {

struct AuthConfig {
  std::optional<std::string> bearer_token;  // from bearer_token_file / _env
  std::optional<std::string> basic_username;
  std::optional<std::string> basic_password;  // from password_file / _env
  // Also accepted (as a bearer token) for reading reports, never for POST /webhook.
  std::optional<std::string> read_token;    // from read_token_file / _env
  bool enabled() const { return bearer_token || basic_username; }
};

struct ClusterConfig {
  std::string name;
  std::vector<Matcher> match;         // empty: matches every alert
  std::vector<std::string> servers;   // nats:// client URLs
  std::vector<std::string> monitor;   // http:// monitoring URLs
  // Application account: JetStream reads.
  std::optional<std::string> user, password, token, creds_file;
  // System account: $SYS reads.
  std::optional<std::string> system_user, system_password, system_creds_file;
  // Leaf node connections the cluster should hold once well (nats.leafnodes
  // checks it after recovery, unless the rule's step says `expect`): a hub
  // cannot know which leaf nodes exist, their remotes are on the leaves.
  std::optional<std::uint64_t> leafnodes;
};

// One entry of `notify`. The config knows no target types: each type
// (notify/targets.cpp, the one list) checks its own options when the
// notifiers are built, and names `file:line` in its errors.
struct NotifyTarget {
  std::string name;
  std::string type;
  // Every other key of the entry, as text. `KEY_file` and `KEY_env` are read
  // as secrets into KEY. Values may be credentials (webhook URLs, tokens,
  // routing keys): never log or print them.
  std::map<std::string, std::string> options;
  std::vector<Matcher> match;  // empty: every report
  std::string file;            // where the entry is, for errors
  int line = 0;

  const std::string& option(const std::string& key) const;  // "" when absent
  std::string where() const;                                // "file:line"
};

struct EngineConfig {
  int workers = 4;
  std::size_t queue = 1024;
  Nanos cooldown = std::chrono::minutes(5);
  Nanos step_timeout = std::chrono::seconds(5);
  Nanos deadline = std::chrono::seconds(30);
  // Distinct steps one triage runs at most (each is a thread); the rest are
  // reported as skipped. Steps differ per label value, so one large group
  // could otherwise start thousands.
  std::size_t max_steps = 64;
  // Identical reads within this time share one result (engine/shared_reads.h); 0: never.
  Nanos share_reads = std::chrono::seconds(2);
};

// How reports reach the targets (notify/outbox.h).
struct DeliveryConfig {
  Nanos max_age = std::chrono::hours(2);           // older undelivered reports are dropped
  Nanos attempt_timeout = std::chrono::seconds(10);  // one send
  Nanos first_backoff = std::chrono::seconds(1);
  Nanos max_backoff = std::chrono::minutes(5);
};

// The durable state (state/store.h).
struct StateConfig {
  // Absolute once loaded: the config's `state.dir`, else $STATE_DIRECTORY
  // (systemd), else `state` beside the config file; default_config() (no
  // file) uses runbook-responder-state in the working directory.
  std::string dir;
  bool full_sync = false;  // `sync: full`: fsync each commit (survives power loss)
  std::size_t keep_reports = 1000;                // reports kept for GET /reports
  Nanos keep_for = std::chrono::hours(24 * 7);   // ... and for at most this long
};

// Automatic remediation (act/remediation.h): off unless `allow` names a
// rule's action. The guards below are always checked; a rule adds its own.
struct ActionsConfig {
  struct Allowed {
    std::string rule, action;
  };
  std::vector<Allowed> allow;  // exactly these; empty: no action ever runs
  bool dry_run = false;        // say what would run, run nothing
  int max_per_hour = 1;        // actions run (not dry) in the last hour, all rules
  Nanos cooldown = std::chrono::minutes(30);   // since the last action run, any rule
  Nanos timeout = std::chrono::seconds(30);    // the command's deadline
  Nanos verify_within = std::chrono::minutes(2);  // for the rule's verify steps to pass after
  // The write commands actions run, never registered as steps (built-in:
  // restart_unit, `systemctl restart {unit}`); same form as `commands`.
  std::vector<CommandSpec> commands = builtin_action_commands();

  bool allowed(const std::string& rule, const std::string& action) const {
    for (const auto& a : allow)
      if (a.rule == rule && a.action == action) return true;
    return false;
  }
  const CommandSpec* command(const std::string& name) const {
    for (const auto& c : commands)
      if (c.name == name) return &c;
    return nullptr;
  }
};

struct Config {
  std::string listen = "127.0.0.1:9095";
  AuthConfig auth;
  TlsConfig tls;                  // off unless `tls` is given
  WebhookRateLimit rate_limit;    // per client on POST /webhook; on by default
  std::size_t body_limit = 1 << 20;
  std::vector<std::string> rules = {"rules/*.yaml"};
  std::string base_dir = ".";  // relative paths in the file resolve from here
  std::vector<ClusterConfig> clusters;
  std::vector<NotifyTarget> notify;
  EngineConfig engine;
  DeliveryConfig delivery;
  StateConfig state;
  // How people reach this responder, e.g. "https://responder.example.com":
  // messages link to the full report page under it. "": no links.
  std::string external_url;
  Thresholds thresholds;  // for the judges
  SshConfig ssh;
  std::vector<HostConfig> hosts;  // the only hosts SSH steps connect to
  std::vector<CommandSpec> commands = builtin_commands();  // the only commands they run
  ActionsConfig actions;
  std::vector<std::string> redact;  // extra patterns, compiled into redactor
  Redactor redactor;                // built-in rules plus `redact`
  std::string source = "(built-in defaults)";

  // The cluster whose matchers select these labels first, or nullptr.
  const ClusterConfig* cluster_for(const LabelSet& labels) const;
  // The inventory entry named exactly `name`, or nullptr.
  const HostConfig* host(const std::string& name) const;
};

// Built-in defaults: listen 127.0.0.1:9095, rules/*.yaml, one cluster at
// nats://127.0.0.1:4222 with its monitor at http://127.0.0.1:8222, console,
// state in ./runbook-responder-state under the working directory.
Config default_config();

// Loads and validates a file. Errors are "file:line: message", all of them;
// `config` is set only when there are none. Unknown keys are errors. Absent
// keys keep the defaults of the structs above, except that no `clusters` means
// none and no `notify` means one console target. Secrets (`*_file`, `*_env`)
// are read here, trailing newlines trimmed; an unreadable, empty or
// control-character secret is an error naming the key and the path or
// variable, never the content. Relative paths resolve against the file's
// directory (Config::base_dir). Validation: listen is host:port, auth is
// required when listen is not loopback (unless tls.client_ca_file requires
// client certificates), tls files readable and loading (the key matching the
// certificate), rate_limit.per_client N/s|N/m|N/h or none, burst 1..10^6,
// allow IP addresses or CIDR blocks, names unique, servers nats:// or
// tls://, monitor http(s):// and one per server when given, at most one
// identity per account, webhook/slack need an http(s) URL, body_limit
// 1..64MiB, engine.workers 1..64, queue 1..1000000, step_timeout <= deadline,
// delivery durations positive with first_backoff <= max_backoff, state.dir
// (relative to the file; default "state"), state.sync normal or full,
// keep_reports 1..1000000, external_url an http(s) URL without a trailing
// slash; hosts: names unique and valid hosts, port 1..65535,
// user, key_file (readable) and known_hosts (readable) set here or under ssh,
// cluster one of clusters; commands: names [a-z0-9_], every {NAME} typed,
// every var a command uses passing its type; redact patterns compile;
// thresholds: ratios 0 < x <= 1 with storage_warning
// <= storage_critical, durations positive, counts 0..10^12.
struct ConfigLoad {
  std::optional<Config> config;
  std::vector<Error> errors;
};
ConfigLoad load_config(const std::string& path);
ConfigLoad load_config_text(const std::string& yaml, const std::string& file);

// True for 127.0.0.0/8, ::1 and "localhost" (listen is "host:port" or
// "[v6]:port"); false for anything unparsable.
bool is_loopback_listen(const std::string& listen);

}  // namespace rr
