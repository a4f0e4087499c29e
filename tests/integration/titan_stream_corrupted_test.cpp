// Titan's "if stream corrupted" procedure on a real damaged store: a real
// standalone nats-server (as in Titan's Docker Compose) whose stream
// metafile checksum is broken while it is stopped, its real log served by a
// `docker logs` stub on a real sshd, and the alert through a real
// Alertmanager to the responder binary.

#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/skip.h"
#include "support/sshd.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

std::vector<json> reports(const HttpSink& sink) {
  std::vector<json> out;
  for (const auto& r : sink.requests("/webhook-json")) out.push_back(json::parse(r.body));
  return out;
}

// The position of `command` among the report's suggestions; -1 when absent.
int position(const json& report, const std::string& command) {
  for (std::size_t i = 0; i < report["suggestions"].size(); ++i)
    if (report["suggestions"][i]["command"] == command) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST_CASE("Titan: a damaged stream store is recognised from the server's log and gets the runbook's sequence") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  NatsCluster nats(1, {"titan-nats"});
  nats.create_stream("TITAN_INTENTS", "titan.intents.>", 1);
  nats.publish("titan.intents.order", 10);

  // Damage the stream's metafile checksum while the server is down; on start it refuses the stream.
  nats.stop(0);
  const auto sum = nats.store_dir(0) / "jetstream" / "APP" / "streams" / "TITAN_INTENTS" / "meta.sum";
  REQUIRE(std::filesystem::exists(sum));
  write_file(sum, "0000000000000000");
  nats.start(0);
  REQUIRE(wait_until([&] { return read_file(nats.log_file(0)).find("checksums do not match") != std::string::npos; },
                     std::chrono::seconds(20)));

  // The Docker host: the container runs, its log is the server's real log.
  write_file(sshd.dir() / "ps.txt", "titan-nats\trunning\tUp 1 minute\tnats:2.10-alpine\n");
  sshd.add_stub("docker", "case \"$1\" in ps) cat '" + (sshd.dir() / "ps.txt").string() + "';; logs) cat '" +
                              nats.log_file(0).string() + "' >&2;; *) exit 1;; esac");

  HttpSink sink;
  TempDir dir;
  write_file(dir / "token", "am-to-responder\n");
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(
      "listen: \"127.0.0.1:{{PORT}}\"\n"
      "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
      "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
      "clusters:\n"
      "  - name: titan\n"
      "    match: {system: titan}\n"
      "    servers: [\"" + nats.client_url(0) + "\"]\n"
      "    monitor: [\"" + nats.monitor_url(0) + "\"]\n"
      "    user: jsro\n"
      "    password_env: RR_TEST_NATS_PASSWORD\n"
      "ssh: {user: " + sshd.user() + ", key_file: " + sshd.key_file() + ", known_hosts: " + sshd.known_hosts() + "}\n"
      "hosts:\n"
      "  - {name: titan-docker, address: 127.0.0.1, port: " + std::to_string(sshd.port()) + ", cluster: titan}\n"
      "notify:\n"
      "  - {name: archive, type: webhook, url: \"" + sink.url("/webhook-json") + "\"}\n"
      "engine: {workers: 2, queue: 64, cooldown: 5m, step_timeout: 4s, deadline: 15s}\n");
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
  REQUIRE(am.fire("TitanNatsUnhealthy", {{"system", "titan"}, {"severity", "critical"}}) == 0);
  INFO(responder.log());
  REQUIRE(wait_until([&] { return !reports(sink).empty(); }, std::chrono::seconds(40)));
  const json report = reports(sink).front();
  INFO(report.dump(2));
  CHECK(report["rule"] == "titan-nats-unhealthy");

  const json* damaged = nullptr;
  for (const auto& f : report["findings"])
    if (f["code"] == "host.log.stream_corrupt") damaged = &f;
  REQUIRE(damaged);
  CHECK((*damaged)["severity"] == "critical");
  CHECK((*damaged)["values"]["stream"] == "TITAN_INTENTS");

  // The runbook's sequence, in its order, with the stream filled in and the purge marked destructive.
  const int stop = position(report, "docker compose -f docker-compose.prod.yml stop titan-brain titan-execution "
                                    "titan-scavenger titan-sentinel");
  const int purge = position(report, "docker exec titan-nats nats stream purge TITAN_INTENTS --force");
  const int up = position(report, "docker compose -f docker-compose.prod.yml up -d");
  const int verify = position(report, "docker exec titan-nats nats stream ls");
  CHECK(stop >= 0);
  CHECK(stop < purge);
  CHECK(purge < up);
  CHECK(up < verify);
  REQUIRE(purge >= 0);
  CHECK(report["suggestions"][purge]["risk"] == "high");
  CHECK(report["suggestions"][purge]["why"].get<std::string>().find("WARNING: destructive") != std::string::npos);
}
