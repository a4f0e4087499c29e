// Broken servers cost a step its deadline and no more, and the report says
// what was wrong: NATS servers that accept TCP and never answer, or answer
// garbage, or hang up mid-reply; monitoring ports answering garbage, a 50 MB
// body, or half a reply. Runs the real binary's `triage` against them.

#include <catch2/catch.hpp>

#include <chrono>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/fault_server.h"
#include "support/process.h"

using namespace rr::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json triage(const TempDir& dir, const std::string& config) {
  write_file(dir / "config.yaml", config);
  write_file(dir / "payload.json",
             alert_payload("{}:{alertname=\"Broken\"}", {{"alertname", "Broken"}, {"cluster", "broken"}}).dump());
  auto r = run({RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                (dir / "config.yaml").string(), "--format", "json"},
               std::chrono::seconds(60));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.output.substr(r.output.find('{')));
}

const json& step(const json& report, const std::string& id) {
  for (const auto& s : report["steps"])
    if (s["id"] == id) return s;
  FAIL("no step " << id);
  return report;
}

}  // namespace

TEST_CASE("Faults: NATS servers that never answer, answer garbage or hang up are reported within each step's deadline") {
  // Client ports: silent after accept; garbage instead of INFO; half an INFO then hang up.
  FaultServer silent(FaultServer::silent());
  FaultServer garbage(FaultServer::stall_after("garbage instead of INFO\r\n"));
  FaultServer half(FaultServer::reply_and_close("INFO {\"server_id\":\"x\",\"max_pay"));
  // Monitoring ports: garbage JSON; a 50 MB body; half a reply then hang up.
  FaultServer not_json(FaultServer::reply_and_close(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{not json at all]]]]]]]]"));
  FaultServer huge(FaultServer::huge_http_body(50u << 20));
  FaultServer cut(FaultServer::reply_and_close(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"server_id\":\"x\","));

  TempDir dir;
  write_file(dir / "rules.yaml", R"(rules:
  - name: broken
    match: {alertname: Broken}
    steps:
      - {id: health, kind: nats.health, timeout: 2s}
      - {id: servers, kind: nats.server_list, timeout: 2s}
      - {id: jsz, kind: nats.jetstream_report, timeout: 2s}
      - {id: stream, kind: nats.stream_info, with: {stream: EVENTS}, timeout: 2s}
      - {id: sys, kind: nats.sys_server_list, timeout: 2s}
)");
  write_file(dir / "pw", "x\n");
  const auto started = std::chrono::steady_clock::now();
  const json report = triage(
      dir, "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
           "clusters:\n"
           "  - name: broken\n"
           "    match: {cluster: broken}\n"
           "    servers: [\"" + silent.url("nats") + "\", \"" + garbage.url("nats") + "\", \"" + half.url("nats") + "\"]\n"
           "    monitor: [\"" + not_json.url("http") + "\", \"" + huge.url("http") + "\", \"" + cut.url("http") + "\"]\n"
           "    user: jsro\n"
           "    password_file: " + (dir / "pw").string() + "\n"
           "    system_user: sysmon\n"
           "    system_password_file: " + (dir / "pw").string() + "\n"
           "engine: {step_timeout: 2s, deadline: 20s}\n");
  INFO(report.dump(2));
  // Steps run in parallel, each bounded by its 2 s: the whole triage well
  // under the sum of what the servers would make it wait.
  CHECK(std::chrono::steady_clock::now() - started < 15s);
  for (const auto& s : report["steps"]) {
    INFO(s.dump());
    CHECK(s["duration_ms"].get<long>() <= 2000 + 500);
  }
  // Every server was contacted, none was believed.
  CHECK(silent.accepted() >= 1);
  CHECK(garbage.accepted() >= 1);
  CHECK(half.accepted() >= 1);
  CHECK(not_json.accepted() >= 1);
  CHECK(huge.accepted() >= 1);
  CHECK(cut.accepted() >= 1);
  const std::string text = report.dump();
  // Each fault in words: the client ports' errors, the monitors' invalid replies.
  CHECK(step(report, "stream")["summary"] == "no server answered");
  const std::string stream_output = step(report, "stream")["output"];
  CHECK(stream_output.find("Timeout") != std::string::npos);
  CHECK(stream_output.find("got 'garbage' instead of 'INFO'") != std::string::npos);
  CHECK(stream_output.find("Connection Closed") != std::string::npos);
  CHECK(step(report, "health")["summary"].get<std::string>().rfind("0/3 servers healthy", 0) == 0);
  const std::string servers_output = step(report, "servers")["output"];
  CHECK(servers_output.find("invalid JSON from server") != std::string::npos);
  CHECK(servers_output.find("reply larger than") != std::string::npos);
  // The verdict: no server of the cluster can be read; the two answering
  // garbage are named as such, not as healthy or down.
  std::size_t not_nats = 0, down = 0;
  for (const auto& f : report["findings"]) {
    const std::string title = f["title"];
    not_nats += title.find("does not answer as a NATS server") != std::string::npos;
    down += title.find(" is down") != std::string::npos;
  }
  CHECK(not_nats == 2);
  CHECK(down == 1);
}
