// The HTTPS server in process: certificate reloads while connections are
// being made on other threads, refused reloads, and start-up errors.

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "intake/http/server.h"
#include "support/certs.h"

using namespace rr;

namespace {

class QueueingSink : public WebhookSink {
 public:
  Admission accept(Notification, std::string_view, TimePoint) override { return Admission::Queued; }
  std::string not_ready() const override { return ""; }
};

TlsConfig tls_of(const test::TestPki::Pair& p, const std::string& client_ca = "") {
  TlsConfig t;
  t.cert_file = p.cert.string();
  t.key_file = p.key.string();
  t.client_ca_file = client_ca;
  return t;
}

struct RunningTls {
  explicit RunningTls(TlsConfig tls) : server(options(std::move(tls)), sink, metrics) {
    std::signal(SIGPIPE, SIG_IGN);
    auto bound = server.bind();
    REQUIRE(bound);
    port = *bound;
    thread = std::thread([this] { server.serve(); });
  }
  ~RunningTls() {
    server.stop();
    thread.join();
  }
  static ServerOptions options(TlsConfig tls) {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.tls = std::move(tls);
    return o;
  }
  QueueingSink sink;
  Metrics metrics;
  HttpServer server;
  int port = 0;
  std::thread thread;
};

}  // namespace

TEST_CASE("TLS server: reloads while clients connect; every handshake gets one whole certificate") {
  test::TestPki pki;
  const auto ca = pki.ca("ca-one");
  const auto a = pki.server("responder-a", "ca-one", "a001");
  const auto b = pki.server("responder-b", "ca-one", "b002");
  RunningTls s(tls_of(a));
  CHECK(s.server.uses_tls());
  CHECK(s.server.tls_certificate().find("serial A001") != std::string::npos);

  std::atomic<int> ok{0}, failed{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!done) {
        httplib::SSLClient c("127.0.0.1", s.port);  // a new connection, a new handshake, each time
        c.set_ca_cert_path(ca.string().c_str());
        c.enable_server_certificate_verification(true);
        c.set_connection_timeout(5);
        c.set_read_timeout(5);
        auto r = c.Get("/healthz");
        (r && r->status == 200 ? ok : failed)++;
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    auto reloaded = s.server.reload_tls(tls_of(i % 2 ? a : b));
    REQUIRE(reloaded);
    CHECK(reloaded->find(i % 2 ? "responder-a" : "responder-b") != std::string::npos);
    // Wait for a few handshakes against this certificate (an event, not a time).
    const int seen = ok;
    while (ok < seen + 3 && failed == 0) std::this_thread::yield();
  }
  done = true;
  for (auto& t : clients) t.join();
  CHECK(failed == 0);
  CHECK(ok >= 120);
  CHECK(s.server.tls_certificate().find("CN = responder-a") != std::string::npos);
  const std::string served = test::TestPki::served_certificate(s.port);
  INFO(served);
  CHECK(served.find("serial=A001") != std::string::npos);
}

TEST_CASE("TLS server: a reload that does not load is refused and the certificate stays") {
  test::TestPki pki;
  pki.ca("ca-one");
  const auto a = pki.server("responder-a", "ca-one", "a001");
  const auto b = pki.server("responder-b", "ca-one", "b002");
  RunningTls s(tls_of(a));

  auto mismatched = s.server.reload_tls(TlsConfig{a.cert.string(), b.key.string(), ""});
  REQUIRE_FALSE(mismatched);
  CHECK(mismatched.error().where == "tls.key_file");
  CHECK(mismatched.error().message.find("does not match the certificate") != std::string::npos);
  auto missing = s.server.reload_tls(TlsConfig{(pki.dir() / "nope.pem").string(), a.key.string(), ""});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().where == "tls.cert_file");
  auto off = s.server.reload_tls(TlsConfig{});
  CHECK_FALSE(off);
  CHECK(s.server.tls_certificate().find("CN = responder-a") != std::string::npos);
  CHECK(test::TestPki::served_certificate(s.port).find("serial=A001") != std::string::npos);
}

TEST_CASE("TLS server: files that do not load make bind() fail, naming the key") {
  test::TestPki pki;
  pki.ca("ca-one");
  const auto a = pki.server("responder-a", "ca-one", "a001");
  const auto b = pki.server("responder-b", "ca-one", "b002");
  QueueingSink sink;
  Metrics metrics;
  HttpServer server(RunningTls::options(TlsConfig{a.cert.string(), b.key.string(), ""}), sink, metrics);
  auto bound = server.bind();
  REQUIRE_FALSE(bound);
  CHECK(bound.error().where == "tls.key_file");

  // A plain server has no TLS to reload.
  ServerOptions plain;
  plain.listen = "127.0.0.1:0";
  HttpServer http(plain, sink, metrics);
  CHECK_FALSE(http.uses_tls());
  CHECK_FALSE(http.reload_tls(tls_of(a)));
}
