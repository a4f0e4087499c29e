// systemctl status output for a running, failed, restarting, stopped and
// missing unit (systemd 247 and 252 wording), and hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "judge/finding_test_util.h"
#include "judge/host_unit.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

const std::string kRunning =
    "\xE2\x97\x8F nats.service - NATS Server\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; vendor preset: enabled)\n"
    "     Active: active (running) since Mon 2026-11-23 00:30:01 UTC; 2min 12s ago\n"
    "       Docs: https://docs.nats.io\n"
    "   Main PID: 1234 (nats-server)\n"
    "      Tasks: 12 (limit: 4915)\n"
    "     Memory: 20.1M\n"
    "        CPU: 1.234s\n"
    "     CGroup: /system.slice/nats.service\n"
    "             \xE2\x94\x94\xE2\x94\x80" "1234 /usr/sbin/nats-server -c /etc/nats-server.conf\n"
    "\n"
    "Nov 23 00:30:01 nats-cluster-1 systemd[1]: Started NATS Server.\n"
    "Nov 23 00:30:01 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:30:01.000001 [INF] Server is ready\n";

const std::string kFailed =
    "\xC3\x97 nats.service - NATS Server\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; preset: enabled)\n"
    "     Active: failed (Result: exit-code) since Mon 2026-11-23 00:31:02 UTC; 5s ago\n"
    "   Duration: 1min 1.050s\n"
    "    Process: 1234 ExecStart=/usr/sbin/nats-server -c /etc/nats-server.conf (code=exited, status=1/FAILURE)\n"
    "   Main PID: 1234 (code=exited, status=1/FAILURE)\n"
    "        CPU: 25ms\n"
    "\n"
    "Nov 23 00:31:02 nats-cluster-1 nats-server[1234]: nats-server: /etc/nats-server.conf:12:3: "
    "password: \"hunter2\" unknown field\n"
    "Nov 23 00:31:02 nats-cluster-1 systemd[1]: nats.service: Main process exited, code=exited, "
    "status=1/FAILURE\n"
    "Nov 23 00:31:02 nats-cluster-1 systemd[1]: nats.service: Failed with result 'exit-code'.\n";

std::vector<Finding> findings(const json& facts) {
  FindingSet set;
  unit_findings(facts, "nats-cluster-1", "status", set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("systemctl status: a running unit gives its facts and no finding") {
  json f = unit_facts(kRunning);
  INFO(f.dump(2));
  CHECK(f["parsed"] == true);
  CHECK(f["unit"] == "nats.service");
  CHECK(f["description"] == "NATS Server");
  CHECK(f["found"] == true);
  CHECK(f["load_state"] == "loaded");
  CHECK(f["unit_file"] == "/lib/systemd/system/nats.service");
  CHECK(f["enabled"] == "enabled");
  CHECK(f["active_state"] == "active");
  CHECK(f["sub_state"] == "running");
  CHECK(f["result"] == "");
  CHECK(f["since"] == "Mon 2026-11-23 00:30:01 UTC");
  CHECK(f["ago"] == "2min 12s ago");
  CHECK(f["main_pid"] == 1234);
  CHECK(f["main_process"] == "nats-server");
  REQUIRE(f["log_lines"].size() == 2);
  CHECK(f["log_lines"][0] == "Nov 23 00:30:01 nats-cluster-1 systemd[1]: Started NATS Server.");
  CHECK(findings(f).empty());
}

TEST_CASE("systemctl status: failed (Result: exit-code) is critical, with the exit and the last lines") {
  json f = unit_facts(kFailed);
  INFO(f.dump(2));
  CHECK(f["active_state"] == "failed");
  CHECK(f["sub_state"] == "");
  CHECK(f["result"] == "exit-code");
  CHECK(f["exit"] == "code=exited, status=1/FAILURE");
  CHECK(f["main_pid"] == 1234);
  REQUIRE(f["log_lines"].size() == 3);
  CHECK(f["log_lines"][0].get<std::string>().find("hunter2") == std::string::npos);
  auto fs = findings(f);
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "host.unit_down");
  CHECK(fs[0].severity == Severity::Critical);
  CHECK(fs[0].values.at("host") == "nats-cluster-1");
  CHECK(fs[0].values.at("unit") == "nats.service");
  CHECK(fs[0].values.at("state") == "failed (Result: exit-code)");
  CHECK(fs[0].values.at("since") == "Mon 2026-11-23 00:31:02 UTC");
  CHECK(fs[0].detail.find("status=1/FAILURE") != std::string::npos);
  CHECK(fs[0].evidence.back().find("Failed with result 'exit-code'") != std::string::npos);
}

TEST_CASE("systemctl status: auto-restart loop, inactive (dead), CRLF") {
  json restarting = unit_facts(
      "\xE2\x86\xBB nats.service - NATS Server\r\n"
      "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; vendor preset: enabled)\r\n"
      "     Active: activating (auto-restart) (Result: exit-code) since Mon 2026-11-23 00:31:07 UTC; 3s ago\r\n"
      "    Process: 1250 ExecStart=/usr/sbin/nats-server -c /etc/nats-server.conf (code=exited, status=1/FAILURE)\r\n"
      "   Main PID: 1250 (code=exited, status=1/FAILURE)\r\n");
  INFO(restarting.dump(2));
  CHECK(restarting["active_state"] == "activating");
  CHECK(restarting["sub_state"] == "auto-restart");
  CHECK(restarting["result"] == "exit-code");
  auto fs = findings(restarting);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.at("state") == "activating (auto-restart) (Result: exit-code)");
  CHECK(fs[0].detail.find("restarting it in a loop") != std::string::npos);

  json dead = unit_facts(
      "\xE2\x97\x8B nats.service - NATS Server\n"
      "     Loaded: loaded (/lib/systemd/system/nats.service; disabled; vendor preset: enabled)\n"
      "     Active: inactive (dead)\n");
  CHECK(dead["enabled"] == "disabled");
  auto d = findings(dead);
  REQUIRE(d.size() == 1);
  CHECK(d[0].severity == Severity::Critical);
  CHECK(d[0].values.at("state") == "inactive (dead)");
  CHECK(d[0].values.at("since") == "");
}

TEST_CASE("systemctl status: a unit that does not exist, in both wordings") {
  for (const std::string& text : {std::string("Unit nats.service could not be found.\n"),
                                 std::string("\xE2\x97\x8B nats.service\n"
                                             "     Loaded: not-found (Reason: Unit nats.service not found.)\n"
                                             "     Active: inactive (dead)\n")}) {
    json f = unit_facts(text);
    INFO(f.dump());
    CHECK(f["found"] == false);
    CHECK(f["unit"] == "nats.service");
    auto fs = findings(f);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].severity == Severity::Warning);
    CHECK(fs[0].values.at("state") == "not-found");
    CHECK(fs[0].detail.find("nats-server") != std::string::npos);
  }
}

TEST_CASE("systemctl status: garbage, huge and foreign facts never crash") {
  CHECK(unit_facts("")["parsed"] == false);
  CHECK(findings(unit_facts("")).empty());
  CHECK(findings(unit_facts("Failed to connect to bus: No such file or directory\n")).empty());
  CHECK(findings(json::parse(R"({"parsed":true,"active_state":5,"log_lines":[1,"x"]})")).size() == 1);
  CHECK(findings(json("x")).empty());
  std::mt19937 rng(5);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(unit_facts(garbage).dump());
  std::string big = kFailed;
  while (big.size() < (10u << 20)) big += "Nov 23 00:31:02 nats-cluster-1 systemd[1]: token=abc123 restarting\n";
  json b = unit_facts(big);
  CHECK(b["log_lines"].size() == kMaxUnitLogLines);
  CHECK(b["log_lines"][0].get<std::string>().find("abc123") == std::string::npos);
  std::string line = "     Active: failed " + std::string(10u << 20, '(');
  CHECK_NOTHROW(unit_facts(line).dump());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

}  // namespace
}  // namespace rr::host
