#include <catch2/catch.hpp>
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
