#pragma once
// A real HTTP server on 127.0.0.1 that stands in for the chat and paging
// services in tests: it records every request, answers from a script (500
// twice then 200, 429 with Retry-After, a handler that hangs), and checks
// each request against the receiving service's documented schema and limits.
//
// Which service a request is for goes by its path's first segment (/slack,
// /slack-api, /webhook-json, /pagerduty, /opsgenie, /mattermost, /teams,
// /discord, /googlechat): support/services/ holds each service's checks and
// its success answer (Slack's "ok", PagerDuty's 202, a Discord message with
// its id). A request that breaks a rule is recorded in violations() and
// refused as the real service would. Other paths get 200 "ok".

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace rr::test {

struct SinkRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::steady_clock::time_point received;
  std::map<std::string, std::string> query;  // decoded query parameters

  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

struct SinkResponse {
  SinkResponse() = default;
  SinkResponse(int status_, std::string body_, std::vector<std::pair<std::string, std::string>> headers_ = {},
               std::chrono::milliseconds delay_ = {})
      : status(status_), body(std::move(body_)), headers(std::move(headers_)), delay(delay_) {}

  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Retry-After", "1"}
  std::chrono::milliseconds delay{0};  // before answering; cut short when the sink stops
};

class HttpSink {
 public:
  // Listening when the constructor returns.
  HttpSink();
  // Wakes delayed handlers, stops the server and joins its thread.
  ~HttpSink();
  HttpSink(const HttpSink&) = delete;
  HttpSink& operator=(const HttpSink&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

  // Requests to exactly `path` get `sequence` in order, then `otherwise`.
  // Paths without a script get 200 "ok".
  void script(const std::string& path, std::vector<SinkResponse> sequence, SinkResponse otherwise = {});

  std::vector<SinkRequest> requests() const;
  std::vector<SinkRequest> requests(const std::string& path) const;
  // True once at least `count` requests have arrived, waiting up to `timeout`.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;
  // Every limit any recorded body broke, "path: what".
  std::vector<std::string> violations() const;

 private:
  struct Script {
    std::deque<SinkResponse> sequence;
    SinkResponse otherwise;
  };
  std::optional<SinkResponse> next_response(const std::string& path);  // scripted, if any

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<SinkRequest> requests_;
  std::vector<std::string> violations_;
  std::map<std::string, Script> scripts_;
};


}  // namespace rr::test
