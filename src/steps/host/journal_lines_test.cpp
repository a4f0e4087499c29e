// NATS log lines in journalctl (short-iso and short) and docker logs output,
// written from the server's own texts (reference nats.md): categories,
// counts, first and last time, redacted examples, hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "common/text.h"
#include "steps/host/journal_lines.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;
using samples::kDocker;
using samples::kShort;
using samples::kShortIso;

const json* category(const json& facts, const std::string& name) {
  for (const auto& c : facts["categories"])
    if (c["category"] == name) return &c;
  return nullptr;
}

std::size_t count_of(const json& facts, const std::string& name) {
  const json* c = category(facts, name);
  return c == nullptr ? 0 : c->at("count").get<std::size_t>();
}

TEST_CASE("log categories: names unique, most severe first", "[host][journal]") {
  const auto& all = log_categories();
  REQUIRE(!all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) CHECK(all[i].name != all[j].name);
    if (i > 0) CHECK(static_cast<int>(all[i - 1].severity) <= static_cast<int>(all[i].severity));
  }
  CHECK(log_severity_name(LogSeverity::Critical) == "critical");
  CHECK(log_severity_name(LogSeverity::Warning) == "warning");
  CHECK(log_severity_name(LogSeverity::Info) == "info");
}

TEST_CASE("log lines: journal short-iso, short and docker prefixes are taken apart", "[host][journal]") {
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

TEST_CASE("journal short-iso: every category counted with first and last time", "[host][journal]") {
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

TEST_CASE("journal short format: quorum, meta leader, catch-up, name conflicts, leaf nodes", "[host][journal]") {
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

TEST_CASE("docker logs with and without --timestamps; CRLF output reads the same", "[host][journal]") {
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

TEST_CASE("hostile log output: garbage, 10 MB, huge lines, all bounded", "[host][journal]") {
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
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("a damaged stream store is one category, naming the stream in each of the server's forms", "[host][journal]") {
  // nats-server's own wording (jetstream.go, filestore.go, jetstream_cluster.go).
  const std::string log =
      "[7] 2026/12/02 02:40:00.100000 [WRN]   Stream metafile \"/data/jetstream/APP/streams/TITAN_INTENTS/meta.inf\": "
      "checksums do not match \"0e6b\" vs \"ffff\"\n"
      "[7] 2026/12/02 02:40:00.200000 [WRN]   Error recreating stream \"TITAN_INTENTS\": bad metafile\n"
      "[7] 2026/12/02 02:40:01.000000 [ERR] JetStream stream 'APP > ORDERS' critical write error: disk I/O\n"
      "[7] 2026/12/02 02:40:02.000000 [WRN] Stream assignment corrupt for stream 'APP > TITAN_INTENTS'\n"
      "[7] 2026/12/02 02:40:03.000000 [ERR] JetStream consumer 'APP > X > Y' critical write error: x\n";
  json facts = log_facts(log, 1 << 20);
  INFO(facts.dump(2));
  CHECK(count_of(facts, "stream_corrupt") == 4);  // a consumer's write error is not the stream's store
  CHECK(category(facts, "stream_corrupt")->at("reasons") == json{{"TITAN_INTENTS", 3}, {"ORDERS", 1}});
  CHECK(category(facts, "stream_corrupt")->at("severity") == "critical");
}

}  // namespace
}  // namespace rr::host
