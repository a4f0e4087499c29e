// NATS log lines in journalctl (short-iso and short) and docker logs output,
// written from the server's own texts (reference nats.md): categories,
// counts, first and last time, redacted examples, findings, hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "common/text.h"
#include "judge/finding_test_util.h"
#include "judge/host_logs.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

// journalctl -u nats -o short-iso on n1 while n3 goes away and the disk fills.
const std::string kShortIso =
    "-- Journal begins at Mon 2026-11-02 08:00:01 UTC, ends at Mon 2026-11-23 00:40:00 UTC. --\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.620287 [INF] "
    "10.0.0.3:6222 - rid:7 - Router connection closed: Client Closed\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.621002 [INF] "
    "JetStream cluster new stream leader for 'APP > CIM-EVENTS'\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.630000 [INF] "
    "Self is new JetStream cluster metadata leader\n"
    "2026-11-23T00:32:14+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:14.700000 [ERR] "
    "Error trying to connect to route (attempt 1): dial nats-route://ruser:T0pS3cretRoute@10.0.0.3:6222: "
    "connect: connection refused\n"
    "2026-11-23T00:32:15+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:15.700000 [ERR] "
    "Error trying to connect to route (attempt 2): dial tcp 10.0.0.3:6222: connect: connection refused\n"
    "2026-11-23T00:32:15+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:15.800000 [INF] "
    "JetStream cluster new consumer leader for 'APP > CIM-EVENTS > CIM-PROCESSOR'\n"
    "2026-11-23T00:33:01+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:01.000000 [WRN] "
    "JetStream resource limits exceeded for account: \"APP\"\n"
    "2026-11-23T00:33:02+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:02.000000 [ERR] "
    "JetStream resource limits exceeded for server\n"
    "2026-11-23T00:33:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:05.000000 [ERR] "
    "JetStream out of space, will be DISABLED\n"
    "2026-11-23T00:33:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:05.500000 [WRN] "
    "RAFT [yrzKKRBu - S-R3F-tA4jp2vG] Error storing entry to WAL: write /var/lib/nats/jetstream/$SYS/_js_/"
    "S-R3F-tA4jp2vG/msgs/1.blk: no space left on device\n"
    "2026-11-23T00:33:06+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:06.000000 [WRN] "
    "RAFT [yrzKKRBu - _meta_] Error sending snapshot to follower [cnrtt3eg]: raft: no snapshot available\n"
    "2026-11-23T00:33:07+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:07.000000 [WRN] "
    "JetStream failed to store a msg on stream 'APP > CIM-EVENTS': insufficient resources\n"
    "2026-11-23T00:33:10+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:10.000000 [WRN] "
    "Healthcheck failed: \"JetStream stream 'APP > CIM-EVENTS' is not current\"\n"
    "2026-11-23T00:34:00+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:00.000000 [INF] "
    "10.0.0.9:51234 - cid:17 - \"v3.4.1:c:titan\" - Slow Consumer Detected: WriteDeadline of 10s exceeded "
    "with 3 chunks of 98304 total bytes.\n"
    "2026-11-23T00:34:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:05.000000 [ERR] "
    "10.0.0.9:51240 - cid:18 - \"v3.4.1:c\" - authentication error\n"
    "2026-11-23T00:34:06+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:06.000000 [ERR] "
    "10.0.0.9:51241 - cid:19 - \"v3.4.1:c\" - Publish Violation - User \"titan\", Subject "
    "\"$JS.API.STREAM.DELETE.CIM-EVENTS\"\n"
    "2026-11-23T00:34:07+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:07.000000 [INF] "
    "10.0.0.2:6222 - rid:8 - Router connection closed: Duplicate Route\n"
    "2026-11-23T00:35:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:35:13.000000 [INF] "
    "10.0.0.2:6222 - rid:9 - Router connection closed: Read Error\n"
    "2026-11-23T00:35:14+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:35:14.000000 [INF] "
    "Server is ready\n";

// journalctl -u nats (default short format) on n2 with quorum lost.
const std::string kShort =
    "Nov 23 00:40:01 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:01.100000 [WRN] JetStream "
    "cluster stream 'APP > CIM-EVENTS' has NO quorum, stalled\n"
    "Nov 23 00:40:02 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:02.100000 [WRN] JetStream "
    "cluster consumer 'APP > CIM-EVENTS > CIM-PROCESSOR' has NO quorum, stalled\n"
    "Nov 23 00:40:03 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:03.100000 [WRN] JetStream "
    "cluster no metadata leader\n"
    "Nov 23 00:40:04 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:04.100000 [WRN] Catchup for "
    "stream 'APP > CIM-EVENTS' stalled\n"
    "Nov 23 00:40:05 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:05.100000 [WRN] Catchup for "
    "stream 'APP > CIM-EVENTS' errored, will retry: timeout\n"
    "Nov 23 00:40:06 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:06.100000 [INF] Catchup for "
    "stream 'APP > CIM-EVENTS' complete\n"
    "Nov 23 00:40:07 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:07.100000 [ERR] Remote server "
    "has a duplicate name: \"n2\"\n"
    "Nov 23 00:40:08 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:08.100000 [ERR] 10.0.0.8:6222 "
    "- rid:12 - Rejecting connection, cluster name \"cim-old\" does not match \"cim\"\n"
    "Nov 23 00:40:09 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:09.100000 [INF] "
    "10.0.0.50:7422 - lid:4 - Leafnode connection closed: Client Closed account: APP\n"
    "Nov 23 00:40:10 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:10.100000 [INF] 10.0.0.1:6222 "
    "- rid:9 - Router connection closed: Stale Connection\n"
    "Nov 23 00:40:11 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:11.100000 [WRN] 10.0.0.9:4222 "
    "- cid:30 - Readloop processing time: 2.5s\n"
    "Nov 23 00:40:12 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:12.100000 [INF] JetStream "
    "cluster new metadata leader: n1/cim\n";

// docker logs titan-nats --tail 50 (the server logs to stderr with its own prefix).
const std::string kDocker =
    "[1] 2026/11/23 00:50:00.000001 [INF] Starting nats-server\n"
    "[1] 2026/11/23 00:50:00.000002 [INF]   Version:  2.9.10\n"
    "[1] 2026/11/23 00:50:03.123456 [INF] 172.18.0.3:6222 - rid:4 - Router connection closed: Client Closed\n"
    "[1] 2026/11/23 00:50:04.000000 [INF] 172.18.0.3:6222 - rid:5 - Router connection closed: Server Shutdown\n"
    "[1] 2026/11/23 00:50:05.654321 [INF] 172.18.0.4:6222 - rid:6 - Router connection closed: Client Closed\n"
    "[1] 2026/11/23 00:50:06.000000 [INF] JetStream cluster new metadata leader: n2/cim\n";

const json* category(const json& facts, const std::string& name) {
  for (const auto& c : facts["categories"])
    if (c["category"] == name) return &c;
  return nullptr;
}

std::size_t count_of(const json& facts, const std::string& name) {
  const json* c = category(facts, name);
  return c == nullptr ? 0 : c->at("count").get<std::size_t>();
}

TEST_CASE("log lines: journal short-iso, short and docker prefixes are taken apart") {
  LogLine a = parse_log_line(
      "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.620287 [INF] "
      "Server is ready\r");
  CHECK(a.time == "2026-11-23T00:32:13+0000");
  CHECK(a.level == "INF");
  CHECK(a.message == "Server is ready");
  LogLine b = parse_log_line("Nov  3 00:40:01 n2 nats-server[2222]: [2222] 2026/11/03 00:40:01.1 [WRN] x y");
  CHECK(b.time == "2026/11/03 00:40:01.1");  // the server's own, with its year
  CHECK(b.level == "WRN");
  CHECK(b.message == "x y");
  LogLine c = parse_log_line("Nov 23 00:40:01 n2 nats-server[2222]: [ERR] no own prefix");
  CHECK(c.time == "Nov 23 00:40:01");
  CHECK(c.level == "ERR");
  CHECK(c.message == "no own prefix");
  LogLine d = parse_log_line("2026-11-23T00:50:03.123456789Z [1] 2026/11/23 00:50:03.123456 [INF] hello");
  CHECK(d.time == "2026-11-23T00:50:03.123456789Z");
  CHECK(d.message == "hello");
  LogLine e = parse_log_line("plain text");
  CHECK(e.time.empty());
  CHECK(e.message == "plain text");
}

TEST_CASE("journal short-iso: every category counted with first and last time") {
  json facts = log_facts(kShortIso);
  INFO(facts.dump(2));
  CHECK(facts["lines"] == 20);
  CHECK(facts["truncated"] == false);
  CHECK(count_of(facts, "route_closed") == 2);  // Client Closed, Read Error; not Duplicate Route
  CHECK(category(facts, "route_closed")->at("reasons") == json{{"Client Closed", 1}, {"Read Error", 1}});
  CHECK(count_of(facts, "route_connect_error") == 2);
  CHECK(count_of(facts, "stream_leader_elected") == 1);
  CHECK(count_of(facts, "consumer_leader_elected") == 1);
  CHECK(count_of(facts, "meta_leader_elected") == 1);
  CHECK(count_of(facts, "account_limit") == 1);
  CHECK(count_of(facts, "storage_exhausted") == 3);  // server limit, out of space, WAL "no space left"
  CHECK(count_of(facts, "raft_warning") == 1);
  CHECK(count_of(facts, "store_failed") == 1);
  CHECK(count_of(facts, "healthcheck_failed") == 1);
  CHECK(count_of(facts, "slow_consumer") == 1);
  CHECK(count_of(facts, "auth_failure") == 1);
  CHECK(count_of(facts, "permission_violation") == 1);
  CHECK(facts["recognised"] == 17);
  const json& routes = *category(facts, "route_closed");
  CHECK(routes["first_seen"] == "2026-11-23T00:32:13+0000");
  CHECK(routes["last_seen"] == "2026-11-23T00:35:13+0000");
  CHECK(routes["severity"] == "warning");
  // Most severe first.
  CHECK(facts["categories"][0]["category"] == "storage_exhausted");
  // The route password in the example line is gone.
  const json& connect = *category(facts, "route_connect_error");
  std::string example = connect["example"];
  CHECK(example.find("T0pS3cretRoute") == std::string::npos);
  CHECK(example.find("Error trying to connect to route (attempt 1)") != std::string::npos);
}

TEST_CASE("journal short format: quorum, meta leader, catch-up, name conflicts, leaf nodes") {
  json facts = log_facts(kShort);
  INFO(facts.dump(2));
  CHECK(count_of(facts, "no_quorum") == 2);
  CHECK(count_of(facts, "no_meta_leader") == 1);
  CHECK(count_of(facts, "catchup_failed") == 2);  // stalled, errored; not complete
  CHECK(count_of(facts, "duplicate_server_name") == 1);
  CHECK(count_of(facts, "cluster_name_conflict") == 1);
  CHECK(count_of(facts, "leafnode_closed") == 1);
  CHECK(category(facts, "leafnode_closed")->at("reasons") == json{{"Client Closed", 1}});
  CHECK(count_of(facts, "route_closed") == 1);
  CHECK(count_of(facts, "slow_readloop") == 1);
  CHECK(count_of(facts, "meta_leader_elected") == 1);
  const json& q = *category(facts, "no_quorum");
  CHECK(q["first_seen"] == "2026-11-23T00:40:01.100000");  // the server's time: the journal's has no year
  CHECK(q["last_seen"] == "2026-11-23T00:40:02.100000");
}

TEST_CASE("docker logs with and without --timestamps; CRLF output reads the same") {
  json facts = log_facts(kDocker);
  CHECK(count_of(facts, "route_closed") == 3);
  CHECK(category(facts, "route_closed")->at("reasons") == json{{"Client Closed", 2}, {"Server Shutdown", 1}});
  CHECK(category(facts, "route_closed")->at("first_seen") == "2026-11-23T00:50:03.123456");
  CHECK(category(facts, "route_closed")->at("last_seen") == "2026-11-23T00:50:05.654321");
  std::string stamped;
  for (const auto& line : split(kDocker, '\n'))
    if (!line.empty()) stamped += "2026-11-23T00:50:0" + std::to_string(stamped.size() % 10) + "Z " + line + "\n";
  CHECK(count_of(log_facts(stamped), "route_closed") == 3);
  std::string crlf;
  for (char ch : kShortIso) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  json crlf_facts = log_facts(crlf);
  CHECK(crlf_facts == log_facts(kShortIso));
}

TEST_CASE("log findings: codes, severities by category and values") {
  FindingSet set;
  log_findings(log_facts(kShortIso + kShort), "nats-cluster-1", "journal", set);
  std::vector<Finding> fs;
  set.move_to(fs);
  INFO(test::describe(fs));
  auto one = [&](const std::string& code) -> const Finding& {
    auto found = test::with_code(fs, code);
    REQUIRE(found.size() == 1);
    return *found[0];
  };
  CHECK(one("host.log.storage_exhausted").severity == Severity::Critical);
  CHECK(one("host.log.no_quorum").severity == Severity::Critical);
  CHECK(one("host.log.route_closed").severity == Severity::Warning);
  CHECK(one("host.log.auth_failure").severity == Severity::Warning);
  CHECK(one("host.log.slow_consumer").severity == Severity::Warning);
  CHECK(one("host.log.meta_leader_elected").severity == Severity::Info);
  const Finding& routes = one("host.log.route_closed");
  CHECK(routes.values.at("category") == "route_closed");
  CHECK(routes.values.at("count") == "3");
  CHECK(routes.values.at("first_seen") == "2026-11-23T00:32:13+0000");
  CHECK(routes.values.at("last_seen") == "2026-11-23T00:40:10.100000");
  CHECK(routes.values.at("host") == "nats-cluster-1");
  CHECK(routes.values.at("reasons") == "Client Closed x1, Read Error x1, Stale Connection x1");
  CHECK(routes.evidence.size() == 1);
  CHECK(routes.evidence[0].rfind("journal: ", 0) == 0);
  CHECK(one("host.log.meta_leader_elected").values.at("count") == "2");
  CHECK(test::with_code(fs, "host.log.store_failed").size() == 1);
  // Nothing recognised: no findings.
  FindingSet none;
  log_findings(log_facts(kDocker.substr(0, 90)), "h", "s", none);
  std::vector<Finding> empty;
  none.move_to(empty);
  CHECK(empty.empty());
}

TEST_CASE("log findings read foreign facts defensively") {
  FindingSet set;
  log_findings(json::parse(R"({"categories":[{"category":"nope","count":3},{"category":"no_quorum","count":"x"},
      {"category":"slow_consumer","count":2,"reasons":{"a":"b"},"example":"token=abc123 line"}],"x":1})"),
               "h", "s", set);
  log_findings(json(42), "h", "s", set);
  log_findings(json::parse(R"({"categories":{"a":1}})"), "h", "s", set);
  std::vector<Finding> fs;
  set.move_to(fs);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "host.log.slow_consumer");
  CHECK(fs[0].evidence[0].find("abc123") == std::string::npos);
}

TEST_CASE("hostile log output: garbage, 10 MB, huge lines, all bounded") {
  std::mt19937 rng(7);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  json g = log_facts(garbage);
  CHECK(g["categories"].is_array());
  CHECK_NOTHROW(g.dump());  // valid UTF-8 everywhere

  std::string ten;
  while (ten.size() < (10u << 20)) ten += kShort;
  json t = log_facts(ten, 1u << 20);
  CHECK(t["truncated"] == true);
  CHECK(t["lines"].get<std::size_t>() < 10000);
  CHECK(count_of(t, "no_quorum") > 0);
  json full = log_facts(ten);
  CHECK(count_of(full, "no_quorum") == 2 * (ten.size() / kShort.size()));

  // One 10 MB line that matches: the example stays short.
  std::string huge = "[1] 2026/11/23 00:50:00.000001 [WRN] Slow Consumer Detected: " + std::string(10u << 20, 'x');
  json h = log_facts(huge);
  REQUIRE(count_of(h, "slow_consumer") == 1);
  CHECK(category(h, "slow_consumer")->at("example").get<std::string>().size() <= 400);
  CHECK(log_facts("")["lines"] == 0);
  CHECK(log_facts("\n\n\n")["recognised"] == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

}  // namespace
}  // namespace rr::host
