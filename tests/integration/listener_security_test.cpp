// The listener's TLS (with and without client certificates, and its reload
// on SIGHUP) and the per-client webhook rate limit, against the real binary
// with real clients: cpp-httplib's HTTPS client and `openssl s_client`, and
// certificates made by the `openssl` tool.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/alertmanager.h"
#include "support/certs.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

const std::string kToken = "tls-test-token";

std::string payload(const std::string& group) {
  return alert_payload(group, {{"alertname", "TlsTest"}, {"group", group}}, "firing", "fp-" + group).dump();
}

// The responder binary serving HTTPS: like Responder (support/alertmanager.h),
// but ready means GET /readyz answers 200 over TLS, trusting `ca`.
class HttpsResponder {
 public:
  HttpsResponder(const std::string& tls_yaml, const std::filesystem::path& ca, bool with_auth = true)
      : port_(free_port()) {
    write_file(dir_ / "token", kToken + "\n");
    std::string yaml = "listen: \"127.0.0.1:" + std::to_string(port_) + "\"\n" + tls_yaml +
                       "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
                       "notify: []\n"
                       "engine: {workers: 1, queue: 64, cooldown: 5m, step_timeout: 2s, deadline: 5s}\n";
    if (with_auth) yaml += "auth: {bearer_token_file: " + (dir_ / "token").string() + "}\n";
    write_file(config_file(), yaml);
    process_ = Process({RR_BINARY, "serve", "--config", config_file().string(), "--log-level", "debug"},
                       dir_ / "responder.log");
    const bool ready = wait_until(
        [&] {
          auto r = client(ca)->Get("/readyz");
          return r && r->status == 200;
        },
        std::chrono::seconds(15));
    if (!ready) throw std::runtime_error("responder did not become ready over TLS: " + log());
  }

  int port() const { return port_; }
  std::filesystem::path config_file() const { return dir_ / "config.yaml"; }
  std::string log() const { return read_file(dir_ / "responder.log"); }
  Process& process() { return process_; }

  // An HTTPS client trusting `ca` (empty: the system's CAs), presenting
  // `client_cert` when given.
  std::unique_ptr<httplib::SSLClient> client(const std::filesystem::path& ca,
                                              const TestPki::Pair* client_cert = nullptr) const {
    auto c = client_cert ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_, client_cert->cert.string(),
                                                                client_cert->key.string())
                         : std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    if (!ca.empty()) c->set_ca_cert_path(ca.string().c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(5);
    c->set_read_timeout(10);
    return c;
  }

  // Sends SIGHUP; waits until the log has one more line containing `outcome`.
  void reload(const std::string& outcome) {
    const std::size_t before = count(outcome);
    REQUIRE(kill(process_.pid(), SIGHUP) == 0);
    REQUIRE(wait_until([&] { return count(outcome) > before; }, std::chrono::seconds(20)));
  }

  std::size_t count(const std::string& text) const {
    const std::string l = log();
    std::size_t n = 0;
    for (auto at = l.find(text); at != std::string::npos; at = l.find(text, at + 1)) ++n;
    return n;
  }

 private:
  TempDir dir_;
  int port_;
  Process process_;
};

std::string tls_yaml(const TestPki::Pair& server, const std::string& client_ca = "") {
  return "tls:\n  cert_file: " + server.cert.string() + "\n  key_file: " + server.key.string() + "\n" +
         (client_ca.empty() ? "" : "  client_ca_file: " + client_ca + "\n");
}

httplib::Result post(const std::unique_ptr<httplib::SSLClient>& c, const std::string& group,
                     const std::string& token = kToken) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return c->Post("/webhook", h, payload(group), "application/json");
}

}  // namespace

TEST_CASE("TLS: a webhook over HTTPS is accepted; plain HTTP and an untrusted server certificate are refused") {
  TestPki pki;
  const auto ca = pki.ca("ca-one");
  const auto other_ca = pki.ca("ca-other");
  const auto server = pki.server("responder-1", "ca-one", "1001");
  HttpsResponder responder(tls_yaml(server), ca);

  auto c = responder.client(ca);
  auto ok = post(c, "g-tls");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(json::parse(ok->body) == json{{"status", "queued"}});
  auto unauthorized = post(c, "g-tls", "wrong-token");
  REQUIRE(unauthorized);
  CHECK(unauthorized->status == 401);  // TLS does not replace auth
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    auto r = c->Get(path);
    REQUIRE(r);
    CHECK(r->status == 200);
  }

  // The client must trust the server's CA.
  auto untrusting = responder.client(other_ca);
  auto refused = post(untrusting, "g-untrusted");
  CHECK_FALSE(refused);
  CHECK(refused.error() == httplib::Error::SSLServerVerification);

  // Plain HTTP to the TLS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", responder.port());
  plain.set_read_timeout(10);
  auto plain_post = plain.Post("/webhook", {{"Authorization", "Bearer " + kToken}}, payload("g-plain"),
                               "application/json");
  CHECK_FALSE(plain_post);

  CHECK(TestPki::served_certificate(responder.port()).find("serial=1001") != std::string::npos);
  CHECK(responder.count("listening on 127.0.0.1:" + std::to_string(responder.port())) == 1);
  CHECK(responder.count("(port " + std::to_string(responder.port()) + ", https)") == 1);
}

TEST_CASE("TLS: with client_ca_file, only clients with a certificate from that CA are served") {
  TestPki pki;
  const auto ca = pki.ca("ca-one");
  const auto clients_ca = pki.ca("ca-clients");
  pki.ca("ca-rogue");
  const auto server = pki.server("responder-1", "ca-one", "1001");
  const auto alertmanager = pki.client("alertmanager", "ca-clients", "2001");
  const auto rogue = pki.client("rogue", "ca-rogue", "2002");
  // No `auth`: the required client certificate authenticates.
  HttpsResponder responder(tls_yaml(server, clients_ca.string()), ca, /*with_auth=*/false);

  auto trusted = responder.client(ca, &alertmanager);
  auto ok = post(trusted, "g-mtls", "");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto reports = trusted->Get("/reports?format=json");
  REQUIRE(reports);
  CHECK(reports->status == 200);

  // No certificate: the probes answer, nothing else does.
  auto anonymous = responder.client(ca);
  auto no_cert = post(anonymous, "g-anonymous", "");
  REQUIRE(no_cert);
  CHECK(no_cert->status == 401);
  CHECK(json::parse(no_cert->body)["error"].get<std::string>().find("client certificate") != std::string::npos);
  for (const char* path : {"/healthz", "/readyz"}) {
    auto r = responder.client(ca)->Get(path);
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  for (const char* path : {"/metrics", "/reports"}) {
    auto r = responder.client(ca)->Get(path);
    REQUIRE(r);
    CHECK(r->status == 401);
  }

  // A certificate from another CA fails the handshake (with TLS 1.3 the
  // client learns it on its first write or read, not in its handshake).
  auto other = responder.client(ca, &rogue);
  auto rogue_post = post(other, "g-rogue", "");
  CHECK_FALSE(rogue_post);

  // The one without a certificate is counted as unauthorized; the rogue one
  // never reached HTTP.
  auto metrics = trusted->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("rr_webhooks_rejected_total{reason=\"unauthorized\"} 1") != std::string::npos);
  CHECK(metrics->body.find("rr_webhooks_received_total 2") != std::string::npos);
}

TEST_CASE("TLS: SIGHUP rotates the certificate for new connections; a broken one is refused and the old one stays") {
  TestPki pki;
  const auto ca_one = pki.ca("ca-one");
  const auto ca_two = pki.ca("ca-two");
  const auto first = pki.server("responder-1", "ca-one", "1001");
  const auto second = pki.server("responder-2", "ca-two", "1002");
  const auto third = pki.server("responder-3", "ca-two", "1003");
  // The files the config names, rotated in place as cert-manager or certbot do.
  const TestPki::Pair live{pki.dir() / "live.pem", pki.dir() / "live.key"};
  std::filesystem::copy_file(first.cert, live.cert);
  std::filesystem::copy_file(first.key, live.key);
  HttpsResponder responder(tls_yaml(live), ca_one);
  REQUIRE(TestPki::served_certificate(responder.port()).find("serial=1001") != std::string::npos);

  auto before = responder.client(ca_one);
  auto accepted = post(before, "g-before");
  REQUIRE(accepted);
  CHECK(accepted->status == 200);

  std::filesystem::copy_file(second.cert, live.cert, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(second.key, live.key, std::filesystem::copy_options::overwrite_existing);
  responder.reload("reloaded:");
  INFO(responder.log());
  CHECK(responder.count("reload: tls: new connections get subject CN = responder-2, serial 1002") == 1);
  const std::string served = TestPki::served_certificate(responder.port());
  INFO(served);
  CHECK(served.find("serial=1002") != std::string::npos);
  CHECK(served.find("CN = responder-2") != std::string::npos);
  auto after = responder.client(ca_two);
  auto ok = post(after, "g-after");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  // A new connection trusting only the old CA now refuses the server.
  auto stale = responder.client(ca_one);
  CHECK_FALSE(post(stale, "g-stale"));

  // A broken key: the reload is refused, the log says why, the second certificate stays.
  std::filesystem::copy_file(third.cert, live.cert, std::filesystem::copy_options::overwrite_existing);
  write_file(live.key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
  responder.reload("reload refused");
  CHECK(responder.count("tls.key_file " + live.key.string() + ": not an unencrypted PEM private key") >= 1);
  // A key that does not match the certificate: the same.
  std::filesystem::copy_file(second.key, live.key, std::filesystem::copy_options::overwrite_existing);
  responder.reload("reload refused");
  CHECK(responder.count(live.key.string() + ": does not match the certificate in " + live.cert.string()) >= 1);
  const std::string still = TestPki::served_certificate(responder.port());
  INFO(still);
  CHECK(still.find("serial=1002") != std::string::npos);
  auto still_ok = post(after, "g-still");
  REQUIRE(still_ok);
  CHECK(still_ok->status == 200);
  CHECK(responder.process().running());
}

TEST_CASE("Rate limit: a client past its limit gets 503 with Retry-After; an allowlisted client is never limited") {
  TempDir dir;
  write_file(dir / "token", kToken + "\n");
  // 1/h: no token comes back during the test, so what passes is exactly the burst.
  Responder responder("listen: \"127.0.0.1:{{PORT}}\"\n"
                      "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
                      "rules: [\"" RR_SOURCE_DIR "/rules/*.yaml\"]\n"
                      "notify: []\n"
                      "rate_limit: {per_client: 1/h, burst: 3, allow: [\"127.0.0.2\"]}\n");

  auto client_from = [&](const char* source) {
    httplib::Client c("127.0.0.1", responder.port());
    c.set_read_timeout(10);
    c.set_default_headers({{"Authorization", "Bearer " + kToken}});
    // The connection's source address: 127.0.0.0/8 is all local on Linux.
    c.set_socket_options([source](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      inet_pton(AF_INET, source, &a.sin_addr);
      (void)::bind(sock, reinterpret_cast<sockaddr*>(&a), sizeof a);  // a failure shows in the statuses
    });
    return c;
  };
  auto limited = client_from("127.0.0.1");
  auto alertmanager = client_from("127.0.0.2");

  std::vector<int> limited_status, allowed_status;
  std::string retry_after;
  for (int i = 0; i < 6; ++i) {
    auto a = alertmanager.Post("/webhook", payload("g-am-" + std::to_string(i)), "application/json");
    auto l = limited.Post("/webhook", payload("g-flood-" + std::to_string(i)), "application/json");
    REQUIRE(a);
    REQUIRE(l);
    allowed_status.push_back(a->status);
    limited_status.push_back(l->status);
    if (l->status == 503) {
      retry_after = l->get_header_value("Retry-After");
      CHECK(json::parse(l->body)["error"] == "rate limited; retry later");
    }
  }
  CHECK(allowed_status == std::vector<int>(6, 200));
  CHECK(limited_status == std::vector<int>{200, 200, 200, 503, 503, 503});
  REQUIRE_FALSE(retry_after.empty());
  CHECK(std::stoi(retry_after) >= 1);
  CHECK(std::stoi(retry_after) <= 3600);

  CHECK(responder.metric("rr_webhooks_rejected_total{reason=\"rate_limited\"}") == 3);
  CHECK(responder.metric("rr_webhooks_received_total") == 12);
  // Logged once for the episode, not per request.
  const std::string log = responder.log();
  std::size_t logged = 0;
  for (auto at = log.find("over the per-client rate limit"); at != std::string::npos;
       at = log.find("over the per-client rate limit", at + 1))
    ++logged;
  CHECK(logged == 1);
  CHECK(log.find("webhook from 127.0.0.1: over the per-client rate limit (1/h, burst 3)") != std::string::npos);
}
