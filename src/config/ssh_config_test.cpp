#include <catch2/catch.hpp>

#include "config/config.h"
#include "support/process.h"

namespace rr {
namespace {

std::string all_errors(const ConfigLoad& load) {
  std::string out;
  for (const auto& e : load.errors) out += e.to_string() + "\n";
  return out;
}

// A directory with a key and a known_hosts file the config can name.
struct SshFiles {
  test::TempDir dir;
  SshFiles() {
    test::write_file(dir / "id", "not really a key\n");
    test::write_file(dir / "known_hosts", "");
  }
  ConfigLoad load(const std::string& yaml) { return load_config_text(yaml, (dir / "c.yaml").string()); }
};

const char* kBase = R"(
clusters:
  - {name: cim, servers: ["nats://127.0.0.1:4222"]}
ssh: {user: responder, key_file: id, known_hosts: known_hosts, vars: {unit: nats-server}}
)";

}  // namespace

TEST_CASE("hosts inherit ssh defaults; vars and built-in commands are there") {
  SshFiles f;
  ConfigLoad load = f.load(std::string(kBase) + R"(
hosts:
  - {name: nats-node-1, address: 127.0.0.1, port: 2222, cluster: cim}
  - {name: nats-node-2, user: ops, vars: {unit: nats}}
)");
  INFO(all_errors(load));
  REQUIRE(load.config);
  const Config& c = *load.config;
  REQUIRE(c.hosts.size() == 2);
  const HostConfig* h1 = c.host("nats-node-1");
  REQUIRE(h1);
  CHECK(h1->address == "127.0.0.1");
  CHECK(h1->port == 2222);
  CHECK(h1->user == "responder");
  CHECK(h1->key_file == (f.dir / "id").string());
  CHECK(h1->known_hosts == (f.dir / "known_hosts").string());
  CHECK(h1->cluster == "cim");
  const HostConfig* h2 = c.host("nats-node-2");
  REQUIRE(h2);
  CHECK(h2->address == "nats-node-2");
  CHECK(h2->port == 22);
  CHECK(h2->user == "ops");
  CHECK(h2->vars.at("unit") == "nats");
  CHECK(c.host("nats-node-3") == nullptr);
  CHECK(c.ssh.vars.at("unit") == "nats-server");
  CHECK(c.ssh.vars.at("container") == "titan-nats");  // built-in kept
  CHECK(c.commands.size() == builtin_commands().size());
}

TEST_CASE("a command entry replaces the built-in of its name or adds one") {
  SshFiles f;
  ConfigLoad load = f.load(std::string(kBase) + R"(
commands:
  - name: unit_journal
    argv: [journalctl, -u, "{unit}", -n, "50", --no-pager]
    params: {unit: word}
    parse: journal
  - {name: uptime, argv: [uptime]}
)");
  INFO(all_errors(load));
  REQUIRE(load.config);
  const auto& cmds = load.config->commands;
  CHECK(cmds.size() == builtin_commands().size() + 1);
  auto journal = std::find_if(cmds.begin(), cmds.end(), [](const CommandSpec& c) { return c.name == "unit_journal"; });
  REQUIRE(journal != cmds.end());
  CHECK(journal->argv[4] == "50");
  CHECK(journal->params.size() == 1);
}

TEST_CASE("bad hosts, commands, vars and redact patterns are errors with their line") {
  SshFiles f;
  auto expect = [&](const std::string& yaml, const std::string& text) {
    ConfigLoad load = f.load(std::string(kBase) + yaml);
    INFO(yaml);
    INFO(all_errors(load));
    CHECK_FALSE(load.config);
    CHECK(all_errors(load).find(text) != std::string::npos);
  };
  expect("hosts:\n  - {name: \"a;b\"}\n", "host name");
  expect("hosts:\n  - {name: n1}\n  - {name: n1}\n", "duplicate host");
  expect("hosts:\n  - {name: n1, cluster: nope}\n", "no cluster named");
  expect("hosts:\n  - {name: n1, port: 70000}\n", "port");
  expect("hosts:\n  - {name: n1, key_file: /nonexistent/key}\n", "cannot read");
  expect("hosts:\n  - {name: n1, bogus: 1}\n", "bogus");
  expect("commands:\n  - {name: x, argv: [\"{a}\"], params: {a: word}}\n", "program");
  expect("commands:\n  - {name: x, argv: [ls, \"{a}\"]}\n", "needs a type");
  expect("commands:\n  - {name: x, argv: [ls], params: {a: word}}\n", "not used");
  expect("commands:\n  - {name: x, argv: [ls, \"{a}\"], params: {a: shell}}\n", "unknown type");
  expect("commands:\n  - {name: x, argv: [ls], parse: magic}\n", "parse must be");
  expect("commands:\n  - {name: Bad-Name, argv: [ls]}\n", "command name");
  expect("hosts:\n  - {name: n1, vars: {unit: \"nats; reboot\"}}\n", "var unit");
  expect("hosts:\n  - {name: n1, vars: {lines: \"-5\"}}\n", "var lines");
  expect("redact: [\"(unclosed\"]\n", "redact");
}

TEST_CASE("a host without user, key or known_hosts anywhere is an error") {
  SshFiles f;
  ConfigLoad load = f.load("hosts:\n  - {name: n1}\n");
  CHECK_FALSE(load.config);
  std::string errors = all_errors(load);
  CHECK(errors.find("needs user") != std::string::npos);
  CHECK(errors.find("needs key_file") != std::string::npos);
  CHECK(errors.find("needs known_hosts") != std::string::npos);
}

TEST_CASE("redact patterns reach the config's redactor") {
  SshFiles f;
  ConfigLoad load = f.load("redact: ['api_secret=([A-Za-z0-9]+)']\n");
  INFO(all_errors(load));
  REQUIRE(load.config);
  CHECK(load.config->redactor.apply("x api_secret=abc123 y") == "x api_secret=[REDACTED] y");
}

}  // namespace rr
