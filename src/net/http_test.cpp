#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "net/http.h"
#include "support/process.h"

using namespace rr;

TEST_CASE("URLs are parsed strictly") {
  auto u = parse_url("http://user:pw@127.0.0.1:8222/jsz?acc=APP");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8222);
  CHECK(u->path == "/jsz?acc=APP");
  CHECK(u->origin() == "http://127.0.0.1:8222");
  CHECK(parse_url("https://[::1]/x")->port == 443);
  CHECK_FALSE(parse_url("ftp://x/"));
  CHECK_FALSE(parse_url("http:///x"));
  CHECK_FALSE(parse_url("http://a b/"));
  CHECK_FALSE(parse_url("http://host:99999/"));
}

TEST_CASE("Requests have a deadline and a size cap") {
  httplib::Server server;
  server.Get("/big", [](const httplib::Request&, httplib::Response& res) { res.set_content(std::string(100000, 'x'), "text/plain"); });
  // /slow answers only once the test is done with it.
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  server.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });
    res.set_content("late", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  HttpRequest big{.url = base + "/big", .max_response_bytes = 1000};
  auto r = http_request(big, Deadline::after(std::chrono::seconds(2)));
  CHECK(r.status == 200);
  CHECK(r.truncated);
  CHECK(r.body.size() == 1000);

  auto start = std::chrono::steady_clock::now();
  auto slow = http_request(HttpRequest{.url = base + "/slow"}, Deadline::after(std::chrono::milliseconds(300)));
  CHECK(slow.status == 0);
  CHECK_FALSE(slow.error.empty());
  // Without the deadline this would wait for the release below.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

  int closed = test::free_port();
  auto refused = http_request(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(closed) + "/"},
                              Deadline::after(std::chrono::seconds(1)));
  CHECK(refused.status == 0);
  CHECK(refused.error.find("refused") != std::string::npos);
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  server.stop();
  t.join();
}

TEST_CASE("A host name is resolved by the responder and kept for the Host header") {
  httplib::Server server;
  server.Get("/host", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("Host"), "text/plain");
  });
  // On 127.0.0.1 only: where "localhost" gives ::1 first, that address
  // refuses and the next one is tried.
  int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread t([&] { server.listen_after_bind(); });
  auto r = http_request(HttpRequest{.url = "http://localhost:" + std::to_string(port) + "/host"},
                        Deadline::after(std::chrono::seconds(5)));
  server.stop();
  t.join();
  INFO(r.error);
  CHECK(r.status == 200);
  CHECK(r.body == "localhost:" + std::to_string(port));
}

TEST_CASE("A server trickling its headers a byte at a time is cut off at the deadline") {
  // A raw TCP server: the status line and then one header byte every 50 ms,
  // forever; every byte restarts a socket timeout, only the deadline ends it.
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  REQUIRE(listen(listener, 4) == 0);
  std::atomic<bool> done{false};
  std::thread server([&] {
    int conn = accept(listener, nullptr, nullptr);
    if (conn < 0) return;
    const std::string start = "HTTP/1.1 200 OK\r\nX-Slow: ";
    send(conn, start.data(), start.size(), MSG_NOSIGNAL);
    while (!done && send(conn, "a", 1, MSG_NOSIGNAL) == 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    close(conn);
  });
  const auto started = std::chrono::steady_clock::now();
  auto r = http_request(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"},
                        Deadline::after(std::chrono::milliseconds(500)));
  const auto took = std::chrono::steady_clock::now() - started;
  done = true;
  shutdown(listener, SHUT_RDWR);
  close(listener);
  server.join();
  CHECK(r.status == 0);
  CHECK(r.error.find("deadline") != std::string::npos);
  // Socket timeouts alone would still be waiting: the trickle never stops.
  CHECK(took < std::chrono::seconds(3));
}
