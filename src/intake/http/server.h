#pragma once
// The HTTP front door: POST /webhook, GET /healthz, /readyz, /metrics.
// Handlers only validate and enqueue; triage runs elsewhere, so a slow
// cluster can never make Alertmanager's POST wait.

#include <atomic>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "intake/payload/notification.h"
#include "metrics/metrics.h"

namespace rr {

// Where accepted payloads go (the engine implements it).
class WebhookSink {
 public:
  enum class Admission { Queued, Full, Stopped };
  virtual ~WebhookSink() = default;
  // Must not block. Full -> 503 so Alertmanager retries.
  virtual Admission accept(Notification notification, TimePoint received) = 0;
  virtual bool ready() const = 0;  // rules loaded, queue below its bound
};

struct ServerOptions {
  std::string listen = "127.0.0.1:9095";  // host:port; port 0 picks a free one
  AuthConfig auth;
  std::size_t body_limit = 1 << 20;
  int threads = 8;
};

class HttpServer {
 public:
  // `sink` and `metrics` must outlive the server.
  HttpServer(ServerOptions options, WebhookSink& sink, Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the bound port.
  Result<int> bind();
  // Serves until stop(); call after bind().
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rr
