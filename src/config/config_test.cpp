#include "config/config.h"

#include <stdlib.h>

#include <catch2/catch.hpp>

#include "support/process.h"

namespace rr {
namespace {

using namespace std::chrono_literals;

std::string all_errors(const ConfigLoad& load) {
  std::string out;
  for (const auto& e : load.errors) out += e.to_string() + "\n";
  return out;
}

// Loads `yaml` as `dir`/c.yaml and expects exactly one error at `line`
// containing `text`.
void expect_one_error(const std::string& yaml, int line, const std::string& text, const std::string& dir = "/nonexistent") {
  ConfigLoad load = load_config_text(yaml, dir + "/c.yaml");
  INFO(yaml);
  INFO(all_errors(load));
  CHECK_FALSE(load.config);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].where == dir + "/c.yaml:" + std::to_string(line));
  CHECK(load.errors[0].message.find(text) != std::string::npos);
}

// Sets an environment variable for one test, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace

TEST_CASE("a full config file loads, secrets from files and the environment") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "secrets");
  test::write_file(dir / "secrets/token", "tok-123\n");
  test::write_file(dir / "secrets/nats-password", "np\r\n");
  test::write_file(dir / "secrets/slack-url", "https://hooks.slack.com/services/T0/B0/xyz\n");
  test::write_file(dir / "sys.creds", "-----BEGIN NATS USER JWT-----\n");
  ScopedEnv env("RR_TEST_SYS_PASSWORD", "sys-pw");
  const std::string yaml = R"(listen: "0.0.0.0:9095"
auth: {bearer_token_file: secrets/token}
body_limit: 512KiB
rules: ["rules/*.yaml", "/etc/extra.yaml"]
clusters:
  - name: cim
    match:
      cluster: cim
      matchers: ['env=~"prod|staging"']
    servers: ["nats://10.0.0.1:4222", "tls://10.0.0.2:4222"]
    monitor: ["http://10.0.0.1:8222", "https://10.0.0.2:8222"]
    user: responder
    password_file: secrets/nats-password
    system_user: sysmon
    system_password_env: RR_TEST_SYS_PASSWORD
    leafnodes: 3
  - name: titan
    servers: ["nats://127.0.0.1:4222"]
    system_creds_file: sys.creds
notify:
  - {name: oncall, type: slack, url_file: secrets/slack-url}
  - {name: archive, type: webhook, url: "http://127.0.0.1:9999/reports", match: {severity: critical}}
  - {name: console, type: console}
engine: {workers: 8, queue: 100, cooldown: 10m, step_timeout: 3s, deadline: 20s}
delivery: {max_age: 1h, attempt_timeout: 7s, first_backoff: 2s, max_backoff: 1m}
state: {dir: var/state, sync: full, keep_reports: 50, keep_for: 2d}
external_url: "https://responder.example.com"
)";
  test::write_file(dir / "responder.yaml", yaml);
  ConfigLoad load = load_config((dir / "responder.yaml").string());
  INFO(all_errors(load));
  REQUIRE(load.errors.empty());
  REQUIRE(load.config);
  const Config& c = *load.config;
  CHECK(c.listen == "0.0.0.0:9095");
  CHECK(c.auth.bearer_token == std::optional<std::string>("tok-123"));
  CHECK_FALSE(c.auth.basic_username);
  CHECK(c.body_limit == 512 * 1024);
  CHECK(c.rules == std::vector<std::string>{"rules/*.yaml", "/etc/extra.yaml"});
  CHECK(c.base_dir == dir.path().string());
  CHECK(c.source == (dir / "responder.yaml").string());

  REQUIRE(c.clusters.size() == 2);
  const ClusterConfig& cim = c.clusters[0];
  CHECK(cim.name == "cim");
  CHECK(cim.servers == std::vector<std::string>{"nats://10.0.0.1:4222", "tls://10.0.0.2:4222"});
  CHECK(cim.monitor.size() == 2);
  CHECK(cim.user == std::optional<std::string>("responder"));
  CHECK(cim.password == std::optional<std::string>("np"));
  CHECK(cim.system_user == std::optional<std::string>("sysmon"));
  CHECK(cim.system_password == std::optional<std::string>("sys-pw"));
  CHECK_FALSE(cim.token);
  CHECK(c.clusters[1].system_creds_file == std::optional<std::string>((dir / "sys.creds").string()));
  CHECK(c.clusters[1].match.empty());
  CHECK(cim.leafnodes == std::optional<std::uint64_t>(3));
  CHECK_FALSE(c.clusters[1].leafnodes);

  CHECK(c.cluster_for({{"cluster", "cim"}, {"env", "prod"}}) == &c.clusters[0]);
  CHECK(c.cluster_for({{"cluster", "cim"}, {"env", "dev"}}) == &c.clusters[1]);  // titan matches everything
  CHECK(c.cluster_for({}) == &c.clusters[1]);

  REQUIRE(c.notify.size() == 3);
  CHECK(c.notify[0].type == "slack");
  CHECK(c.notify[0].option("url") == "https://hooks.slack.com/services/T0/B0/xyz");
  CHECK(c.notify[0].options.size() == 1);  // url_file was read into url
  CHECK(c.notify[0].where() == (dir / "responder.yaml").string() + ":21");
  CHECK(c.notify[1].option("url") == "http://127.0.0.1:9999/reports");
  REQUIRE(c.notify[1].match.size() == 1);
  CHECK(c.notify[1].match[0].to_string() == R"(severity="critical")");
  CHECK(c.notify[2].options.empty());

  CHECK(c.engine.workers == 8);
  CHECK(c.engine.queue == 100);
  CHECK(c.engine.cooldown == 10min);
  CHECK(c.engine.step_timeout == 3s);
  CHECK(c.engine.deadline == 20s);
  CHECK(c.delivery.max_age == 1h);
  CHECK(c.delivery.attempt_timeout == 7s);
  CHECK(c.delivery.first_backoff == 2s);
  CHECK(c.delivery.max_backoff == 1min);
  CHECK(c.state.dir == (dir / "var/state").string());
  CHECK(c.state.full_sync);
  CHECK(c.state.keep_reports == 50);
  CHECK(c.state.keep_for == 48h);
  CHECK(c.external_url == "https://responder.example.com");
}

TEST_CASE("a minimal file keeps the defaults; absent notify means console") {
  ConfigLoad load = load_config_text("clusters:\n  - {name: c, servers: [\"nats://127.0.0.1:4222\"]}\n", "/x/c.yaml");
  REQUIRE(load.config);
  const Config& c = *load.config;
  CHECK(c.listen == "127.0.0.1:9095");
  CHECK_FALSE(c.auth.enabled());
  CHECK(c.body_limit == 1024 * 1024);
  CHECK(c.rules == std::vector<std::string>{"rules/*.yaml"});
  CHECK(c.base_dir == "/x");
  REQUIRE(c.notify.size() == 1);
  CHECK(c.notify[0].type == "console");
  CHECK(c.engine.workers == 4);
  CHECK(c.state.dir == "/x/state");
  CHECK_FALSE(c.state.full_sync);
  CHECK(c.delivery.max_age == 2h);
  CHECK(c.external_url.empty());

  ConfigLoad empty = load_config_text("", "/x/c.yaml");
  REQUIRE(empty.config);
  CHECK(empty.config->clusters.empty());
  CHECK(empty.config->notify.size() == 1);
  CHECK(empty.config->state.dir == "/x/state");
}

TEST_CASE("Under systemd the state store defaults to its StateDirectory") {
  struct Env {
    Env() { ::setenv("STATE_DIRECTORY", "/var/lib/runbook-responder:/var/lib/other", 1); }
    ~Env() { ::unsetenv("STATE_DIRECTORY"); }
  } env;
  CHECK(load_config_text("listen: 127.0.0.1:9095\n", "/etc/rr/c.yaml").config->state.dir ==
        "/var/lib/runbook-responder");
  CHECK(load_config_text("", "/etc/rr/c.yaml").config->state.dir == "/var/lib/runbook-responder");
  // What the config says wins.
  CHECK(load_config_text("state: {dir: /srv/rr}\n", "/etc/rr/c.yaml").config->state.dir == "/srv/rr");
  ::setenv("STATE_DIRECTORY", "relative", 1);  // not systemd's: ignored
  CHECK(load_config_text("", "/etc/rr/c.yaml").config->state.dir == "/etc/rr/state");
}

TEST_CASE("default_config is loopback, one local cluster, console") {
  Config c = default_config();
  CHECK(c.listen == "127.0.0.1:9095");
  CHECK(is_loopback_listen(c.listen));
  CHECK(c.rules == std::vector<std::string>{"rules/*.yaml"});
  REQUIRE(c.clusters.size() == 1);
  CHECK(c.clusters[0].name == "default");
  CHECK(c.clusters[0].servers == std::vector<std::string>{"nats://127.0.0.1:4222"});
  CHECK(c.clusters[0].monitor == std::vector<std::string>{"http://127.0.0.1:8222"});
  CHECK(c.cluster_for({{"anything", "x"}}) == &c.clusters[0]);
  REQUIRE(c.notify.size() == 1);
  CHECK(c.notify[0].name == "console");
  CHECK(c.notify[0].type == "console");
}

TEST_CASE("is_loopback_listen") {
  CHECK(is_loopback_listen("127.0.0.1:9095"));
  CHECK(is_loopback_listen("127.8.9.10:1"));
  CHECK(is_loopback_listen("localhost:9095"));
  CHECK(is_loopback_listen("[::1]:9095"));
  CHECK(is_loopback_listen("[0:0:0:0:0:0:0:1]:9095"));
  CHECK(is_loopback_listen("[::ffff:127.0.0.1]:9095"));
  CHECK_FALSE(is_loopback_listen("0.0.0.0:9095"));
  CHECK_FALSE(is_loopback_listen("[::]:9095"));
  CHECK_FALSE(is_loopback_listen("10.0.0.1:9095"));
  CHECK_FALSE(is_loopback_listen("128.0.0.1:9095"));
  CHECK_FALSE(is_loopback_listen("localhost.evil.com:9095"));
  CHECK_FALSE(is_loopback_listen("127.0.0.1"));
  CHECK_FALSE(is_loopback_listen("::1:9095"));
  CHECK_FALSE(is_loopback_listen(""));

}

TEST_CASE("a non-loopback listen without auth is refused") {
  expect_one_error("listen: \"0.0.0.0:9095\"\n", 1, "auth is required when listen is not a loopback address");
  expect_one_error("notify: []\nlisten: \"[::]:9095\"\n", 2, "auth is required when listen is not a loopback address");
  ScopedEnv env("RR_TEST_TOKEN", "t");
  CHECK(load_config_text("listen: \"0.0.0.0:9095\"\nauth: {bearer_token_env: RR_TEST_TOKEN}\n", "/x/c.yaml").config);
  CHECK(load_config_text("listen: \"[::1]:9095\"\n", "/x/c.yaml").config);
}

TEST_CASE("basic auth reads a username and a password secret") {
  test::TempDir dir;
  test::write_file(dir / "pw", "hunter2\n\n");
  ConfigLoad load =
      load_config_text("listen: \"10.1.2.3:9095\"\nauth:\n  basic_auth: {username: am, password_file: pw}\n",
                       (dir / "c.yaml").string());
  INFO(all_errors(load));
  REQUIRE(load.config);
  CHECK(load.config->auth.basic_username == std::optional<std::string>("am"));
  CHECK(load.config->auth.basic_password == std::optional<std::string>("hunter2"));
  CHECK(load.config->auth.enabled());

  expect_one_error("auth:\n  basic_auth: {username: am}\n", 2, "needs password_file or password_env");
  expect_one_error("auth: {}\n", 1, "auth needs");
  expect_one_error("auth:\n  bearer_token_env: A\n  bearer_token_file: B\n", 2, "set only one of");
}

TEST_CASE("each config error is reported at its line") {
  expect_one_error("listen: \"127.0.0.1:9095\"\ncolour: red\n", 2, "unknown key \"colour\"");
  expect_one_error("listen: \"127.0.0.1\"\n", 1, "listen must be host:port");
  expect_one_error("body_limit: 1GiB\n", 1, "body_limit");
  expect_one_error("body_limit: 0\n", 1, "body_limit");
  expect_one_error("rules: rules/*.yaml\n", 1, "rules must be a list");
  expect_one_error("engine:\n  workers: 0\n", 2, "workers must be an integer from 1 to 64");
  expect_one_error("engine:\n  workers: 65\n", 2, "workers");
  expect_one_error("engine:\n  queue: 1000001\n", 2, "queue");
  expect_one_error("engine:\n  queue: lots\n", 2, "queue");
  expect_one_error("engine:\n  max_steps: 0\n", 2, "max_steps must be an integer from 1 to 1000");
  expect_one_error("engine:\n  deadline: 2s\n  step_timeout: 3s\n", 3, "must not exceed deadline");
  expect_one_error("engine:\n  cooldown: forever\n", 2, "cooldown");
  expect_one_error("engine:\n  speed: 11\n", 2, "unknown key \"speed\"");
  expect_one_error("clusters:\n  - {name: a, servers: [\"nats://h:4222\"]}\n  - {name: a, servers: [\"nats://h:4222\"]}\n",
                   3, "duplicate cluster name");
  expect_one_error("clusters:\n  - name: a\n    servers:\n      - \"nats://h:4222\"\n      - \"http://h:4222\"\n", 5,
                   "servers[1] must be a nats:// or tls:// URL");
  expect_one_error("clusters:\n  - name: a\n    servers: []\n", 3, "at least one");
  expect_one_error("clusters:\n  - {name: a, servers: [\"nats://h:4222\"], leafnodes: -1}\n", 2, "leafnodes");
  expect_one_error("clusters:\n  - name: a\n", 2, "needs \"servers\"");
  expect_one_error("clusters:\n  - name: a\n    servers: [\"nats://h:4222\"]\n    monitor: [\"ftp://h\"]\n", 4,
                   "monitor[0] must be an http");
  expect_one_error("clusters:\n  - name: a\n    servers: [\"nats://h:1\", \"nats://g:1\"]\n    monitor: [\"http://h:2\"]\n", 4,
                   "one URL per server");
  expect_one_error("clusters:\n  - name: a\n    servers: [\"nats://h:1\"]\n    user: u\n", 2, "go together");
  expect_one_error("clusters:\n  - name: a\n    servers: [\"nats://h:1\"]\n    match: {team: x, matchers: ['a=~\"(\"']}\n",
                   4, "invalid regex");
  expect_one_error("clusters:\n  - name: a\n    servers: [\"nats://h:1\"]\n    creds_file: missing.creds\n", 4,
                   "creds_file: cannot read /nonexistent/missing.creds");
  // Which options a type takes is the type's to check (notify/targets_test.cpp).
  expect_one_error("notify:\n  - {name: x, type: console}\n  - {name: x, type: console}\n", 3, "duplicate notify");
  expect_one_error("notify:\n  - {name: x, type: webhook, Url: \"http://h\"}\n", 2, "notify option names are [a-z0-9_]");
  expect_one_error("notify:\n  - {name: x, type: webhook, url: [1]}\n", 2, "notify option url must be a single value");
  expect_one_error("notify:\n  - {name: x, type: webhook, url: \"a\\u0007b\"}\n", 2, "printable text");
  expect_one_error("notify:\n  - {name: x, type: webhook, url: a, url_env: B}\n", 2, "set only one of url, url_file or url_env");
  expect_one_error("notify:\n  - {name: x}\n", 2, "type");
  expect_one_error("state: {sync: sometimes}\n", 1, "state.sync must be normal or full");
  expect_one_error("delivery: {first_backoff: 10m, max_backoff: 1m}\n", 1, "first_backoff must not exceed");
  expect_one_error("external_url: \"https://r.example/\"\n", 1, "without a trailing slash");
  expect_one_error("external_url: \"ftp://r.example\"\n", 1, "http:// or https://");
  expect_one_error("engine: {notify_timeout: 7s}\n", 1, "notify_timeout");
  expect_one_error("listen: [\n", 2, "YAML syntax error");
}

TEST_CASE("two errors in one file are both reported") {
  ConfigLoad load = load_config_text("engine:\n  workers: 0\nnotify:\n  - {name: \"x y\", type: nope}\n", "/d/c.yaml");
  REQUIRE(load.errors.size() == 2);
  CHECK(load.errors[0].where == "/d/c.yaml:2");
  CHECK(load.errors[1].where == "/d/c.yaml:4");
}

TEST_CASE("secret problems name the key and path, never the content") {
  test::TempDir dir;
  const std::string secret = "s3cr3t-VALUE";
  test::write_file(dir / "empty", "\n\n");
  test::write_file(dir / "ctl", secret + "\x01more\n");
  ScopedEnv env("RR_TEST_EMPTY", "");
  const std::string c = (dir / "c.yaml").string();

  struct Case {
    std::string yaml;
    std::string expect;
  };
  for (const Case& k : std::vector<Case>{
           {"auth: {bearer_token_file: empty}\n", "bearer_token_file " + (dir / "empty").string() + ": the secret is empty"},
           {"auth: {bearer_token_file: nope}\n", "bearer_token_file: cannot read " + (dir / "nope").string()},
           {"auth: {bearer_token_file: ctl}\n", "control characters"},
           {"auth: {bearer_token_env: RR_TEST_EMPTY}\n", "bearer_token_env RR_TEST_EMPTY: the variable is unset or empty"},
           {"auth: {bearer_token_env: RR_TEST_SURELY_UNSET_42}\n", "RR_TEST_SURELY_UNSET_42"},
           {"auth: {bearer_token_env: \"A;B\"}\n", "must name an environment variable"},
           {"notify:\n  - {name: s, type: slack, url_file: ctl}\n", "control characters"},
       }) {
    ConfigLoad load = load_config_text(k.yaml, c);
    INFO(k.yaml);
    INFO(all_errors(load));
    REQUIRE(load.errors.size() == 1);
    CHECK(load.errors[0].message.find(k.expect) != std::string::npos);
    CHECK(all_errors(load).find(secret) == std::string::npos);
    CHECK(all_errors(load).find("s3cr3t") == std::string::npos);
  }
}

TEST_CASE("a missing or unreadable config file is an error") {
  ConfigLoad load = load_config("/nonexistent/responder.yaml");
  CHECK_FALSE(load.config);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].message.find("/nonexistent/responder.yaml") != std::string::npos);
}

TEST_CASE("hostile config files give errors, never crashes") {
  for (const std::string& text :
       {std::string("- a\n- b\n"), std::string("listen: [1, 2]\n"), std::string("clusters: {a: b}\n"),
        std::string("clusters:\n  - [x]\n"), std::string("notify: &a [*a]\n"), std::string(5000, '{'),
        std::string("engine: {workers: 99999999999999999999999}\n"), std::string("engine: {workers: -1}\n"),
        std::string("auth: {bearer_token_file: /dev/zero}\n"), std::string("auth: {bearer_token_file: /}\n"),
        std::string("listen: \"\\0\"\n")}) {
    INFO(text.substr(0, 60));
    ConfigLoad load = load_config_text(text, "/h/c.yaml");
    CHECK_FALSE(load.config);
    CHECK_FALSE(load.errors.empty());
    for (const auto& e : load.errors) CHECK(e.where.rfind("/h/c.yaml:", 0) == 0);
  }
}


TEST_CASE("thresholds default to the documented values and can be overridden") {
  ConfigLoad defaults = load_config_text("", "/x/c.yaml");
  REQUIRE(defaults.config);
  const Thresholds& d = defaults.config->thresholds;
  CHECK(d.storage_warning == 0.8);
  CHECK(d.storage_critical == 0.95);
  CHECK(d.replica_lag_ops == 200);
  CHECK(d.replica_silent == 5s);
  CHECK(d.consumer_pending == 1000);
  CHECK(d.consumer_ack_pending == 1000);
  CHECK(d.consumer_ack_pending_ratio == 0.8);
  CHECK(d.consumer_stale == 5min);
  CHECK(d.consumer_redeliveries == 100);

  const std::string yaml = R"(thresholds:
  storage_warning: 0.7
  storage_critical: 0.9
  replica_lag_ops: 50
  replica_silent: 10s
  consumer_pending: 0
  consumer_ack_pending: 20
  consumer_ack_pending_ratio: 1
  consumer_stale: 90s
  consumer_redeliveries: 3
)";
  ConfigLoad load = load_config_text(yaml, "/x/c.yaml");
  INFO(all_errors(load));
  REQUIRE(load.config);
  const Thresholds& t = load.config->thresholds;
  CHECK(t.storage_warning == 0.7);
  CHECK(t.storage_critical == 0.9);
  CHECK(t.replica_lag_ops == 50);
  CHECK(t.replica_silent == 10s);
  CHECK(t.consumer_pending == 0);
  CHECK(t.consumer_ack_pending == 20);
  CHECK(t.consumer_ack_pending_ratio == 1.0);
  CHECK(t.consumer_stale == 90s);
  CHECK(t.consumer_redeliveries == 3);

  // A partial block keeps the other defaults.
  ConfigLoad partial = load_config_text("thresholds: {consumer_pending: 5}\n", "/x/c.yaml");
  REQUIRE(partial.config);
  CHECK(partial.config->thresholds.consumer_pending == 5);
  CHECK(partial.config->thresholds.storage_warning == 0.8);
  CHECK(partial.config->thresholds.purge_target == 0.5);
  // A low warning alone takes the purge target down with it.
  ConfigLoad low = load_config_text("thresholds: {storage_warning: 0.4}\n", "/x/c.yaml");
  REQUIRE(low.config);
  CHECK(low.config->thresholds.purge_target == Approx(0.25));
}

TEST_CASE("thresholds out of range are errors at their line") {
  expect_one_error("thresholds:\n  storage_warning: 0\n", 2, "thresholds.storage_warning must be a number greater than 0");
  expect_one_error("thresholds:\n  storage_critical: 1.5\n", 2, "thresholds.storage_critical");
  expect_one_error("thresholds:\n  storage_warning: 80%\n", 2, "not \"80%\"");
  expect_one_error("thresholds:\n  storage_warning: nan\n", 2, "storage_warning");
  expect_one_error("thresholds:\n  consumer_ack_pending_ratio: -0.5\n", 2, "consumer_ack_pending_ratio");
  expect_one_error("thresholds:\n  storage_critical: 0.9\n  storage_warning: 0.95\n", 3,
                   "storage_warning (0.95) must not exceed storage_critical (0.9)");
  expect_one_error("thresholds:\n  purge_target: 0.85\n", 2, "purge_target (0.85) must be below storage_warning (0.8)");
  expect_one_error("thresholds:\n  consumer_pending: -1\n", 2, "thresholds.consumer_pending must be an integer from 0");
  expect_one_error("thresholds:\n  replica_lag_ops: many\n", 2, "replica_lag_ops");
  expect_one_error("thresholds:\n  consumer_stale: 0s\n", 2, "thresholds.consumer_stale must be a positive duration");
  expect_one_error("thresholds:\n  replica_silent: soon\n", 2, "replica_silent");
  expect_one_error("thresholds:\n  consumer_lag: 3\n", 2, "unknown key \"consumer_lag\"");
  expect_one_error("thresholds: [1, 2]\n", 1, "thresholds");
}

}  // namespace rr
