// Redaction: each kind of credential planted in realistic output (journal
// lines, docker logs, a creds file, a curl -v dump) never survives, ordinary
// NATS log lines pass untouched, and large or hostile input stays fast.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "common/redact.h"

namespace rr {
namespace {

bool leaks(const std::string& out, std::string_view secret) { return out.find(secret) != std::string::npos; }

// The secret must be gone and the marker present.
void check_gone(std::string_view text, std::string_view secret) {
  std::string out = redact(text);
  INFO("input: " << text << "\noutput: " << out);
  CHECK_FALSE(leaks(out, secret));
  CHECK(leaks(out, kRedacted));
}

constexpr std::string_view kSeed = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";
constexpr std::string_view kJwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJJRUZaVFJTUEw2N0tGN1RSR0ZNQTRVQ0RYQ0"
    "dWQVBFUzdHV0ZMRDJPQ0VBQjNEM09ZVU1RIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtZm9yLXRlc3Q";

TEST_CASE("Authorization headers in a curl -v dump lose their value, keep the scheme") {
  std::string dump =
      "*   Trying 10.0.0.7:3100...\n"
      "* Connected to titan-api (10.0.0.7) port 3100 (#0)\n"
      "> GET /health HTTP/1.1\r\n"
      "> Host: titan-api:3100\r\n"
      "> Authorization: Bearer 8c1f2e9a7b3d4c5e6f708192a3b4c5d6\r\n"
      "> Proxy-Authorization: Basic YWRtaW46aHVudGVyMg==\r\n"
      "> Cookie: session=s%3Aabc123def456\r\n"
      "> Accept: */*\r\n"
      "< HTTP/1.1 200 OK\r\n"
      "< Set-Cookie: sid=Zm9vYmFyYmF6cXV4; Path=/; HttpOnly\r\n";
  std::string out = redact(dump);
  INFO(out);
  for (auto s : {"8c1f2e9a7b3d4c5e6f708192a3b4c5d6", "YWRtaW46aHVudGVyMg==", "abc123def456", "Zm9vYmFyYmF6cXV4"})
    CHECK_FALSE(leaks(out, s));
  CHECK(leaks(out, "> Authorization: Bearer [REDACTED]\r\n"));
  CHECK(leaks(out, "> Proxy-Authorization: Basic [REDACTED]\r\n"));
  CHECK(leaks(out, "> Host: titan-api:3100\r\n"));  // not a credential
  CHECK(leaks(out, "* Connected to titan-api (10.0.0.7) port 3100 (#0)\n"));
  // JSON form of the header.
  check_gone(R"({"headers":{"Authorization":"Bearer tok-2b7e151628aed2a6"}})", "tok-2b7e151628aed2a6");
}

TEST_CASE("passwords in URLs and NATS tokens in nats:// URLs") {
  check_gone("Nov 23 00:32:13 n1 app[77]: connecting to nats://app:hunter2@10.0.0.1:4222", "hunter2");
  check_gone("DATABASE_URL=postgres://cim:S3cr3t!pw@db.internal:5432/cim", "S3cr3t!pw");
  check_gone("[1] 2026/11/23 00:32:13.620287 [INF] solicited leafnode nats-leaf://leaf:p%40ss@hub:7422", "p%40ss");
  check_gone("connect nats://s3cr3tt0k3n@10.0.0.1:4222 failed", "s3cr3tt0k3n");
  std::string out = redact("https://user:pw123@example.com/path?x=1");
  CHECK(out == "https://user:[REDACTED]@example.com/path?x=1");
  // A user name alone in an http URL is not a secret.
  CHECK(redact("see https://git@example.com/repo") == "see https://git@example.com/repo");
}

TEST_CASE("NATS seeds and a whole creds file") {
  check_gone(std::string("NATS_NKEY=") + std::string(kSeed), kSeed);
  check_gone(std::string("loaded seed ") + std::string(kSeed) + " from disk", kSeed);
  std::string creds = std::string(
                          "-----BEGIN NATS USER JWT-----\n") +
                      std::string(kJwt) +
                      "\n------END NATS USER JWT------\n\n"
                      "************************* IMPORTANT *************************\n"
                      "NKEY Seed printed below can be used to sign and prove identity.\n"
                      "NKEYs are sensitive and should be treated as secrets.\n\n"
                      "-----BEGIN USER NKEY SEED-----\n" +
                      std::string(kSeed) +
                      "\n------END USER NKEY SEED------\n\n"
                      "*************************************************************\n";
  std::string out = redact(creds);
  INFO(out);
  CHECK_FALSE(leaks(out, kSeed));
  CHECK_FALSE(leaks(out, kJwt.substr(40, 30)));
  CHECK(leaks(out, "-----BEGIN NATS USER JWT-----\n[REDACTED]\n------END NATS USER JWT------"));
  CHECK(leaks(out, "NKEYs are sensitive and should be treated as secrets."));
  // A public nkey (56 characters, U prefix) is an identity, not a secret.
  std::string pub = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";
  CHECK(redact("user " + pub + " connected") == "user " + pub + " connected");
}

TEST_CASE("PEM private keys, also cut off before their END line") {
  std::string pem =
      "tls.key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oc4Q6N2b9hGuoAoGCCqGSM49\n"
      "AwEHoUQDQgAEkY7J0ff3CfZfF8Ohx6eyn9dQ3zAeTq2p0CWJbCOQ\n-----END EC PRIVATE KEY-----\nnext line\n";
  std::string out = redact(pem);
  INFO(out);
  CHECK_FALSE(leaks(out, "MHcCAQEEIBkg4LVWM9nuwNSk3"));
  CHECK_FALSE(leaks(out, "AwEHoUQDQgAEkY7J0ff3"));
  CHECK(leaks(out, "-----BEGIN EC PRIVATE KEY-----\n[REDACTED]\n-----END EC PRIVATE KEY-----\nnext line\n"));
  check_gone("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n[output trimmed]", "MIIEvQIBADANBgkqhkiG9w0");
  // Certificates are public.
  std::string cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
  CHECK(redact(cert) == cert);
}

TEST_CASE("key=value, key: value and JSON password/token/secret pairs") {
  check_gone("Nov 23 00:32:13 n1 titan[88]: starting with password=hunter2 user=app", "hunter2");
  check_gone("  pass: correct-horse\n", "correct-horse");
  check_gone("authorization { user: app, password: \"s3cr3t pass\" }", "s3cr3t pass");
  check_gone(R"({"user":"app","password":"p@ss\"word","x":1})", "p@ss");
  check_gone("GET /api?access_token=abcdef0123&page=2", "abcdef0123");
  check_gone("client_secret = 'Zq8r!lm'", "Zq8r!lm");
  check_gone("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI");
  check_gone("nats --server nats://10.0.0.1 --password hunter2 stream ls", "hunter2");
  std::string out = redact("password=hunter2&user=app");
  CHECK(out == "password=[REDACTED]&user=app");
  // A flag, not a credential.
  CHECK(redact(R"({"auth_required":true,"token_required": false})") ==
        R"({"auth_required":true,"token_required": false})");
}

TEST_CASE("AWS keys, presigned URLs, webhooks and vendor tokens") {
  check_gone("aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE");
  check_gone("https://b.s3.amazonaws.com/x?X-Amz-Credential=AKIA1234%2F2026&X-Amz-Signature=9f86d081884c7d65",
             "9f86d081884c7d65");
  std::string out = redact("posting to https://hooks.slack.com/services/T0001/B0002/XXXXyyyyZZZZ1234 failed");
  CHECK(out == "posting to https://hooks.slack.com/services/[REDACTED] failed");
  check_gone("url: https://discord.com/api/webhooks/123456/abcDEF-xyz", "abcDEF-xyz");
  check_gone("GITHUB_TOKEN ghp_1234567890abcdefghijABCDEFGHIJ123456 set", "ghp_1234567890abcdefghij");
  check_gone("slack xoxb-1234-5678-abcdefghijkl", "xoxb-1234-5678");
  check_gone(std::string("jwt ") + std::string(kJwt) + ".", kJwt.substr(50, 20));
}

TEST_CASE("long token-like values after token and key words in prose") {
  check_gone("Dec 01 10:00:00 n1 sshd[1]: using bearer 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "4f9a8b7c6d5e4f3a2b1c");
  check_gone("rotated key 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B", "9F86D081884C7D659A2FEAA0C55AD015");
  // Short words after them are prose.
  CHECK(redact("the key is missing; token expired") == "the key is missing; token expired");
}

TEST_CASE("ordinary NATS and journal lines are untouched") {
  const char* lines[] = {
      "[1234] 2026/11/23 00:32:13.620287 [INF] 10.0.0.2:6222 - rid:5 - Router connection closed: Client Closed",
      "[1234] 2026/11/23 00:32:14.001122 [ERR] Error trying to connect to route (attempt 3): dial tcp "
      "10.0.0.3:6222: connect: connection refused",
      "[1234] 2026/11/23 00:32:14.120000 [INF] JetStream cluster new metadata leader: n2/cim",
      "[1234] 2026/11/23 00:32:15.000000 [WRN] JetStream cluster stream 'APP > CIM-EVENTS' has NO quorum, stalled",
      "[1234] 2026/11/23 00:32:16.000000 [WRN] Healthcheck failed: \"JetStream stream 'APP > CIM-EVENTS' is not "
      "current\"",
      "[1234] 2026/11/23 00:32:17.000000 [WRN] RAFT [yrzKKRBu - S-R3F-tA4jp2vG] Error storing entry to WAL: "
      "write /data/jetstream/_js_/x: no space left on device",
      "[1234] 2026/11/23 00:32:18.000000 [INF] 10.0.0.9:51234 - cid:17 - \"v1.30.0:go:titan\" - Slow Consumer "
      "Detected: WriteDeadline of 10s exceeded with 3 chunks of 98304 total bytes.",
      "[1234] 2026/11/23 00:32:19.000000 [ERR] 10.0.0.9:51240 - cid:18 - \"v3.4.1:c\" - authentication error",
      "[1234] 2026/11/23 00:32:19.500000 [INF] Reloaded: authorization password",
      "[1234] 2026/11/23 00:32:20.000000 [INF]   Version:  2.9.10",
      "[1234] 2026/11/23 00:32:20.000000 [INF] Listening for client connections on 0.0.0.0:4222",
      "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [INF] Server is ready",
      "Nov 23 00:32:13 nats-cluster-1 sshd[901]: Accepted password for root from 10.0.0.5 port 50522 ssh2",
      "Filesystem      Size  Used Avail Use% Mounted on",
      "     Active: active (running) since Mon 2026-11-23 00:30:01 UTC; 2min 12s ago",
  };
  for (const char* line : lines) CHECK(redact(line) == line);
}

TEST_CASE("extra patterns from the config: whole match or first group") {
  CHECK(redact("customer 4111-1111-1111-1111 paid", {"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}"}) == "customer [REDACTED] paid");
  CHECK(redact("x-tenant-key: abcd\nx-tenant-key: efgh", {"^x-tenant-key: (.*)$"}) ==
        "x-tenant-key: [REDACTED]\nx-tenant-key: [REDACTED]");
  // . does not cross lines.
  CHECK(redact("begin\nend", {"begin.*end"}) == "begin\nend");
  CHECK(redact("a", {"x*"}) == "a");  // empty matches replace nothing and end
  auto bad = Redactor::make({"ok", "(unclosed"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("(unclosed") != std::string::npos);
  CHECK(redact("password-free text", {"(unclosed"}) == "[REDACTED: invalid redaction pattern]");
  CHECK_FALSE(Redactor::make({std::string("a\0b", 3)}));
}

TEST_CASE("1 MB of log with credentials sprinkled in is redacted quickly") {
  std::string big;
  const std::string line =
      "[1234] 2026/11/23 00:32:13.620287 [INF] 10.0.0.2:6222 - rid:5 - Router connection closed: Client Closed\n";
  std::size_t n = 0;
  while (big.size() < (1u << 20)) {
    big += line;
    if (++n % 500 == 0) big += "token=secret" + std::to_string(n) + "zz password: p" + std::to_string(n) + "\n";
  }
  auto redactor = Redactor::make({"tenant-[0-9]+"});
  REQUIRE(redactor);
  auto start = std::chrono::steady_clock::now();
  std::string out = redactor->apply(big);
  auto took = std::chrono::steady_clock::now() - start;
  // Linear work takes well under a second; quadratic work on 1 MB takes hours.
  CHECK(took < std::chrono::seconds(60));
  CHECK_FALSE(leaks(out, "secret500zz"));
  CHECK_FALSE(leaks(out, "p1000\n"));
  std::size_t marks = 0;
  for (auto p = out.find(kRedacted); p != std::string::npos; p = out.find(kRedacted, p + 1)) ++marks;
  CHECK(marks == 2 * (n / 500));
}

TEST_CASE("hostile input: binary garbage, one huge line, many separators") {
  std::mt19937 rng(42);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  std::string out = redact(garbage);
  CHECK(out.size() > 0);
  // One 1 MB line made of a key repeated: each value is scanned once.
  std::string keys;
  while (keys.size() < (1u << 20)) keys += "token=token:";
  out = redact(keys);
  CHECK_FALSE(leaks(out, "token=token=token"));
  std::string colons(1 << 20, ':');
  CHECK(redact(colons) == colons);
  std::string begins;
  while (begins.size() < (1u << 20)) begins += "-----BEGIN PRIVATE KEY-----";
  CHECK(redact(begins).size() < begins.size());
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

}  // namespace
}  // namespace rr
