// systemctl status output for a running, failed, restarting, stopped and
// missing unit (systemd 247 and 252 wording), and hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "steps/host/systemctl_output.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

TEST_CASE("systemctl status: a running unit", "[host][systemctl]") {
  json f = unit_facts(samples::kRunning);
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
  CHECK(f["exit"] == "");
  REQUIRE(f["log_lines"].size() == 2);
  CHECK(f["log_lines"][0] == "Nov 23 00:30:01 nats-cluster-1 systemd[1]: Started NATS Server.");
}

TEST_CASE("systemctl status: failed (Result: exit-code), the exit and redacted log lines", "[host][systemctl]") {
  json f = unit_facts(samples::kFailed);
  INFO(f.dump(2));
  CHECK(f["parsed"] == true);
  CHECK(f["active_state"] == "failed");
  CHECK(f["sub_state"] == "");
  CHECK(f["result"] == "exit-code");
  CHECK(f["since"] == "Mon 2026-11-23 00:31:02 UTC");
  CHECK(f["exit"] == "code=exited, status=1/FAILURE");
  CHECK(f["main_pid"] == 1234);
  REQUIRE(f["log_lines"].size() == 3);
  CHECK(f["log_lines"][0].get<std::string>().find("hunter2") == std::string::npos);
  CHECK(f["log_lines"][2].get<std::string>().find("Failed with result 'exit-code'") != std::string::npos);
}

TEST_CASE("systemctl status: auto-restart loop, inactive (dead), CRLF", "[host][systemctl]") {
  json restarting = unit_facts(samples::kRestarting);
  INFO(restarting.dump(2));
  CHECK(restarting["active_state"] == "activating");
  CHECK(restarting["sub_state"] == "auto-restart");
  CHECK(restarting["result"] == "exit-code");
  CHECK(restarting["since"] == "Mon 2026-11-23 00:31:07 UTC");
  CHECK(restarting["ago"] == "3s ago");
  CHECK(restarting["main_pid"] == 1250);

  json dead = unit_facts(samples::kDead);
  CHECK(dead["enabled"] == "disabled");
  CHECK(dead["active_state"] == "inactive");
  CHECK(dead["sub_state"] == "dead");
  CHECK(dead["since"] == "");
  CHECK_FALSE(dead.contains("main_pid"));
}

TEST_CASE("systemctl status: a unit that does not exist, in both wordings", "[host][systemctl]") {
  for (const std::string& text : {samples::kNotFound, samples::kNotFoundLoaded}) {
    json f = unit_facts(text);
    INFO(f.dump());
    CHECK(f["parsed"] == true);
    CHECK(f["found"] == false);
    CHECK(f["unit"] == "nats.service");
  }
}

TEST_CASE("systemctl status: garbage and huge output never crash and stay bounded", "[host][systemctl]") {
  CHECK(unit_facts("")["parsed"] == false);
  CHECK(unit_facts("Failed to connect to bus: No such file or directory\n")["parsed"] == false);
  std::mt19937 rng(5);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(unit_facts(garbage).dump());
  std::string big = samples::kFailed;
  while (big.size() < (10u << 20)) big += "Nov 23 00:31:02 nats-cluster-1 systemd[1]: token=abc123 restarting\n";
  json b = unit_facts(big);
  CHECK(b["log_lines"].size() == kMaxUnitLogLines);
  CHECK(b["log_lines"][0].get<std::string>().find("abc123") == std::string::npos);
  std::string line = "     Active: failed " + std::string(10u << 20, '(');
  CHECK_NOTHROW(unit_facts(line).dump());
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

}  // namespace
}  // namespace rr::host
