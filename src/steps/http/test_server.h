#pragma once
// For the HTTP steps' tests (header-only, not part of the library): a real
// httplib server on 127.0.0.1 and a free port, serving fixed bodies, and
// handlers that hang until the test is done with them.

#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace rr::http::test {

class TestServer {
 public:
  TestServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Connections wait in the backlog until the loop runs: no race.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestServer() {
    release();
    server_.stop();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void serve(const std::string& path, std::string body, int status = 200,
             const std::string& content_type = "application/json") {
    server_.Get(path, [body = std::move(body), status, content_type](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content(body, content_type.c_str());
    });
  }

  // Answers nothing until release() or the destructor.
  void hang(const std::string& path) {
    server_.Get(path, [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return released_; });
      res.set_content("{}", "application/json");
    });
  }

  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  httplib::Server& server() { return server_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

// The Titan service's /health answer when its NATS connection is broken.
inline const char* kTitanDegraded =
    R"({"status":"degraded","components":[{"name":"brain","status":"healthy"},)"
    R"({"name":"nats","status":"unhealthy","error":"timeout"}]})";

}  // namespace rr::http::test
