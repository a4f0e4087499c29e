// The config file: YAML -> Config, every problem reported with its line.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <set>

#include "common/text.h"
#include "config/config.h"

#include "common/rate.h"
#include "common/host_port.h"
#include "config/secret.h"
#include "config/ssh_loader.h"
#include "config/tls.h"
#include "rules/template.h"
#include "common/file.h"
#include "rules/yaml_reader.h"

namespace rr {

namespace {

constexpr std::size_t kMaxConfigBytes = 1u << 20;
constexpr std::size_t kMaxBodyLimit = 64u << 20;

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
         });
}

// Where the state store lives when the config does not say: systemd's
// StateDirectory= (the unit's /var/lib/runbook-responder, passed as
// $STATE_DIRECTORY, the first of a colon-separated list), otherwise `state`
// beside the config file.
std::string default_state_dir(const std::string& base_dir) {
  if (const char* env = std::getenv("STATE_DIRECTORY"); env && env[0] == '/') {
    std::string_view dirs(env);
    return std::string(dirs.substr(0, dirs.find(':')));
  }
  return resolve_path(base_dir, "state");
}

// "1048576", "512KiB", "1MiB".
std::optional<std::size_t> parse_size(std::string_view s) {
  std::size_t unit = 1;
  if (s.size() > 3 && s.substr(s.size() - 3) == "KiB") {
    unit = 1024;
    s.remove_suffix(3);
  } else if (s.size() > 3 && s.substr(s.size() - 3) == "MiB") {
    unit = 1024 * 1024;
    s.remove_suffix(3);
  }
  s = trim(s);
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n * unit;
}

// A URL with one of `schemes` and a non-empty rest of printable ASCII. Its
// text is never put into a message: server URLs may hold credentials.
bool valid_url(const std::string& url, std::initializer_list<std::string_view> schemes) {
  for (std::string_view scheme : schemes) {
    if (!starts_with(url, scheme)) continue;
    std::string_view rest = std::string_view(url).substr(scheme.size());
    return !rest.empty() && rest.size() <= 2048 && std::all_of(rest.begin(), rest.end(), [](char c) {
             return c > 0x20 && c < 0x7f && c != ',' && c != '"' && c != '\'' && c != '`' && c != '<' && c != '>';
           });
  }
  return false;
}

class ConfigReader {
 public:
  ConfigReader(yaml::Reader& r, std::string base_dir) : r_(r), base_dir_(std::move(base_dir)) {}

  void read(const std::string& text, Config& c) {
    auto doc = r_.load(text);
    if (!doc) return;
    if (doc->IsNull()) {  // an empty file: every default
      c.notify.push_back(NotifyTarget{"console", "console", {}, {}, r_.file(), 0});
      c.state.dir = default_state_dir(base_dir_);
      return;
    }
    auto f = yaml::Fields::read(r_, *doc, "the config file",
                                {"listen", "auth", "tls", "rate_limit", "body_limit", "rules", "clusters", "notify", "engine", "delivery",
                                 "state", "external_url", "thresholds",
                                 "ssh", "hosts", "commands", "redact", "actions"});
    if (!f) return;
    if (const YAML::Node* n = f->find("listen")) {
      if (auto v = yaml::string_value(r_, *n, "listen")) {
        c.listen = *v;
        if (!parse_host_port(c.listen)) r_.error(*n, "listen must be host:port (IPv6 as [::1]:9095)");
      }
    }
    if (const YAML::Node* n = f->find("auth")) read_auth(*n, c.auth);
    if (const YAML::Node* n = f->find("tls")) read_tls(*n, c.tls);
    // (A broken `auth` block has its own errors; this one is for a missing block.)
    // Required client certificates authenticate too (config/listener.h).
    if (!f->find("auth") && !is_loopback_listen(c.listen) && parse_host_port(c.listen) &&
        !(f->find("tls") && c.tls.requires_client_cert()))
      r_.error(f->find("listen") ? *f->find("listen") : *doc,
               "auth is required when listen is not a loopback address (or tls.client_ca_file, requiring client "
               "certificates)");
    if (const YAML::Node* n = f->find("rate_limit")) read_rate_limit(*n, c.rate_limit);
    if (const YAML::Node* n = f->find("body_limit")) {
      if (auto v = yaml::string_value(r_, *n, "body_limit")) {
        auto size = parse_size(*v);
        if (!size || *size == 0 || *size > kMaxBodyLimit)
          r_.error(*n, "body_limit must be bytes, or a number with KiB or MiB, from 1 to 64MiB");
        else
          c.body_limit = *size;
      }
    }
    if (const YAML::Node* n = f->find("rules")) {
      if (auto v = yaml::string_list(r_, *n, "rules")) c.rules = *v;
    }
    if (const YAML::Node* n = f->find("clusters")) read_clusters(*n, c.clusters);
    if (const YAML::Node* n = f->find("notify")) {
      read_notify(*n, c.notify);
    } else {
      c.notify.push_back(NotifyTarget{"console", "console", {}, {}, r_.file(), 0});
    }
    if (const YAML::Node* n = f->find("engine")) read_engine(*n, c.engine);
    if (const YAML::Node* n = f->find("delivery")) read_delivery(*n, c.delivery);
    c.state.dir = default_state_dir(base_dir_);
    if (const YAML::Node* n = f->find("state")) read_state(*n, c.state);
    if (const YAML::Node* n = f->find("external_url")) {
      if (auto v = yaml::string_value(r_, *n, "external_url")) {
        if (!valid_url(*v, {"http://", "https://"}) || v->back() == '/')
          r_.error(*n, "external_url must be an http:// or https:// URL without a trailing slash");
        else
          c.external_url = *v;
      }
    }
    if (const YAML::Node* n = f->find("thresholds")) read_thresholds(*n, c.thresholds);
    if (const YAML::Node* n = f->find("ssh")) read_ssh(r_, *n, base_dir_, c.ssh);
    if (const YAML::Node* n = f->find("hosts")) read_hosts(r_, *n, base_dir_, c);
    if (const YAML::Node* n = f->find("commands")) read_commands(r_, *n, c.commands);
    if (const YAML::Node* n = f->find("redact")) read_redact(r_, *n, c);
    if (const YAML::Node* n = f->find("actions")) read_actions(*n, c.actions);
    const YAML::Node* hosts = f->find("hosts");
    check_ssh(r_, hosts ? *hosts : *doc, c);
  }

 private:
  void read_actions(const YAML::Node& node, ActionsConfig& a) {
    auto f = yaml::Fields::read(r_, node, "actions",
                                {"allow", "dry_run", "max_per_hour", "cooldown", "timeout", "verify_within", "commands"});
    if (!f) return;
    if (const YAML::Node* n = f->find("allow")) {
      if (!n->IsSequence()) r_.error(*n, "actions.allow must be a list of {rule, action}");
      for (std::size_t i = 0; n->IsSequence() && i < n->size(); ++i) {
        auto e = yaml::Fields::read(r_, (*n)[i], "actions.allow[]", {"rule", "action"});
        if (!e) continue;
        const YAML::Node* rule = e->require("rule");
        const YAML::Node* action = e->require("action");
        auto rv = rule ? yaml::string_value(r_, *rule, "rule") : std::nullopt;
        auto av = action ? yaml::string_value(r_, *action, "action") : std::nullopt;
        if (rv && av) a.allow.push_back({*rv, *av});
      }
    }
    if (const YAML::Node* n = f->find("dry_run")) {
      if (auto v = yaml::string_value(r_, *n, "dry_run")) {
        if (*v == "true" || *v == "false")
          a.dry_run = *v == "true";
        else
          r_.error(*n, "actions.dry_run must be true or false");
      }
    }
    if (const YAML::Node* n = f->find("max_per_hour")) {
      if (auto v = yaml::integer_value(r_, *n, "actions.max_per_hour", 1, 60)) a.max_per_hour = static_cast<int>(*v);
    }
    auto duration = [&](const char* key, Nanos& out) {
      if (const YAML::Node* n = f->find(key)) {
        if (auto v = yaml::duration_value(r_, *n, std::string("actions.") + key)) out = *v;
      }
    };
    duration("cooldown", a.cooldown);
    duration("timeout", a.timeout);
    duration("verify_within", a.verify_within);
    if (const YAML::Node* n = f->find("commands")) read_commands(r_, *n, a.commands);
  }

  // `tls`: the files are loaded here, as the server will load them, so a
  // missing file, a broken key or a key of another certificate is a config error.
  void read_tls(const YAML::Node& node, TlsConfig& tls) {
    auto f = yaml::Fields::read(r_, node, "tls", {"cert_file", "key_file", "client_ca_file"});
    if (!f) return;
    const std::size_t errors_before = r_.error_count();
    TlsConfig read;
    std::map<std::string, const YAML::Node*> at;  // "tls.cert_file" -> its node
    auto path = [&](const char* key, bool required, std::string& out) {
      const YAML::Node* n = required ? f->require(key) : f->find(key);
      if (!n) return;
      at["tls." + std::string(key)] = n;
      auto v = yaml::string_value(r_, *n, std::string("tls.") + key);
      if (v && (v->empty() || !is_printable_ascii(*v)))
        r_.error(*n, std::string("tls.") + key + " must be a path");
      else if (v)
        out = resolve_path(base_dir_, *v);
    };
    path("cert_file", true, read.cert_file);
    path("key_file", true, read.key_file);
    path("client_ca_file", false, read.client_ca_file);
    if (r_.error_count() != errors_before) return;
    auto ctx = make_server_tls_context(read);
    if (!ctx) {
      auto it = at.find(ctx.error().where);
      r_.error(it != at.end() ? *it->second : node, ctx.error().where + " " + ctx.error().message);
      return;
    }
    tls = std::move(read);
  }

  // `rate_limit`: {per_client: N/s|N/m|N/h|none, burst: N, allow: [addresses and CIDR blocks]}.
  void read_rate_limit(const YAML::Node& node, WebhookRateLimit& limit) {
    auto f = yaml::Fields::read(r_, node, "rate_limit", {"per_client", "burst", "allow"});
    if (!f) return;
    if (const YAML::Node* n = f->find("per_client")) {
      if (auto v = yaml::string_value(r_, *n, "rate_limit.per_client")) {
        auto rate = parse_rate(*v, "per_client");
        if (!rate) {
          r_.error(*n, "rate_limit.per_client " + rate.error().message + " (or none)");
        } else {
          limit.per_second = *rate;
          limit.rate = std::string(trim(*v));
          // Ten seconds' worth unless `burst` says otherwise.
          limit.burst = std::max(1.0, std::ceil(*rate * 10));
        }
      }
    }
    if (const YAML::Node* n = f->find("burst")) {
      if (auto v = yaml::integer_value(r_, *n, "rate_limit.burst", 1, 1000000)) limit.burst = static_cast<double>(*v);
    }
    if (const YAML::Node* n = f->find("allow")) {
      if (auto v = yaml::string_list(r_, *n, "rate_limit.allow")) {
        limit.allow.clear();
        for (std::size_t i = 0; i < v->size(); ++i) {
          auto range = parse_address_range((*v)[i]);
          if (range)
            limit.allow.push_back(std::move(*range));
          else
            r_.error((*n)[i], "rate_limit.allow[" + std::to_string(i) + "] " + range.error().message);
        }
      }
    }
  }

  void read_auth(const YAML::Node& node, AuthConfig& auth) {
    auto f = yaml::Fields::read(r_, node, "auth",
                                {"bearer_token_file", "bearer_token_env", "basic_auth", "read_token_file", "read_token_env"});
    if (!f) return;
    auth.read_token = read_secret(r_, *f, "read_token", base_dir_).value;
    auto bearer = read_secret(r_, *f, "bearer_token", base_dir_);
    auth.bearer_token = bearer.value;
    const YAML::Node* basic = f->find("basic_auth");
    if (bearer.present && basic) {
      r_.error(node, "auth takes either a bearer token or basic_auth, not both");
      return;
    }
    if (!bearer.present && !basic) {
      r_.error(node, "auth needs bearer_token_file, bearer_token_env or basic_auth");
      return;
    }
    if (!basic) return;
    auto b = yaml::Fields::read(r_, *basic, "basic_auth", {"username", "password_file", "password_env"});
    if (!b) return;
    if (const YAML::Node* u = b->require("username")) {
      auto name = yaml::string_value(r_, *u, "username");
      if (name && (name->empty() || name->find(':') != std::string::npos || !is_printable_ascii(*name)))
        r_.error(*u, "username must be non-empty printable text without ':'");
      else
        auth.basic_username = name;
    }
    auto password = read_secret(r_, *b, "password", base_dir_);
    if (!password.present) r_.error(*basic, "basic_auth needs password_file or password_env");
    auth.basic_password = password.value;
  }

  void read_clusters(const YAML::Node& list, std::vector<ClusterConfig>& out) {
    if (!list.IsSequence()) {
      r_.error(list, "clusters must be a list");
      return;
    }
    std::set<std::string> names;
    for (const auto& node : list) {
      auto f = yaml::Fields::read(r_, node, "a cluster",
                                  {"name", "match", "servers", "monitor", "user", "password_file", "password_env",
                                   "token_file", "token_env", "creds_file", "system_user", "system_password_file",
                                   "system_password_env", "system_creds_file", "leafnodes"});
      if (!f) continue;
      ClusterConfig c;
      if (const YAML::Node* n = f->require("name")) {
        if (auto v = yaml::string_value(r_, *n, "name")) {
          c.name = *v;
          if (!valid_name(c.name))
            r_.error(*n, "cluster name must be 1 to 128 of [A-Za-z0-9_.-]");
          else if (!names.insert(c.name).second)
            r_.error(*n, "duplicate cluster name \"" + c.name + "\"");
        }
      }
      if (const YAML::Node* n = f->find("match")) {
        if (auto m = yaml::match_map(r_, *n)) c.match = std::move(*m);
      }
      if (const YAML::Node* n = f->require("servers")) {
        if (auto v = yaml::string_list(r_, *n, "servers")) {
          c.servers = *v;
          if (c.servers.empty()) r_.error(*n, "servers needs at least one nats:// or tls:// URL");
          for (std::size_t i = 0; i < c.servers.size(); ++i)
            if (!valid_url(c.servers[i], {"nats://", "tls://"}))
              r_.error((*n)[i], "servers[" + std::to_string(i) + "] must be a nats:// or tls:// URL");
        }
      }
      if (const YAML::Node* n = f->find("monitor")) {
        if (auto v = yaml::string_list(r_, *n, "monitor")) {
          c.monitor = *v;
          for (std::size_t i = 0; i < c.monitor.size(); ++i)
            if (!valid_url(c.monitor[i], {"http://", "https://"}))
              r_.error((*n)[i], "monitor[" + std::to_string(i) + "] must be an http:// or https:// URL");
          if (!c.servers.empty() && c.monitor.size() != c.servers.size())
            r_.error(*n, "monitor must list one URL per server (" + std::to_string(c.servers.size()) + " servers, " +
                             std::to_string(c.monitor.size()) + " monitor URLs)");
        }
      }
      if (const YAML::Node* n = f->find("leafnodes")) {
        if (auto v = yaml::integer_value(r_, *n, "leafnodes", 0, 100000)) c.leafnodes = static_cast<std::uint64_t>(*v);
      }
      read_identity(*f, node, c);
      out.push_back(std::move(c));
    }
  }

  // Application account: user+password, token or creds; system account:
  // system_user+system_password or system_creds_file. One of each at most.
  void read_identity(const yaml::Fields& f, const YAML::Node& node, ClusterConfig& c) {
    if (const YAML::Node* n = f.find("user")) c.user = plain_string(*n, "user");
    c.password = read_secret(r_, f, "password", base_dir_).value;
    c.token = read_secret(r_, f, "token", base_dir_).value;
    if (const YAML::Node* n = f.find("creds_file")) c.creds_file = readable_path(*n, "creds_file");
    if (const YAML::Node* n = f.find("system_user")) c.system_user = plain_string(*n, "system_user");
    c.system_password = read_secret(r_, f, "system_password", base_dir_).value;
    if (const YAML::Node* n = f.find("system_creds_file")) c.system_creds_file = readable_path(*n, "system_creds_file");

    auto has = [&](const char* a, const char* b = nullptr) { return f.find(a) || (b && f.find(b)); };
    bool user = has("user"), password = has("password_file", "password_env"), token = has("token_file", "token_env"),
         creds = has("creds_file");
    if (user != password) r_.error(node, "user and password_file/password_env go together");
    if (int(user || password) + int(token) + int(creds) > 1)
      r_.error(node, "choose one identity: user and password, token, or creds_file");
    bool sys_user = has("system_user"), sys_password = has("system_password_file", "system_password_env"),
         sys_creds = has("system_creds_file");
    if (sys_user != sys_password) r_.error(node, "system_user and system_password_file/system_password_env go together");
    if ((sys_user || sys_password) && sys_creds)
      r_.error(node, "choose one system identity: system_user and system_password, or system_creds_file");
  }

  std::optional<std::string> plain_string(const YAML::Node& n, const std::string& what) {
    auto v = yaml::string_value(r_, n, what);
    if (v && (v->empty() || !is_printable_ascii(*v))) {
      r_.error(n, what + " must be non-empty printable text");
      return std::nullopt;
    }
    return v;
  }

  // A path to a file that exists and can be read; the file is not kept.
  std::optional<std::string> readable_path(const YAML::Node& n, const std::string& what) {
    auto v = yaml::string_value(r_, n, what);
    if (!v) return std::nullopt;
    std::string resolved = resolve_path(base_dir_, *v);
    auto text = read_text_file(resolved, 1u << 20);
    if (!text) {
      r_.error(n, what + ": " + text.error().message);
      return std::nullopt;
    }
    return resolved;
  }

  // Target-specific keys are kept as text for their type to check
  // (notify/targets.cpp); `KEY_file` / `KEY_env` are secrets read into KEY.
  void read_notify(const YAML::Node& list, std::vector<NotifyTarget>& out) {
    if (!list.IsSequence()) {
      r_.error(list, "notify must be a list");
      return;
    }
    std::set<std::string> names;
    for (const auto& node : list) {
      auto f = yaml::Fields::read(r_, node, "a notify target", {});
      if (!f) continue;
      NotifyTarget t;
      t.file = r_.file();
      t.line = r_.line(node);
      if (const YAML::Node* n = f->require("name")) {
        if (auto v = yaml::string_value(r_, *n, "name")) {
          t.name = *v;
          if (!valid_name(t.name))
            r_.error(*n, "notify target name must be 1 to 128 of [A-Za-z0-9_.-]");
          else if (!names.insert(t.name).second)
            r_.error(*n, "duplicate notify target name \"" + t.name + "\"");
        }
      }
      if (const YAML::Node* n = f->require("type")) {
        if (auto v = yaml::string_value(r_, *n, "type")) t.type = *v;
      }
      if (const YAML::Node* n = f->find("match")) {
        if (auto m = yaml::match_map(r_, *n)) t.match = std::move(*m);
      }
      std::set<std::string> secrets_read;  // KEY, KEY_file and KEY_env are read once, together
      for (const auto& [key, value] : f->entries()) {
        if (key == "name" || key == "type" || key == "match") continue;
        if (!valid_option_key(key)) {
          r_.error(value, "notify option names are [a-z0-9_], not \"" + key + "\"");
          continue;
        }
        std::string base = secret_base(key);
        if (base.empty() && (f->find(key + "_file") || f->find(key + "_env"))) base = key;
        if (!base.empty()) {
          if (!secrets_read.insert(base).second) continue;
          auto secret = read_secret(r_, *f, base, base_dir_, /*inline_allowed=*/true);
          if (secret.value) t.options[base] = std::move(*secret.value);
          continue;
        }
        // The message names the key only: the value may be a credential.
        if (!value.IsScalar()) {
          r_.error(value, "notify option " + key + " must be a single value");
          continue;
        }
        std::string text = value.Scalar();
        if (text.size() > 4096 || !is_printable_ascii(text))
          r_.error(value, "notify option " + key + " must be printable text of at most 4096 characters");
        else
          t.options[key] = std::move(text);
      }
      out.push_back(std::move(t));
    }
  }

  static bool valid_option_key(const std::string& key) {
    return !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
           });
  }

  // "url" for "url_file" or "url_env"; "" for any other key.
  static std::string secret_base(const std::string& key) {
    for (std::string_view suffix : {"_file", "_env"}) {
      if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
        return key.substr(0, key.size() - suffix.size());
    }
    return "";
  }

  void read_engine(const YAML::Node& node, EngineConfig& e) {
    auto f = yaml::Fields::read(r_, node, "engine",
                                {"workers", "queue", "cooldown", "step_timeout", "deadline", "max_steps", "share_reads"});
    if (!f) return;
    if (const YAML::Node* n = f->find("workers")) {
      if (auto v = yaml::integer_value(r_, *n, "workers", 1, 64)) e.workers = static_cast<int>(*v);
    }
    if (const YAML::Node* n = f->find("queue")) {
      if (auto v = yaml::integer_value(r_, *n, "queue", 1, 1000000)) e.queue = static_cast<std::size_t>(*v);
    }
    if (const YAML::Node* n = f->find("max_steps")) {
      if (auto v = yaml::integer_value(r_, *n, "max_steps", 1, 1000)) e.max_steps = static_cast<std::size_t>(*v);
    }
    if (const YAML::Node* n = f->find("cooldown")) {
      // 0s is allowed here: it turns repeat suppression off.
      auto text = yaml::string_value(r_, *n, "cooldown");
      auto d = text ? parse_duration(*text) : std::nullopt;
      if (text && !d) r_.error(*n, "cooldown must be a duration such as 0s, 5m or 1h");
      if (d) e.cooldown = *d;
    }
    if (const YAML::Node* n = f->find("share_reads")) {
      // 0s is allowed: every triage reads for itself.
      auto text = yaml::string_value(r_, *n, "share_reads");
      auto d = text ? parse_duration(*text) : std::nullopt;
      if (text && (!d || *d > std::chrono::minutes(1)))
        r_.error(*n, "share_reads must be a duration from 0s to 1m, such as 2s");
      else if (d)
        e.share_reads = *d;
    }
    if (const YAML::Node* n = f->find("step_timeout")) {
      if (auto d = yaml::duration_value(r_, *n, "step_timeout")) e.step_timeout = *d;
    }
    if (const YAML::Node* n = f->find("deadline")) {
      if (auto d = yaml::duration_value(r_, *n, "deadline")) e.deadline = *d;
    }
    if (e.step_timeout > e.deadline) {
      const YAML::Node* at = f->find("step_timeout") ? f->find("step_timeout") : f->find("deadline");
      r_.error(at ? *at : node, "step_timeout (" + format_duration(e.step_timeout) + ") must not exceed deadline (" +
                                    format_duration(e.deadline) + ")");
    }
  }

  void read_delivery(const YAML::Node& node, DeliveryConfig& d) {
    auto f = yaml::Fields::read(r_, node, "delivery", {"max_age", "attempt_timeout", "first_backoff", "max_backoff"});
    if (!f) return;
    for (auto [key, field] : {std::pair{"max_age", &d.max_age}, std::pair{"attempt_timeout", &d.attempt_timeout},
                              std::pair{"first_backoff", &d.first_backoff}, std::pair{"max_backoff", &d.max_backoff}}) {
      if (const YAML::Node* n = f->find(key))
        if (auto v = yaml::duration_value(r_, *n, key)) *field = *v;
    }
    if (d.first_backoff > d.max_backoff)
      r_.error(node, "delivery.first_backoff must not exceed delivery.max_backoff");
  }

  void read_state(const YAML::Node& node, StateConfig& s) {
    auto f = yaml::Fields::read(r_, node, "state", {"dir", "sync", "keep_reports", "keep_for"});
    if (!f) return;
    if (const YAML::Node* n = f->find("dir")) {
      if (auto v = yaml::string_value(r_, *n, "dir")) {
        if (v->empty() || !is_printable_ascii(*v))
          r_.error(*n, "state.dir must be a path");
        else
          s.dir = resolve_path(base_dir_, *v);
      }
    }
    if (const YAML::Node* n = f->find("sync")) {
      if (auto v = yaml::string_value(r_, *n, "sync")) {
        if (*v == "full" || *v == "normal")
          s.full_sync = *v == "full";
        else
          r_.error(*n, "state.sync must be normal or full");
      }
    }
    if (const YAML::Node* n = f->find("keep_reports")) {
      if (auto v = yaml::integer_value(r_, *n, "keep_reports", 1, 1000000)) s.keep_reports = static_cast<std::size_t>(*v);
    }
    if (const YAML::Node* n = f->find("keep_for")) {
      if (auto v = yaml::duration_value(r_, *n, "keep_for")) s.keep_for = *v;
    }
  }

  // A share of a limit: a number with 0 < x <= 1.
  std::optional<double> ratio_value(const YAML::Node& n, const std::string& what) {
    auto s = yaml::string_value(r_, n, what);
    if (!s) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    // Written as a negation so that NaN fails too.
    if (ec != std::errc() || end != s->data() + s->size() || !(v > 0 && v <= 1)) {
      r_.error(n, what + " must be a number greater than 0 and at most 1, such as 0.8, not \"" + *s + "\"");
      return std::nullopt;
    }
    return v;
  }

  void read_thresholds(const YAML::Node& node, Thresholds& t) {
    auto f = yaml::Fields::read(r_, node, "thresholds",
                                {"storage_warning", "storage_critical", "purge_target", "replica_lag_ops", "replica_silent",
                                 "consumer_pending", "consumer_ack_pending", "consumer_ack_pending_ratio",
                                 "consumer_stale", "consumer_redeliveries"});
    if (!f) return;
    constexpr std::int64_t kMaxCount = 1'000'000'000'000;
    auto ratio = [&](const char* key, double& out) {
      if (const YAML::Node* n = f->find(key)) {
        if (auto v = ratio_value(*n, "thresholds." + std::string(key))) out = *v;
      }
    };
    auto count = [&](const char* key, std::uint64_t& out) {
      if (const YAML::Node* n = f->find(key)) {
        if (auto v = yaml::integer_value(r_, *n, "thresholds." + std::string(key), 0, kMaxCount))
          out = static_cast<std::uint64_t>(*v);
      }
    };
    auto duration = [&](const char* key, Nanos& out) {
      if (const YAML::Node* n = f->find(key)) {
        if (auto v = yaml::duration_value(r_, *n, "thresholds." + std::string(key))) out = *v;
      }
    };
    ratio("storage_warning", t.storage_warning);
    ratio("storage_critical", t.storage_critical);
    ratio("purge_target", t.purge_target);
    count("replica_lag_ops", t.replica_lag_ops);
    duration("replica_silent", t.replica_silent);
    count("consumer_pending", t.consumer_pending);
    count("consumer_ack_pending", t.consumer_ack_pending);
    ratio("consumer_ack_pending_ratio", t.consumer_ack_pending_ratio);
    duration("consumer_stale", t.consumer_stale);
    count("consumer_redeliveries", t.consumer_redeliveries);
    if (t.storage_warning > t.storage_critical) {
      const YAML::Node* at = f->find("storage_warning") ? f->find("storage_warning") : f->find("storage_critical");
      r_.error(at ? *at : node, "thresholds.storage_warning (" + fmt_ratio(t.storage_warning) +
                                    ") must not exceed storage_critical (" + fmt_ratio(t.storage_critical) + ")");
    }
    if (t.purge_target >= t.storage_warning && !f->find("purge_target")) {
      // A low storage_warning alone moves the default target down with it.
      t.purge_target = t.storage_warning * 0.625;
    } else if (t.purge_target >= t.storage_warning) {
      r_.error(*f->find("purge_target"), "thresholds.purge_target (" + fmt_ratio(t.purge_target) +
                                    ") must be below storage_warning (" + fmt_ratio(t.storage_warning) + ")");
    }
  }

  static std::string fmt_ratio(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("?");
  }

  yaml::Reader& r_;
  std::string base_dir_;
};

std::string directory_of(const std::string& file) {
  std::filesystem::path p(file);
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  std::filesystem::path dir = (ec ? p : abs).parent_path();
  return dir.empty() ? "." : dir.lexically_normal().string();
}

}  // namespace

ConfigLoad load_config_text(const std::string& yaml, const std::string& file) {
  ConfigLoad out;
  Config c;
  c.source = file;
  c.base_dir = directory_of(file);
  yaml::Reader reader(file);
  try {
    ConfigReader(reader, c.base_dir).read(yaml, c);
  } catch (const YAML::Exception& e) {  // yaml-cpp throws for shapes we did not foresee
    reader.error_at_line(e.mark.is_null() ? 1 : e.mark.line + 1, "cannot read config: " + e.msg);
  }
  out.errors = reader.errors();
  if (out.errors.empty()) out.config = std::move(c);
  return out;
}

ConfigLoad load_config(const std::string& path) {
  auto text = read_text_file(path, kMaxConfigBytes);
  if (!text) {
    ConfigLoad out;
    out.errors.push_back(Error{path, text.error().message});
    return out;
  }
  return load_config_text(*text, path);
}

}  // namespace rr
