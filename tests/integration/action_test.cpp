// The opt-in automatic action through the whole product: a real 3-node
// cluster with one node stopped, a real Alertmanager, the responder, and a
// real sshd whose `systemctl` stands in for systemd: the responder's
// `systemctl restart nats` there starts the stopped nats-server again (its
// own config and store), and the responder's verification must see it back.

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "integration/report_reading.h"

#include "integration/cim_responder.h"
#include "support/alertmanager.h"
#include "support/jetstream_seed.h"
#include "support/nats_cluster.h"
#include "support/skip.h"
#include "support/sshd.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

const std::vector<std::string> kRestart = {"systemctl", "restart", "nats"};

bool restarted(const Sshd& sshd) {
  auto ran = sshd.executed();
  return std::find(ran.begin(), ran.end(), kRestart) != ran.end();
}

// The config of cim_responder.h with the sshd as the cluster's one host
// (all test servers listen on 127.0.0.1) and `actions`.
std::string config_with_actions(const NatsCluster& nats, const HttpSink& sink, const TempDir& dir, const Sshd& sshd,
                                const std::string& actions) {
  return cim_responder_config(nats, sink, dir,
                              "ssh: {user: " + sshd.user() + ", key_file: " + sshd.key_file() +
                                  ", known_hosts: " + sshd.known_hosts() + "}\n"
                                  "hosts:\n"
                                  "  - {name: 127.0.0.1, port: " + std::to_string(sshd.port()) + ", cluster: cim}\n" +
                                  actions);
}

}  // namespace

// Stops, at the end of a test, the nats-server a stub started (by its pid
// file), before the cluster's directory goes.
struct StubStarted {
  std::filesystem::path pid_file;
  ~StubStarted() {
    std::error_code ec;
    if (!std::filesystem::exists(pid_file, ec)) return;
    const pid_t pid = static_cast<pid_t>(std::stol(read_file(pid_file)));
    if (pid <= 1 || ::kill(pid, SIGTERM) != 0) return;
    wait_until([&] { return ::kill(pid, 0) != 0; }, std::chrono::seconds(20));
  }
};

TEST_CASE("An allowed restart runs on the one node that is down, and the verification sees it back") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  NatsCluster nats(3);
  create_stream({{nats.client_url(0)}, "app", "app"}, "CIM-EVENTS", "cim.events.>", 3);

  HttpSink sink;
  TempDir dir;
  // systemd's part, played by the stub: the unit restart starts the stopped
  // server, detached so that the SSH channel closes at once.
  StubStarted restarted_server{dir.path() / "node-3.pid"};
  sshd.add_stub("systemctl", "if [ \"$1\" = restart ]; then\n"
                             "  setsid " + find_program("nats-server") + " -c '" + nats.config_file(2).string() +
                                 "' -P '" + restarted_server.pid_file.string() + "' >>'" +
                                 nats.log_file(2).string() + "' 2>&1 </dev/null &\n"
                             "fi\n"
                             "exit 0");
  setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
  Responder responder(config_with_actions(
      nats, sink, dir, sshd,
      "actions:\n"
      "  allow: [{rule: event-stream-disconnected, action: restart-node}]\n"
      "  verify_within: 60s\n"));
  Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});

  nats.stop(2);
  REQUIRE_FALSE(nats.wait_for_meta_leader().empty());
  REQUIRE(am.fire("EventStreamDisconnected", {{"cluster", "cim"}, {"server_name", nats.name(2)}}) == 0);
  INFO(responder.log());

  REQUIRE(wait_until([&] { return webhook_reports(sink).size() >= 2; }, std::chrono::seconds(90)));
  auto got = webhook_reports(sink);
  INFO(got[0].dump(2));
  INFO(got[1].dump(2));

  // Before: the triage report says what will run and why.
  const json* announced = finding(got[0], "responder.action");
  REQUIRE(announced);
  CHECK((*announced)["title"].get<std::string>().find("restart-node (restart_unit) on 127.0.0.1 runs now") !=
        std::string::npos);
  // After: what ran, and the verification that it worked.
  const std::string verdict = got[1]["verdict"];
  CHECK(verdict.rfind("Automatic action restart-node (restart_unit) on 127.0.0.1 done; recovered", 0) == 0);
  const auto ran = sshd.executed();
  CHECK(std::count(ran.begin(), ran.end(), kRestart) == 1);
  CHECK(std::filesystem::exists(restarted_server.pid_file));  // the server it brought back
  // Audited in the log.
  CHECK(responder.log().find("action restart-node (restart_unit) on 127.0.0.1 for rule event-stream-disconnected: done") !=
        std::string::npos);
  CHECK(responder.metric("rr_actions_total{rule=\"event-stream-disconnected\",action=\"restart-node\",outcome=\"done\"}") == 1);
}

TEST_CASE("Guards stop the action: dry run, no quorum, a second node down, not allowed") {
  Sshd sshd;
  RR_REQUIRE_OR_SKIP(sshd.available(), sshd.why());
  sshd.add_stub("systemctl", "exit 0");
  NatsCluster nats(3);

  struct Case {
    std::string name, actions, expect;
    int stopped;
  };
  const std::vector<Case> cases = {
      {"dry run", "actions: {allow: [{rule: event-stream-disconnected, action: restart-node}], dry_run: true}\n",
       "Automatic action (dry run): restart-node", 1},
      {"not allowed", "", "", 1},
      {"two nodes down: single and quorum",
       "actions: {allow: [{rule: event-stream-disconnected, action: restart-node}]}\n", "single: 2 findings", 2},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      HttpSink sink;
      TempDir dir;
      setenv("RR_TEST_NATS_PASSWORD", "jsro", 1);
      Responder responder(config_with_actions(nats, sink, dir, sshd, c.actions));
      Alertmanager am({.webhook_url = responder.url() + "/webhook", .bearer_token = "am-to-responder"});
      for (int i = 3 - c.stopped; i < 3; ++i) nats.stop(i);
      REQUIRE(am.fire("EventStreamDisconnected", {{"cluster", "cim"}}) == 0);
      INFO(responder.log());
      REQUIRE(wait_until([&] { return !webhook_reports(sink).empty(); }, std::chrono::seconds(40)));
      const json report = webhook_reports(sink).front();
      INFO(report.dump(2));
      const json* action = finding(report, "responder.action");
      if (c.expect.empty()) {
        CHECK_FALSE(action);  // opt-in: a rule's action the config does not allow is never mentioned
      } else {
        REQUIRE(action);
        CHECK(((*action)["title"].get<std::string>() + " " + (*action)["detail"].get<std::string>()).find(c.expect) !=
              std::string::npos);
      }
      // The report is committed before any action would run: nothing did.
      CHECK_FALSE(restarted(sshd));
      for (int i = 3 - c.stopped; i < 3; ++i) nats.start(i);
      REQUIRE(nats.wait_until_healthy());
    }
  }
}
