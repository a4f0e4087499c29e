// Host steps as an SRE runs them: the responder binary connects to a real
// sshd on loopback (keys and known_hosts made for the test), where stub
// systemctl, journalctl, df and find print what a NATS host prints. What
// ran is checked on the server side, from the stubs' own record.

#include <catch2/catch.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "steps/host/test_samples.h"
#include "support/http_sink.h"
#include "support/alertmanager.h"
#include "support/process.h"
#include "support/skip.h"
#include "support/sshd.h"

using namespace rr::test;
using nlohmann::json;
namespace samples = rr::host::samples;

namespace {

constexpr const char* kRouteSecret = "T0pS3cretRoute";  // in samples::kShortIso's route URL
constexpr const char* kPlanted = "nats_pw=Zq7-planted-secret-Zq7";

const json* finding(const json& report, const std::string& code, const std::string& host = "") {
  for (const auto& f : report["findings"])
    if (f["code"] == code && (host.empty() || f["title"].get<std::string>().find(host) != std::string::npos))
      return &f;
  return nullptr;
}

bool has_suggestion(const json& report, const std::string& command) {
  for (const auto& s : report["suggestions"])
    if (s["command"] == command) return true;
  return false;
}

// A NATS host on the test's sshd: stubs print the samples, with a planted
// secret in the journal.
void stub_nats_host(Sshd& sshd) {
  write_file(sshd.dir() / "journal.txt", samples::kShortIso + "2026-11-23T00:36:00+0000 nats-cluster-1 "
                                                              "nats-server[1234]: [1234] 2026/11/23 00:36:00.000000 "
                                                              "[ERR] config reload failed: " +
                                             std::string(kPlanted) + "\n" + "not UTF-8: \xff\xfe\x01 end\n");
  write_file(sshd.dir() / "status.txt", samples::kFailed);
  write_file(sshd.dir() / "df.txt", samples::kDfH);
  write_file(sshd.dir() / "find.txt", samples::kFindSnapshots);
  sshd.add_stub("journalctl", "cat '" + (sshd.dir() / "journal.txt").string() + "'");
  sshd.add_stub("systemctl", "cat '" + (sshd.dir() / "status.txt").string() + "'; exit 3");
  sshd.add_stub("df", "cat '" + (sshd.dir() / "df.txt").string() + "'");
  sshd.add_stub("find", "cat '" + (sshd.dir() / "find.txt").string() + "'");
}

// One cluster whose NATS servers are closed ports (the node is down), one
// inventory host on the test's sshd. `known_hosts` and `extra` vary per test.
std::string config(const Sshd& sshd, const std::string& rules, const std::string& known_hosts,
                   const std::string& extra = "") {
  return "rules: [\"" + rules + "\"]\n"
         "clusters:\n"
         "  - name: cim\n"
         "    servers: [\"nats://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
         "    monitor: [\"http://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
         "ssh:\n"
         "  user: " + sshd.user() + "\n"
         "  key_file: " + sshd.key_file() + "\n"
         "  known_hosts: " + known_hosts + "\n"
         "  vars: {unit: nats-server}\n"
         "hosts:\n"
         "  - {name: nats-node-1, address: 127.0.0.1, port: " + std::to_string(sshd.port()) + ", cluster: cim}\n"
         "engine: {step_timeout: 8s, deadline: 20s}\n"
         "redact: ['nats_pw=([^ ]+)']\n" + extra;
}

json triage(const TempDir& dir, const std::string& config_yaml, const std::map<std::string, std::string>& labels,
            std::string* text = nullptr) {
  write_file(dir / "config.yaml", config_yaml);
  write_file(dir / "payload.json", alert_payload("{}:{alertname=\"x\"}", labels).dump());
  auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                (dir / "config.yaml").string(), "--format", "json"},
               std::chrono::seconds(60));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  if (text) *text = r.output;
  return json::parse(r.output.substr(r.output.find('{')));
}

const std::string kShippedRules = RR_SOURCE_DIR "/rules/*.yaml";

// Rules that name the host from a label, as a site's own rules would.
std::string label_rules(const TempDir& dir) {
  write_file(dir / "rules.yaml", R"(rules:
  - name: host-journal
    match: {alertname: HostJournal}
    steps:
      - id: journal
        kind: ssh.unit_journal
        with: {host: "{{ labels.instance }}", unit: "{{ labels.unit | default nats }}"}
        timeout: 3s
)");
  return (dir / "rules.yaml").string();
}

}  // namespace

TEST_CASE("ssh: the runbook's host steps run on the cluster's hosts and their findings reach the report") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  stub_nats_host(sshd);
  TempDir dir;
  std::string text;
  // Two inventory names for the one sshd: the steps run on both, in parallel.
  const std::string second = "  - {name: nats-node-2, address: 127.0.0.1, port: " + std::to_string(sshd.port()) +
                             ", cluster: cim, vars: {unit: nats}}\n";
  std::string cfg = config(sshd, kShippedRules, sshd.known_hosts());
  cfg.insert(cfg.find("engine:"), second);
  json report = triage(dir, cfg, {{"alertname", "EventStreamDisconnected"}, {"cluster", "cim"}}, &text);
  INFO(report.dump(2));
  INFO(sshd.log());

  // What ran, as the server saw it: the allowlist's words, the host's unit.
  auto ran = sshd.executed();
  std::set<std::vector<std::string>> seen(ran.begin(), ran.end());
  CHECK(seen.count({"systemctl", "status", "--no-pager", "--full", "--lines=20", "nats-server"}));
  CHECK(seen.count({"journalctl", "-u", "nats-server", "-n", "100", "--no-pager", "-o", "short-iso"}));
  CHECK(seen.count({"df", "-h", "/var/lib/nats"}));
  CHECK(seen.count({"find", "/var/lib/nats/jetstream", "-name", "*.snap", "-mtime", "+7", "-printf",
                    R"(%s %TY-%Tm-%Td %p\n)"}));
  CHECK(seen.count({"journalctl", "-u", "nats", "-n", "100", "--no-pager", "-o", "short-iso"}));  // node 2's unit
  CHECK(ran.size() == 8);
  CHECK(finding(report, "host.unit_down", "nats-node-2"));

  const json* unit = finding(report, "host.unit_down", "nats-node-1");
  REQUIRE(unit);
  CHECK((*unit)["severity"] == "critical");
  const json* disk = finding(report, "host.disk_high", "nats-node-1");
  REQUIRE(disk);
  CHECK((*disk)["title"].get<std::string>().find("95") != std::string::npos);
  CHECK(finding(report, "host.log.storage_exhausted", "nats-node-1"));
  CHECK(finding(report, "host.log.route_closed", "nats-node-1"));
  const json* snaps = finding(report, "host.old_snapshots", "nats-node-1");
  REQUIRE(snaps);
  CHECK((*snaps)["title"].get<std::string>().find("3") != std::string::npos);
  CHECK(has_suggestion(report, "ssh root@nats-node-1 find /var/lib/nats/jetstream -name '*.snap' -mtime +7 -delete"));
  // The NATS server (127.0.0.1, down) is an inventory address: its runbook
  // suggestions name that host's unit from the config, not the runbook's.
  CHECK(has_suggestion(report, "ssh root@127.0.0.1 systemctl status nats-server"));
  CHECK(has_suggestion(report, "ssh root@127.0.0.1 df -h /var/lib/nats"));
  // Filled in from what the host printed: its unit (as systemctl names it) and mount.
  CHECK(has_suggestion(report, "ssh root@nats-node-1 systemctl restart nats.service"));
  CHECK(has_suggestion(report, "ssh root@nats-node-1 du -xh --max-depth=3 /var/lib/nats"));

  // Credentials in what the host printed never reach the report.
  CHECK(text.find(kRouteSecret) == std::string::npos);
  CHECK(text.find("Zq7-planted-secret") == std::string::npos);
  CHECK(text.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("ssh: unknown and changed host keys are refused before anything runs") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  stub_nats_host(sshd);
  TempDir dir;
  const std::map<std::string, std::string> labels = {{"alertname", "HostJournal"}, {"instance", "nats-node-1"}};
  std::string rules = label_rules(dir);

  json unknown = triage(dir, config(sshd, rules, sshd.empty_known_hosts()), labels);
  INFO(unknown.dump(2));
  const json* u = finding(unknown, "ssh.host_key_unknown", "nats-node-1");
  REQUIRE(u);
  CHECK((*u)["severity"] == "warning");

  json changed = triage(dir, config(sshd, rules, sshd.write_known_hosts_with_other_key()), labels);
  INFO(changed.dump(2));
  const json* c = finding(changed, "ssh.host_key_changed", "nats-node-1");
  REQUIRE(c);
  CHECK((*c)["severity"] == "critical");
  CHECK(finding(changed, "host.log.storage_exhausted") == nullptr);

  CHECK(sshd.executed().empty());

  // The same host with the right key: it runs.
  json ok = triage(dir, config(sshd, rules, sshd.known_hosts()), labels);
  CHECK(finding(ok, "host.log.storage_exhausted", "nats-node-1"));
  CHECK(sshd.executed().size() == 1);
}

TEST_CASE("ssh: a host outside the inventory and hostile labels are never connected to or run") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  stub_nats_host(sshd);
  TempDir dir;
  std::string rules = label_rules(dir);
  std::string cfg = config(sshd, rules, sshd.known_hosts());

  // 127.0.0.1 is where the inventory's host lives, but not its name.
  for (const std::string host : {"127.0.0.1", "nats-node-9", "localhost"}) {
    json report = triage(dir, cfg, {{"alertname", "HostJournal"}, {"instance", host}});
    INFO(report.dump(2));
    const json* f = finding(report, "ssh.not_in_inventory", host);
    CHECK(f);
  }
  // Values that would change the command line are refused before any step.
  for (const std::string unit : {"nats; touch /tmp/rr-pwned", "$(id)", "nats\n-f", "-f", "a b", "../../etc"}) {
    json report = triage(dir, cfg, {{"alertname", "HostJournal"}, {"instance", "nats-node-1"}, {"unit", unit}});
    INFO(report.dump(2));
    REQUIRE(report["steps"].size() == 1);
    CHECK(report["steps"][0]["status"] == "skipped");
  }
  CHECK(sshd.executed().empty());
  CHECK_FALSE(std::filesystem::exists("/tmp/rr-pwned"));
}

TEST_CASE("ssh: a command outside the allowlist cannot be named by a rule") {
  TempDir dir;
  write_file(dir / "rules.yaml", R"(rules:
  - name: reboot
    match: {alertname: X}
    steps:
      - {id: reboot, kind: ssh.reboot}
)");
  write_file(dir / "config.yaml", "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n");
  auto r = run({RR_BINARY, "check", "--config", (dir / "config.yaml").string()}, std::chrono::seconds(20));
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("rules.yaml:5") != std::string::npos);
  CHECK(r.output.find("ssh.reboot") != std::string::npos);
}

TEST_CASE("ssh: a host that hangs is cut off at the step's deadline") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("journalctl", "sleep 30");
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  json report = triage(dir, config(sshd, label_rules(dir), sshd.known_hosts()),
                       {{"alertname", "HostJournal"}, {"instance", "nats-node-1"}});
  auto took = std::chrono::steady_clock::now() - started;
  INFO(report.dump(2));
  CHECK(finding(report, "ssh.timeout", "nats-node-1"));
  CHECK(took < std::chrono::seconds(8));  // the rule's 3 s, not the command's 30 s
}

TEST_CASE("ssh: a planted secret never reaches the logs or a notification") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  stub_nats_host(sshd);
  TempDir dir;
  HttpSink sink;
  std::string cfg = "listen: \"127.0.0.1:{{PORT}}\"\n" +
                    config(sshd, label_rules(dir), sshd.known_hosts(),
                           "notify:\n  - {name: archive, type: webhook, url: \"" + sink.url("/webhook-json") +
                               "\"}\n  - {name: console, type: console}\n");
  Responder responder(cfg);
  httplib::Client client("127.0.0.1", responder.port());
  client.set_read_timeout(10, 0);
  auto body = alert_payload("{}:{alertname=\"HostJournal\"}", {{"alertname", "HostJournal"}, {"instance", "nats-node-1"}});
  auto r = client.Post("/webhook", body.dump(), "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  REQUIRE(sink.wait_for(1, std::chrono::seconds(30)));
  std::string sent = sink.requests("/webhook-json")[0].body;
  INFO(sent);
  CHECK(sent.find("host.log.storage_exhausted") != std::string::npos);  // the journal was read
  CHECK(sent.find("[REDACTED]") != std::string::npos);
  CHECK(sent.find(kRouteSecret) == std::string::npos);
  CHECK(sent.find("Zq7-planted-secret") == std::string::npos);
  std::string log = responder.log();  // the console report and every log line
  CHECK(log.find("storage") != std::string::npos);
  CHECK(log.find(kRouteSecret) == std::string::npos);
  CHECK(log.find("Zq7-planted-secret") == std::string::npos);
  CHECK(sink.violations().empty());
}

TEST_CASE("ssh: on a Titan Docker host, the container's state and logs are read") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  write_file(sshd.dir() / "ps.txt", samples::kDockerPs);
  write_file(sshd.dir() / "logs.txt", samples::kDocker);
  sshd.add_stub("docker", "case \"$1\" in ps) cat '" + (sshd.dir() / "ps.txt").string() + "';; logs) cat '" +
                              (sshd.dir() / "logs.txt").string() + "' >&2;; *) exit 1;; esac");
  TempDir dir;
  std::string cfg = "rules: [\"" + kShippedRules + "\"]\n"
                    "clusters:\n"
                    "  - name: titan\n"
                    "    servers: [\"nats://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
                    "ssh: {user: " + sshd.user() + ", key_file: " + sshd.key_file() + ", known_hosts: " +
                    sshd.known_hosts() + "}\n"
                    "hosts:\n"
                    "  - {name: titan-docker, address: 127.0.0.1, port: " + std::to_string(sshd.port()) +
                    ", cluster: titan}\n";
  json report = triage(dir, cfg, {{"alertname", "TitanNatsLag"}});
  INFO(report.dump(2));
  auto ran = sshd.executed();
  std::set<std::vector<std::string>> seen(ran.begin(), ran.end());
  CHECK(seen.count({"docker", "ps", "-a", "--format", "{{.Names}}\t{{.State}}\t{{.Status}}\t{{.Image}}"}));
  CHECK(seen.count({"docker", "logs", "--timestamps", "--tail", "50", "titan-nats"}));
  const json* down = finding(report, "host.container_down", "titan-nats");
  REQUIRE(down);
  CHECK((*down)["severity"] == "critical");
  CHECK(has_suggestion(report, "docker compose -f docker-compose.prod.yml restart titan-nats"));
  bool from_logs = false;  // docker logs prints the container's output on stderr
  for (const auto& f : report["findings"])
    from_logs = from_logs || f["code"].get<std::string>().rfind("host.log.", 0) == 0;
  CHECK(from_logs);
}
