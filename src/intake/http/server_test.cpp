#include "intake/http/server.h"

#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/fixtures.h"
#include "support/process.h"
#include "support/skip.h"

using namespace rr;
using nlohmann::json;

namespace {

std::string sample(const std::string& name) { return test::alertmanager_sample(name); }

class FakeSink : public WebhookSink {
 public:
  Admission accept(Notification n, std::string_view, TimePoint) override {
    std::lock_guard lock(mu);
    got.push_back(std::move(n));
    return admission;
  }
  std::string not_ready() const override { return is_ready ? "" : "queue full"; }

  std::size_t count() {
    std::lock_guard lock(mu);
    return got.size();
  }

  std::atomic<Admission> admission{Admission::Queued};
  std::atomic<bool> is_ready{true};
  std::mutex mu;
  std::vector<Notification> got;
};

// A real server on 127.0.0.1, a free port, served from its own thread.
struct Running {
  explicit Running(ServerOptions options = {}) : server(with_free_port(std::move(options)), sink, metrics) {
    std::signal(SIGPIPE, SIG_IGN);  // as the app does (see server.h)
    auto bound = server.bind();
    REQUIRE(bound);
    port = *bound;
    thread = std::thread([this] { server.serve(); });
  }
  ~Running() {
    server.stop();
    thread.join();
  }

  static ServerOptions with_free_port(ServerOptions o) {
    o.listen = "127.0.0.1:0";
    return o;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    c.set_write_timeout(5);
    c.set_tcp_nodelay(true);
    return c;
  }

  double rejected(const std::string& reason) { return metrics.counter("rr_webhooks_rejected_total", "", {"reason"}).value({reason}); }
  double received() { return metrics.counter("rr_webhooks_received_total", "").value({}); }

  FakeSink sink;
  Metrics metrics;
  HttpServer server;
  int port = 0;
  std::thread thread;
};

// The accept backlog of this process's socket listening on 127.0.0.1:port,
// or -1. Linux reports a listener's backlog in TCP_INFO's tcpi_sacked.
int listen_backlog(int port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::atoi(entry.path().filename().c_str());
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_in addr{};
    socklen_t addr_len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0 || addr.sin_family != AF_INET ||
        ntohs(addr.sin_port) != port) {
      continue;
    }
    tcp_info info{};
    socklen_t info_len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) != 0) return -1;
    return static_cast<int>(info.tcpi_sacked);
  }
  return -1;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("A real Alertmanager payload is queued and answered 200") {
  Running s;
  auto c = s.client();
  auto r = c.Post("/webhook", sample("b-alert-joins-group.json"), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body) == json{{"status", "queued"}});
  REQUIRE(s.sink.count() == 1);
  CHECK(s.sink.got[0].alerts.size() == 2);
  CHECK(s.sink.got[0].group_key == "{}:{alertname=\"NatsJetStreamConsumerLag\", cluster=\"nats-east\"}");
  CHECK(s.received() == 1);
  CHECK(s.rejected("malformed") == 0);
  // The internal bookkeeping header never leaves the server.
  CHECK_FALSE(r->has_header("X-Rr-Rejected-Reason"));
}

TEST_CASE("A malformed payload gets 400 naming the field") {
  Running s;
  auto doc = json::parse(sample("a-first-notification.json"));
  doc["alerts"][0]["startsAt"] = "soon";
  auto c = s.client();
  auto r = c.Post("/webhook", doc.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  auto body = json::parse(r->body);
  CHECK(body["field"] == "alerts[0].startsAt");
  CHECK_FALSE(body["error"].get<std::string>().empty());

  auto r2 = c.Post("/webhook", "not json \xff", "application/json");
  REQUIRE(r2);
  CHECK(r2->status == 400);
  CHECK(json::parse(r2->body)["field"] == "body");

  CHECK(s.sink.count() == 0);
  CHECK(s.rejected("malformed") == 2);
  CHECK(s.received() == 2);
}

TEST_CASE("Bearer token authentication") {
  ServerOptions o;
  o.auth.bearer_token = "s3cret-token";
  Running s(o);
  auto body = sample("a-first-notification.json");

  auto c = s.client();
  auto none = c.Post("/webhook", body, "application/json");
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(contains(none->get_header_value("WWW-Authenticate"), "Bearer"));

  auto wrong = s.client();
  wrong.set_bearer_token_auth("s3cret-tokem");
  auto r = wrong.Post("/webhook", body, "application/json");
  REQUIRE(r);
  CHECK(r->status == 401);

  auto basic = s.client();  // the right secret in the wrong scheme
  basic.set_basic_auth("s3cret-token", "s3cret-token");
  auto rb = basic.Post("/webhook", body, "application/json");
  REQUIRE(rb);
  CHECK(rb->status == 401);

  // Auth comes before parsing: a bad body without credentials is a 401.
  auto junk = c.Post("/webhook", "{", "application/json");
  REQUIRE(junk);
  CHECK(junk->status == 401);

  CHECK(s.sink.count() == 0);
  auto right = s.client();
  right.set_bearer_token_auth("s3cret-token");
  auto ok = right.Post("/webhook", body, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(s.sink.count() == 1);
  CHECK(s.rejected("unauthorized") == 4);
}

TEST_CASE("Basic authentication") {
  ServerOptions o;
  o.auth.basic_username = "alertmanager";
  o.auth.basic_password = "pa:ss word";
  Running s(o);
  auto body = sample("a-first-notification.json");

  auto wrong = s.client();
  wrong.set_basic_auth("alertmanager", "pa:ss wore");
  auto r = wrong.Post("/webhook", body, "application/json");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(contains(r->get_header_value("WWW-Authenticate"), "Basic"));

  auto wrong_user = s.client();
  wrong_user.set_basic_auth("alertmanageR", "pa:ss word");
  auto ru = wrong_user.Post("/webhook", body, "application/json");
  REQUIRE(ru);
  CHECK(ru->status == 401);

  auto c = s.client();
  auto garbage = c.Post("/webhook", {{"Authorization", "Basic !!!not-base64"}}, body, "application/json");
  REQUIRE(garbage);
  CHECK(garbage->status == 401);

  auto right = s.client();
  right.set_basic_auth("alertmanager", "pa:ss word");
  auto ok = right.Post("/webhook", body, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(s.sink.count() == 1);
  CHECK(s.rejected("unauthorized") == 3);
}

TEST_CASE("Bodies over the limit get 413 and the service keeps serving") {
  ServerOptions o;
  o.body_limit = 4096;
  Running s(o);
  auto c = s.client();

  SECTION("with a Content-Length (httplib's own 413)") {
    auto r = c.Post("/webhook", std::string(100000, ' '), "application/json");
    REQUIRE(r);
    CHECK(r->status == 413);
  }
  SECTION("chunked, where httplib sets no limit") {
    std::string chunk(1024, ' ');
    auto r = c.Post(
        "/webhook",
        [&](std::size_t offset, httplib::DataSink& sink) {
          if (offset >= 64 * 1024) sink.done();
          else sink.write(chunk.data(), chunk.size());
          return true;
        },
        "application/json");
    // The server answers 413 and closes while the client may still be
    // writing chunks; the client then sees the reset, not the answer. The
    // server-side count below is what proves the refusal either way.
    if (r) CHECK(r->status == 413);
  }
  SECTION("compressed below the limit, over it once decoded") {
    c.set_compress(true);
    auto r = c.Post("/webhook", std::string(200000, ' '), "application/json");
    REQUIRE(r);
    CHECK(r->status == 413);
  }
  SECTION("exactly at the limit is read, then judged on its content") {
    std::string body = "{}" + std::string(4094, ' ');
    auto r = c.Post("/webhook", body, "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(s.rejected("too_large") == 0);
    return;
  }
  CHECK(s.rejected("too_large") == 1);
  CHECK(s.received() == 1);
  auto again = s.client();
  auto ok = again.Post("/webhook", sample("f-after-two-500s.json"), "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(s.sink.count() == 1);
}

TEST_CASE("Webhook POSTs that httplib answers itself are counted too") {
  Running s;
  auto c = s.client();
  // A header line over httplib's 8 KiB limit: httplib answers 400 before any
  // handler runs; the post-routing hook still counts it.
  auto r = c.Post("/webhook", {{"X-Big", std::string(9000, 'a')}}, sample("a-first-notification.json"),
                  "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(s.sink.count() == 0);
  CHECK(s.received() == 1);
  CHECK(s.rejected("malformed") == 1);
}

TEST_CASE("A full or stopped sink gets 503 so Alertmanager retries") {
  Running s;
  auto c = s.client();
  s.sink.admission = WebhookSink::Admission::Full;
  auto r = c.Post("/webhook", sample("a-first-notification.json"), "application/json");
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(json::parse(r->body) == json{{"error", "queue full"}});

  s.sink.admission = WebhookSink::Admission::Stopped;
  auto r2 = c.Post("/webhook", sample("a-first-notification.json"), "application/json");
  REQUIRE(r2);
  CHECK(r2->status == 503);

  s.sink.admission = WebhookSink::Admission::Unrecorded;
  auto r3 = c.Post("/webhook", sample("a-first-notification.json"), "application/json");
  REQUIRE(r3);
  CHECK(r3->status == 503);
  CHECK(json::parse(r3->body)["error"] == "cannot record the notification; retry later");
  CHECK(s.rejected("queue_full") == 1);
  CHECK(s.rejected("stopped") == 1);
  CHECK(s.rejected("state_unavailable") == 1);
}

TEST_CASE("/metrics exposes the webhook counters by reason") {
  ServerOptions o;
  o.auth.bearer_token = "t";
  Running s(o);
  auto c = s.client();
  (void)c.Post("/webhook", "{}", "application/json");  // unauthorized
  auto authed = s.client();
  authed.set_bearer_token_auth("t");
  (void)authed.Post("/webhook", "{}", "application/json");  // malformed
  (void)authed.Post("/webhook", sample("a-first-notification.json"), "application/json");
  s.sink.admission = WebhookSink::Admission::Full;
  (void)authed.Post("/webhook", sample("a-first-notification.json"), "application/json");

  auto r = c.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(contains(r->get_header_value("Content-Type"), "text/plain; version=0.0.4"));
  const auto& text = r->body;
  INFO(text);
  CHECK(contains(text, "# TYPE rr_webhooks_received_total counter\n"));
  CHECK(contains(text, "\nrr_webhooks_received_total 4\n"));
  CHECK(contains(text, "rr_webhooks_rejected_total{reason=\"unauthorized\"} 1\n"));
  CHECK(contains(text, "rr_webhooks_rejected_total{reason=\"malformed\"} 1\n"));
  CHECK(contains(text, "rr_webhooks_rejected_total{reason=\"queue_full\"} 1\n"));
  CHECK(contains(text, "rr_webhooks_rejected_total{reason=\"too_large\"} 0\n"));
  CHECK(contains(text, "rr_webhooks_rejected_total{reason=\"stopped\"} 0\n"));

  auto lint = test::run({"promtool", "check", "metrics"}, std::chrono::seconds(30), text);
  RR_REQUIRE_OR_SKIP(!(lint.exit_code == -1 && contains(lint.output, "cannot start")), "promtool is not installed");
  INFO(lint.output);
  CHECK(lint.exit_code == 0);
  CHECK(lint.output.empty());
}

TEST_CASE("Health, readiness, 404 and 405") {
  Running s;
  auto c = s.client();
  auto h = c.Get("/healthz");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(h->body == "ok\n");

  auto ready = c.Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  s.sink.is_ready = false;
  auto not_ready = c.Get("/readyz");
  REQUIRE(not_ready);
  CHECK(not_ready->status == 503);
  CHECK(not_ready->body == "not ready: queue full\n");

  auto missing = c.Get("/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  auto post_missing = c.Post("/nope", "{}", "application/json");
  REQUIRE(post_missing);
  CHECK(post_missing->status == 404);

  auto get_webhook = c.Get("/webhook");
  REQUIRE(get_webhook);
  CHECK(get_webhook->status == 405);
  CHECK(get_webhook->get_header_value("Allow") == "POST");
  auto put_webhook = c.Put("/webhook", "{}", "application/json");
  REQUIRE(put_webhook);
  CHECK(put_webhook->status == 405);
  auto delete_webhook = c.Delete("/webhook");
  REQUIRE(delete_webhook);
  CHECK(delete_webhook->status == 405);
  auto post_metrics = c.Post("/metrics", "x", "text/plain");
  REQUIRE(post_metrics);
  CHECK(post_metrics->status == 405);
  CHECK(s.received() == 0);  // none of these was a webhook POST
}

TEST_CASE("Many concurrent webhooks are all answered and counted, through a raised accept backlog") {
  ServerOptions o;
  o.threads = 4;
  Running s(o);
  auto body = sample("c-one-resolved.json");
  // A connect dropped from a full accept backlog waits 1 s for the SYN
  // retransmit: httplib listens with a backlog of 5, the server raises it.
  CHECK(listen_backlog(s.port) >= 128);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&] {
      auto c = s.client();
      for (int i = 0; i < 25; ++i) {
        auto r = c.Post("/webhook", body, "application/json");
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(ok == 400);
  CHECK(s.sink.count() == 400);
  CHECK(s.received() == 400);
}

TEST_CASE("bind: listen addresses, address in use, twice") {
  FakeSink sink;
  Metrics metrics;
  HttpServer first(ServerOptions{.listen = "127.0.0.1:0"}, sink, metrics);
  auto port = first.bind();
  REQUIRE(port);
  CHECK(*port > 0);
  auto again = first.bind();
  REQUIRE_FALSE(again);
  CHECK(again.error().where == "listen");

  HttpServer second(ServerOptions{.listen = "127.0.0.1:" + std::to_string(*port)}, sink, metrics);
  auto clash = second.bind();
  REQUIRE_FALSE(clash);
  CHECK(clash.error().where == "listen");

  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":9095", "127.0.0.1:http", "127.0.0.1:70000", "::1:9095",
                          "[::1:9095", "127.0.0.1:-1"}) {
    INFO(bad);
    HttpServer s(ServerOptions{.listen = bad}, sink, metrics);
    auto r = s.bind();
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "listen");
  }

  HttpServer local(ServerOptions{.listen = "localhost:0"}, sink, metrics);
  CHECK(local.bind());
  HttpServer v6(ServerOptions{.listen = "[::1]:0"}, sink, metrics);
  auto v6port = v6.bind();
  if (!v6port) WARN("no IPv6 loopback here: " << v6port.error().to_string());
}

TEST_CASE("stop: before serve, twice, from another thread; the destructor stops") {
  FakeSink sink;
  Metrics metrics;
  {
    HttpServer s(ServerOptions{.listen = "127.0.0.1:0"}, sink, metrics);
    auto port = s.bind();
    REQUIRE(port);
    s.stop();
    s.stop();
    s.serve();  // returns at once
    // The listening socket is closed: the port can be bound again.
    HttpServer next(ServerOptions{.listen = "127.0.0.1:" + std::to_string(*port)}, sink, metrics);
    CHECK(next.bind());
  }
  {
    HttpServer s(ServerOptions{.listen = "127.0.0.1:0"}, sink, metrics);
    REQUIRE(s.bind());
    std::thread serving([&] { s.serve(); });
    std::thread a([&] { s.stop(); });
    std::thread b([&] { s.stop(); });
    a.join();
    b.join();
    serving.join();
  }
  {
    // Destroyed while serving: the destructor stops and waits for serve().
    std::thread serving;
    int port = 0;
    {
      HttpServer s(ServerOptions{.listen = "127.0.0.1:0"}, sink, metrics);
      auto bound = s.bind();
      REQUIRE(bound);
      port = *bound;
      serving = std::thread([&] { s.serve(); });
      REQUIRE(test::wait_for_http(port, "/healthz"));
    }
    serving.join();
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1);
    CHECK_FALSE(c.Get("/healthz"));
  }
}
