#pragma once
// The HTTP front door: POST /webhook, GET /healthz, /readyz, /metrics, and
// the report pages (GET /reports, /reports/ID: report_routes.h).
// Handlers only validate and enqueue; triage runs elsewhere, so a slow
// cluster can never make Alertmanager's POST wait.
//
// POST /webhook answers 401 (bad or missing credentials, checked before the
// body is looked at), 413 (body over body_limit, chunked bodies included),
// 400 {"error","field"} (malformed), 503 (queue full, stopping, or the state
// store could not record it: Alertmanager retries only 5xx) or 200
// {"status":"queued"} once the payload is journaled. GET /readyz answers 503
// with the reason when not ready. Other paths: 404; another method on
// /webhook: 405. Read, write and keep-alive timeouts are 5 s.
//
// Rate limit (options.rate_limit, rate_limiter.h): a POST /webhook from a
// client past its per-address limit is answered 503 with Retry-After before
// anything else is looked at; allowlisted addresses are never limited.
//
// TLS (options.tls): the same server, routes and settings over HTTPS
// (httplib::SSLServer), TLS 1.2 minimum. reload_tls() installs a new
// certificate, key and client CA for the connections that start after it;
// connections already open keep theirs. With a client CA, every route but
// /healthz and /readyz (the probes, which cannot present a certificate)
// answers 401 to a connection without a verified client certificate.
//
// Metrics registered in the given registry:
//   rr_webhooks_received_total            every POST /webhook answered
//   rr_webhooks_rejected_total{reason}    unauthorized, rate_limited, malformed, too_large,
//                                         queue_full, stopped, state_unavailable, internal
//
// The process must ignore SIGPIPE: httplib 0.11 (Debian's build) writes
// without MSG_NOSIGNAL, so a client hanging up mid-answer would kill it.

#include <atomic>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "intake/payload/notification.h"
#include "metrics/metrics.h"
#include "state/store.h"

namespace rr {

// Where accepted payloads go (the engine implements it).
class WebhookSink {
 public:
  // Unrecorded: the durable journal refused it (disk full, database
  // locked or corrupt). Every answer but Queued is a 503, so Alertmanager
  // keeps the alert and retries.
  enum class Admission { Queued, Full, Stopped, Unrecorded };
  virtual ~WebhookSink() = default;
  // Records `body` (the validated payload's bytes) durably, then queues.
  // Blocks only on that local write, itself bounded by the store's lock timeout.
  virtual Admission accept(Notification notification, std::string_view body, TimePoint received) = 0;
  // "" when ready to accept; otherwise why not ("queue full", "state store: ...").
  virtual std::string not_ready() const = 0;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:9095";  // host:port; port 0 picks a free one
  AuthConfig auth;
  TlsConfig tls;                      // off unless cert_file is set
  WebhookRateLimit rate_limit;        // per client address, on POST /webhook
  std::size_t body_limit = 1 << 20;  // bytes after any Content-Encoding
  int threads = 8;                    // connections served at once
  PayloadLimits limits;
  StateStore* reports = nullptr;      // serves GET /reports (report_routes.h); null: 404
};

class HttpServer {
 public:
  // `sink` and `metrics` must outlive the server.
  HttpServer(ServerOptions options, WebhookSink& sink, Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the bound port. Fails (where = "listen") on
  // a malformed address, an address in use, or a second call; (where =
  // "tls.cert_file", ...) when the TLS files did not load at construction.
  Result<int> bind();
  // Serves until stop(); call after bind(), from one thread. Returns at once
  // if stop() came first.
  void serve();
  // Stops accepting and makes serve() return. Safe from any thread, any
  // number of times; the destructor calls it and waits for serve() to end.
  void stop();

  // TLS only: loads `tls` (as make_server_tls_context() in config/tls.h)
  // and, if it loads, serves it to every connection that starts from now on;
  // returns the new certificate's description. On any error the certificate
  // in use stays. Safe from any thread while serving.
  Result<std::string> reload_tls(const TlsConfig& tls);
  // The certificate served now (describe_server_certificate()); "" without TLS.
  std::string tls_certificate() const;
  bool uses_tls() const;

  // A new rate limit for the requests from now on; safe while serving.
  void set_rate_limit(WebhookRateLimit limit);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rr
