// Secrets never leave through what the responder writes. Distinct secrets are
// planted in every secret-bearing config key (webhook and read tokens, NATS
// passwords of both accounts, the SSH key, every target's URL, token or key)
// and in what servers answer (a host's journal, a metrics endpoint). A full
// triage runs with every target, through the real binary, a real nats-server
// refusing the planted passwords and a real sshd; then everything the run
// wrote is searched for them: the log, every request the services received
// (except a target's own credential in its own request, which is how that
// service authenticates), the report page and index, /metrics, and the
// state directory's files.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/nats_cluster.h"
#include "support/process.h"
#include "support/skip.h"
#include "support/sshd.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Each secret, and the one place it may appear: the request of its own
// target (the path prefix), where the service expects it.
struct Secret {
  std::string name;
  std::string value;
  std::string own_path = "";  // "" : nowhere at all
};

const Secret kAuth{"webhook bearer token", "S3cr3t-Auth-Token-4a1b2c3d4e5f"};
const Secret kRead{"report read token", "S3cr3t-Read-Token-5b2c3d4e5f6a"};
const Secret kNatsPassword{"NATS application password", "S3cr3t-Nats-App-6c3d4e5f6a7b"};
const Secret kNatsSysPassword{"NATS system password", "S3cr3t-Nats-Sys-7d4e5f6a7b8c"};
const Secret kSlackPath{"Slack webhook path", "S3cr3tSlackPath8e5f6a7b8c9d", "/slack/"};
const Secret kSlackBot{"Slack bot token", "xoxb-9999-S3cr3tSlackBot9f6a7b", "/slack-api"};
const Secret kPagerDuty{"PagerDuty routing key", "S3cr3tPagerDutyKey0a7b8c9d0e1f99", "/pagerduty"};
const Secret kOpsgenie{"Opsgenie API key", "S3cr3t-Opsgenie-Key-1b8c9d0e1f2a", "/opsgenie"};
const Secret kTeams{"Teams webhook path", "S3cr3tTeamsPath2c9d0e1f2a3b", "/teams/"};
const Secret kDiscord{"Discord webhook token", "S3cr3tDiscordToken3d0e1f2a3b4c", "/discord/"};
const Secret kChat{"Google Chat key", "S3cr3tGoogleChatKey4e1f2a3b4c5d", "/googlechat/"};
const Secret kMattermost{"Mattermost hook", "S3cr3tMattermostHook5f2a3b4c5d6e", "/mattermost/"};
const Secret kWebhook{"JSON webhook path", "S3cr3tWebhookPath6a3b4c5d6e7f", "/webhook-json/"};
// In what servers answer: credentials a host or endpoint let slip.
const Secret kJournalToken{"token in a host's journal", "S3cr3tJournalToken7b4c5d6e7f8a"};
const Secret kJournalUrl{"password in a URL in a host's journal", "S3cr3tJournalUrlPw8c5d6e7f8a9b"};
const Secret kMetricsReply{"password label in a metrics reply", "S3cr3tMetricsReply9d6e7f8a9b0c"};

const std::vector<Secret> kSecrets = {kAuth,    kRead,    kNatsPassword, kNatsSysPassword, kSlackPath,
                                      kSlackBot, kPagerDuty, kOpsgenie, kTeams,          kDiscord,
                                      kChat,    kMattermost, kWebhook, kJournalToken,    kJournalUrl,
                                      kMetricsReply};

std::string file_of(const TempDir& dir, const std::string& name, const std::string& value) {
  write_file(dir / name, value + "\n");
  return (dir / name).string();
}

// A line of the SSH private key's body (base64), which must never appear.
std::string private_key_line(const Sshd& sshd) {
  std::ifstream in(sshd.key_file());
  std::string line, pick;
  for (int i = 0; std::getline(in, line); ++i)
    if (i == 2) pick = line;
  return pick;
}

std::string config(const TempDir& dir, const NatsCluster& nats, const Sshd& sshd, const HttpSink& services,
                   const HttpSink& endpoint) {
  write_file(dir / "rules.yaml", R"(rules:
  - name: secrets-probe
    match: {alertname: SecretsProbe}
    steps:
      - {id: health, kind: nats.health}
      - {id: stream, kind: nats.stream_info, with: {stream: CIM-EVENTS}}
      - {id: servers, kind: nats.sys_server_list}
      - {id: journal, kind: ssh.unit_journal, with: {unit: nats-server, lines: "20"}}
      - id: metrics
        kind: http.metrics
        with: {url: ")" + endpoint.url("/metrics") + R"(", series: "app_info"}
)");
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "external_url: \"http://127.0.0.1:{{PORT}}\"\n"
         "auth: {bearer_token_file: " + file_of(dir, "auth", kAuth.value) +
         ", read_token_file: " + file_of(dir, "read", kRead.value) + "}\n"
         "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
         "clusters:\n"
         "  - name: cim\n"
         "    match: {cluster: cim}\n"
         "    servers: [\"" + nats.client_url(0) + "\"]\n"
         "    monitor: [\"" + nats.monitor_url(0) + "\"]\n"
         "    user: jsro\n"
         "    password_file: " + file_of(dir, "nats-pw", kNatsPassword.value) + "\n"
         "    system_user: sysmon\n"
         "    system_password_file: " + file_of(dir, "nats-sys-pw", kNatsSysPassword.value) + "\n"
         "ssh: {user: " + sshd.user() + ", key_file: " + sshd.key_file() + ", known_hosts: " + sshd.known_hosts() + "}\n"
         "hosts:\n"
         "  - {name: nats-node-1, address: 127.0.0.1, port: " + std::to_string(sshd.port()) + ", cluster: cim}\n"
         "notify:\n"
         "  - {name: console, type: console}\n"
         "  - {name: slack-hook, type: slack, url_file: " +
         file_of(dir, "slack-url", services.url("/slack/services/T000/B000/" + kSlackPath.value)) + "}\n"
         "  - {name: slack-bot, type: slack, channel: \"#nats\", token_file: " + file_of(dir, "slack-bot", kSlackBot.value) +
         ", api_url: \"" + services.url("/slack-api") + "\"}\n"
         "  - {name: pager, type: pagerduty, routing_key_file: " + file_of(dir, "pd", kPagerDuty.value) +
         ", api_url: \"" + services.url("/pagerduty/v2/enqueue") + "\"}\n"
         "  - {name: genie, type: opsgenie, api_key_file: " + file_of(dir, "genie", kOpsgenie.value) +
         ", api_url: \"" + services.url("/opsgenie") + "\"}\n"
         "  - {name: teams, type: teams, url_file: " +
         file_of(dir, "teams-url", services.url("/teams/webhookb2/" + kTeams.value)) + "}\n"
         "  - {name: discord, type: discord, url_file: " +
         file_of(dir, "discord-url", services.url("/discord/api/webhooks/123/" + kDiscord.value)) + "}\n"
         "  - {name: chat, type: googlechat, url_file: " +
         file_of(dir, "chat-url", services.url("/googlechat/v1/spaces/AAA/messages?key=" + kChat.value + "&token=t")) +
         "}\n"
         "  - {name: mattermost, type: mattermost, url_file: " +
         file_of(dir, "mm-url", services.url("/mattermost/hooks/" + kMattermost.value)) + "}\n"
         "  - {name: archive, type: webhook, url_file: " +
         file_of(dir, "webhook-url", services.url("/webhook-json/" + kWebhook.value)) + "}\n"
         "engine: {workers: 2, queue: 16, cooldown: 5m, step_timeout: 5s, deadline: 15s}\n"
         "delivery: {first_backoff: 100ms, max_backoff: 500ms}\n"
         "state: {dir: \"" + (dir / "state").string() + "\"}\n";
}

httplib::Result get(const Responder& r, const std::string& path) {
  httplib::Client c("127.0.0.1", r.port());
  c.set_read_timeout(10, 0);
  return c.Get(path, {{"Authorization", "Bearer " + kRead.value}});
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("Secrets planted in every config key and in server replies appear nowhere the run wrote") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  write_file(sshd.dir() / "journal.txt",
             "2026-11-23T00:36:00+0000 nats-node-1 nats-server[1234]: [ERR] reload failed: token=" +
                 kJournalToken.value + "\n2026-11-23T00:36:01+0000 nats-node-1 nats-server[1234]: [WRN] route to "
                 "nats://ops:" + kJournalUrl.value + "@10.0.0.2:6222 failed\n");
  sshd.add_stub("journalctl", "cat '" + (sshd.dir() / "journal.txt").string() + "'");
  NatsCluster nats(1);
  HttpSink services, endpoint;
  endpoint.script("/metrics", {}, SinkResponse(200, "# TYPE app_info gauge\napp_info{version=\"1.2\",password=\"" +
                                                         kMetricsReply.value + "\"} 1\n"));
  TempDir dir;
  Responder responder(config(dir, nats, sshd, services, endpoint));

  const std::string payload =
      alert_payload("{}:{alertname=\"SecretsProbe\"}", {{"alertname", "SecretsProbe"}, {"cluster", "cim"}}).dump();
  {
    httplib::Client c("127.0.0.1", responder.port());
    c.set_read_timeout(10, 0);
    auto res = c.Post("/webhook", {{"Authorization", "Bearer " + kAuth.value}}, payload, "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }
  // Every target has the report (the Slack bot and Discord may also edit it).
  const std::vector<std::string> prefixes = {"/slack/",  "/slack-api", "/pagerduty",  "/opsgenie",    "/teams/",
                                             "/discord/", "/googlechat/", "/mattermost/", "/webhook-json/"};
  auto delivered = [&] {
    for (const auto& prefix : prefixes) {
      bool any = false;
      for (const auto& r : services.requests()) any = any || r.path.rfind(prefix, 0) == 0;
      if (!any) return false;
    }
    return true;
  };
  INFO(responder.log());
  REQUIRE(wait_until(delivered, 60s));
  REQUIRE(wait_until([&] { return responder.metric("rr_outbox_pending{target=\"archive\"}") == 0; }, 30s));
  CHECK(services.violations().empty());

  // The triage really met the secrets: the servers refused the planted
  // passwords, and the journal and the metrics were read.
  const json report = json::parse(services.requests("/webhook-json/" + kWebhook.value).at(0).body);
  INFO(report.dump(2));
  const std::string report_text = report.dump();
  CHECK(report_text.find("Authorization Violation") != std::string::npos);
  CHECK(report_text.find("[REDACTED]") != std::string::npos);
  CHECK(report_text.find("app_info") != std::string::npos);

  // Everything the run wrote.
  std::vector<std::pair<std::string, std::string>> written;  // where, text
  written.emplace_back("the log", responder.log());
  for (const auto& r : services.requests()) {
    std::string text = r.method + " " + r.path + "\n" + r.body;
    for (const auto& [k, v] : r.headers) text += "\n" + k + ": " + v;
    for (const auto& [k, v] : r.query) text += "\n?" + k + "=" + v;
    written.emplace_back("request " + r.path, text);
  }
  const std::string id = report["id"];
  for (const std::string& path : std::vector<std::string>{"/reports/" + id, "/reports", "/reports?format=json", "/metrics"}) {
    auto res = get(responder, path);
    REQUIRE(res);
    CHECK(res->status == 200);
    written.emplace_back("GET " + path, res->body);
  }
  std::size_t state_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "state")) {
    if (!entry.is_regular_file()) continue;
    written.emplace_back("state file " + entry.path().filename().string(), read_all(entry.path()));
    ++state_files;
  }
  CHECK(state_files >= 1);

  std::vector<Secret> secrets = kSecrets;
  const std::string key_line = private_key_line(sshd);
  REQUIRE(key_line.size() > 20);
  secrets.push_back({"SSH private key", key_line});
  for (const auto& [where, text] : written) {
    for (const Secret& s : secrets) {
      if (text.find(s.value) == std::string::npos) continue;
      // A target's own credential, in a request to that target only.
      const bool own = !s.own_path.empty() && where.rfind("request " + s.own_path, 0) == 0;
      INFO(s.name << " found in " << (where.rfind("request ", 0) == 0 ? where.substr(0, 22) : where));
      CHECK(own);
    }
  }
}
