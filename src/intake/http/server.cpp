#include "intake/http/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <optional>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "config/tls.h"
#include "intake/http/auth.h"
#include "intake/http/rate_limiter.h"
#include "intake/http/report_routes.h"
#include "common/host_port.h"

namespace rr {

namespace {

using nlohmann::json;

constexpr const char* kWebhookPath = "/webhook";
constexpr time_t kTimeoutSeconds = 5;
// The handler names why it rejected a webhook in this response header; the
// post-routing hook counts it and removes it before anything is written.
constexpr const char* kReasonHeader = "X-Rr-Rejected-Reason";

enum class BodyRead { Ok, TooLarge, Broken };

// Reads the body through httplib's reader so the limit also holds for
// chunked and compressed bodies (httplib 0.11 caps only Content-Length).
// With `out` null the body is read and thrown away, which keeps a
// keep-alive connection in step after an early rejection.
BodyRead read_body(const httplib::Request& req, const httplib::Response& res, const httplib::ContentReader& reader,
                   std::size_t limit, std::string* out) {
  std::size_t total = 0;
  bool over = false;
  auto receive = [&](const char* data, std::size_t n) {
    if (n > limit - total) {
      over = true;
      return false;
    }
    total += n;
    if (out) out->append(data, n);
    return true;
  };
  bool ok = req.is_multipart_form_data()
                ? reader([](const httplib::MultipartFormData&) { return true; }, receive)
                : reader(receive);
  if (over || res.status == 413) return BodyRead::TooLarge;
  return ok ? BodyRead::Ok : BodyRead::Broken;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Error messages may quote input; never let serialisation throw.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void reject(httplib::Response& res, int status, const char* reason, const json& body) {
  send_json(res, status, body);
  res.set_header(kReasonHeader, reason);
}

void method_not_allowed(httplib::Response& res, const char* allow) {
  res.status = 405;
  res.set_header("Allow", allow);
  res.set_content("method not allowed\n", "text/plain");
}

// Answered to a connection without a verified client certificate when one
// is required: a Kubernetes probe cannot present one.
bool is_probe_path(const std::string& path) { return path == "/healthz" || path == "/readyz"; }

bool is_get_path(const std::string& path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/reports" ||
         path.rfind("/reports/", 0) == 0;
}

// Like httplib's default but without SO_REUSEPORT, which would let a second
// process bind the same port silently instead of failing.
void socket_options(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

// Two repairs to httplib 0.11's listening socket, for the plain and the TLS
// server alike.
class ListenerControl {
 public:
  virtual ~ListenerControl() = default;
  // httplib listens with a backlog of 5: a sixth simultaneous connect (an HA
  // pair flushing many groups) has its SYN dropped and waits a full second
  // for the retransmit. Linux takes a second listen() as a new backlog.
  virtual void raise_backlog() = 0;
  // httplib closes the socket only from a running loop; this closes it when
  // stop() comes between bind() and serve().
  virtual void close_unserved() = 0;
};

template <class Base>
class Listener final : public Base, public ListenerControl {
 public:
  using Base::Base;
  void raise_backlog() override {
    socket_t sock = this->svr_sock_;
    if (sock != INVALID_SOCKET) ::listen(sock, SOMAXCONN);
  }
  void close_unserved() override {
    socket_t sock = this->svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) ::close(sock);
  }
};

// The TLS context that new connections get.
//
// Reloading a certificate safely: httplib 0.11's SSLServer has one SSL_CTX
// and creates every connection's SSL from it (SSL_new, under a mutex of its
// own that we cannot take). OpenSSL does not document changing a live
// SSL_CTX's certificate (SSL_CTX_use_certificate) while other threads create
// SSLs from it as thread-safe, so the context is never changed once made.
// Instead httplib's context is only a base, whose ClientHello callback moves
// each new connection to the current context with SSL_set_SSL_CTX (the use
// OpenSSL documents for that callback: "swapping out the associated SSL_CTX
// pointer"), before any certificate is chosen or requested. A reload makes a
// whole new context from the files and swaps the pointer here under a mutex;
// the SSL holds its own reference (SSL_set_SSL_CTX takes one), so connections
// already open keep the context they started with until they end. Contexts
// are immutable once published, and SSL_CTX's reference count is atomic.
class TlsContexts {
 public:
  void set(SslCtxPtr ctx) {
    std::shared_ptr<SSL_CTX> next(ctx.release(), SslCtxFree{});
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }
  std::shared_ptr<SSL_CTX> get() const {
    std::lock_guard lock(mu_);
    return current_;
  }

  // The base context's settings (those an SSL copies at SSL_new: protocol
  // versions, options) and the callback below.
  bool setup_base(SSL_CTX& base) {
    apply_server_tls_settings(&base);
    SSL_CTX_set_client_hello_cb(&base, on_client_hello, this);
    return true;
  }

 private:
  static int on_client_hello(SSL* ssl, int* alert, void* arg) {
    std::shared_ptr<SSL_CTX> ctx = static_cast<TlsContexts*>(arg)->get();
    if (!ctx || SSL_set_SSL_CTX(ssl, ctx.get()) != ctx.get()) {
      *alert = SSL_AD_INTERNAL_ERROR;
      return SSL_CLIENT_HELLO_ERROR;
    }
    // The SSL copied its verify mode from the base at SSL_new; the
    // certificate, the verify store and the CA list now come from `ctx`.
    SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx.get()), SSL_CTX_get_verify_callback(ctx.get()));
    return SSL_CLIENT_HELLO_SUCCESS;
  }

  mutable std::mutex mu_;
  std::shared_ptr<SSL_CTX> current_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, WebhookSink& s, Metrics& m)
      : options(std::move(o)),
        sink(s),
        metrics(m),
        received(m.counter("rr_webhooks_received_total", "Webhook POSTs answered, accepted or not.")),
        rejected(m.counter("rr_webhooks_rejected_total", "Webhook POSTs not accepted, by reason.", {"reason"})),
        limiter(options.rate_limit),
        require_client_cert(options.tls.requires_client_cert()),
        owner(make_listener()),
        http(*owner),
        control(dynamic_cast<ListenerControl&>(*owner)) {
    for (const char* r : {"unauthorized", "rate_limited", "malformed", "too_large", "queue_full", "stopped",
                          "state_unavailable", "internal"})
      rejected.inc({r}, 0);  // every reason is exposed from the start
  }

  std::unique_ptr<httplib::Server> make_listener() {
    if (!options.tls.enabled()) return std::make_unique<Listener<httplib::Server>>();
    tls.emplace();
    if (auto ctx = make_server_tls_context(options.tls)) {
      tls_description = describe_server_certificate(ctx->get());
      tls->set(std::move(*ctx));
    } else {
      tls_error = ctx.error();
    }
    return std::make_unique<Listener<httplib::SSLServer>>(
        [this](SSL_CTX& base) { return tls->setup_base(base); });
  }

  void configure();
  void webhook(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void other_with_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void count(const httplib::Request& req, httplib::Response& res);

  ServerOptions options;
  WebhookSink& sink;
  Metrics& metrics;
  CounterFamily& received;
  CounterFamily& rejected;
  ClientRateLimiter limiter;
  // Declared before the server, which calls into it, so it outlives it.
  std::optional<TlsContexts> tls;
  std::optional<Error> tls_error;       // the TLS files did not load at start
  std::string tls_description;          // the certificate served now (under mu)
  std::atomic<bool> require_client_cert;
  std::unique_ptr<httplib::Server> owner;
  httplib::Server& http;
  ListenerControl& control;

  std::mutex mu;
  std::condition_variable cv;
  bool bound = false, serving = false, stopping = false, finished = false;
  bool stop_sent = false;  // httplib's stop() must run once (it asserts)
};

void HttpServer::Impl::configure() {
  http.set_tcp_nodelay(true);
  http.set_socket_options(socket_options);
  http.set_payload_max_length(options.body_limit);
  http.set_read_timeout(kTimeoutSeconds);
  http.set_write_timeout(kTimeoutSeconds);
  http.set_keep_alive_timeout(kTimeoutSeconds);
  std::size_t threads = options.threads > 0 ? static_cast<std::size_t>(options.threads) : 1;
  // httplib takes ownership of the returned queue (held in a unique_ptr).
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  // Every method that may carry a body gets a reading handler, so httplib
  // never buffers a body (unbounded when chunked) before we see it.
  auto body_handler = [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    if (req.path == kWebhookPath && req.method == "POST") webhook(req, res, reader);
    else other_with_body(req, res, reader);
  };
  http.Post(".*", body_handler);
  http.Put(".*", body_handler);
  http.Patch(".*", body_handler);
  http.Delete(".*", body_handler);

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::string why = sink.not_ready();
    res.status = why.empty() ? 200 : 503;
    res.set_content(why.empty() ? "ready\n" : "not ready: " + log_safe(why) + "\n", "text/plain");
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.expose(), "text/plain; version=0.0.4; charset=utf-8");
  });
  add_report_routes(http, options.auth, options.reports);
  http.Get(kWebhookPath, [](const httplib::Request&, httplib::Response& res) { method_not_allowed(res, "POST"); });
  http.Options(kWebhookPath, [](const httplib::Request&, httplib::Response& res) { method_not_allowed(res, "POST"); });

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // PRI (the HTTP/2 preface) would make httplib read a body with no handler.
    if (req.method == "PRI") {
      res.status = 405;
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    // A required client certificate is checked before anything else; the
    // body is not read, so the connection closes.
    if (require_client_cert && !is_probe_path(req.path) && !tls_client_verified(req.ssl)) {
      spdlog::debug("{} {} from {}: no verified client certificate", req.method, sanitize_utf8(req.path),
                    req.remote_addr);
      res.set_header("Connection", "close");
      reject(res, 401, "unauthorized", json{{"error", "a client certificate signed by the configured CA is required"}});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("http: {} {} failed: {}", req.method, sanitize_utf8(req.path), sanitize_utf8(what));
    send_json(res, 500, json{{"error", "internal error"}});
  });

  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) { count(req, res); });
}

// Runs for every response just before it is written, including the ones
// httplib makes itself (a 413 for a Content-Length over the limit, a 400 for
// unreadable headers), so the counters see every webhook POST.
void HttpServer::Impl::count(const httplib::Request& req, httplib::Response& res) {
  std::string reason = res.get_header_value(kReasonHeader);
  res.headers.erase(kReasonHeader);
  if (req.method != "POST" || req.path != kWebhookPath) return;
  received.inc({});
  if (!reason.empty()) {
    rejected.inc({reason});
  } else if (res.status >= 400) {
    rejected.inc({res.status == 413 ? "too_large" : res.status >= 500 ? "internal" : "malformed"});
  }
}

void HttpServer::Impl::webhook(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
  // First, before credentials: a client guessing tokens is limited too.
  if (auto admitted = limiter.admit(req.remote_addr); !admitted.allowed) {
    if (read_body(req, res, reader, options.body_limit, nullptr) != BodyRead::Ok) res.set_header("Connection", "close");
    if (admitted.first_refusal) {
      WebhookRateLimit limit = limiter.limit();
      spdlog::warn("webhook from {}: over the per-client rate limit ({}, burst {}); answering 503 with Retry-After "
                   "until it slows down (rate_limit.allow exempts an address)",
                   req.remote_addr, limit.rate, limit.burst);
    }
    res.set_header("Retry-After", std::to_string(admitted.retry_after.count()));
    reject(res, 503, "rate_limited", json{{"error", "rate limited; retry later"}});
    return;
  }
  if (!authorized(options.auth, req.get_header_value("Authorization"))) {
    if (read_body(req, res, reader, options.body_limit, nullptr) != BodyRead::Ok) res.set_header("Connection", "close");
    spdlog::debug("webhook from {}: unauthorized", req.remote_addr);
    reject(res, 401, "unauthorized", json{{"error", "unauthorized"}});
    for (const auto& challenge : auth_challenges(options.auth)) res.headers.emplace("WWW-Authenticate", challenge);
    return;
  }

  std::string body;
  switch (read_body(req, res, reader, options.body_limit, &body)) {
    case BodyRead::Ok:
      break;
    case BodyRead::TooLarge:
      res.set_header("Connection", "close");
      reject(res, 413, "too_large",
             json{{"error", fmt::format("body larger than {} bytes", options.body_limit)}, {"field", "body"}});
      return;
    case BodyRead::Broken:
      res.set_header("Connection", "close");
      reject(res, 400, "malformed", json{{"error", "cannot read the request body"}, {"field", "body"}});
      return;
  }

  auto received_at = TimePoint(Clock::now());
  auto parsed = parse_notification(body, options.limits);
  if (!parsed) {
    spdlog::warn("webhook from {} rejected: {}", req.remote_addr, parsed.error().to_string());
    reject(res, 400, "malformed", json{{"error", parsed.error().message}, {"field", parsed.error().where}});
    return;
  }

  switch (sink.accept(std::move(parsed).value(), body, received_at)) {
    case WebhookSink::Admission::Queued:
      send_json(res, 200, json{{"status", "queued"}});
      return;
    case WebhookSink::Admission::Full:
      spdlog::warn("webhook from {}: queue full, answering 503 so Alertmanager retries", req.remote_addr);
      reject(res, 503, "queue_full", json{{"error", "queue full"}});
      return;
    case WebhookSink::Admission::Stopped:
      reject(res, 503, "stopped", json{{"error", "shutting down"}});
      return;
    case WebhookSink::Admission::Unrecorded:
      reject(res, 503, "state_unavailable", json{{"error", "cannot record the notification; retry later"}});
      return;
  }
}

void HttpServer::Impl::other_with_body(const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
  if (read_body(req, res, reader, options.body_limit, nullptr) != BodyRead::Ok) res.set_header("Connection", "close");
  if (req.path == kWebhookPath) {
    method_not_allowed(res, "POST");
  } else if (is_get_path(req.path)) {
    method_not_allowed(res, "GET");
  } else {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
  }
}

HttpServer::HttpServer(ServerOptions options, WebhookSink& sink, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), sink, metrics)) {
  impl_->configure();
}

HttpServer::~HttpServer() {
  stop();
  // serve() may still be unwinding in another thread; it must be done with
  // impl_ before impl_ goes away.
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return !impl_->serving || impl_->finished; });
}

Result<int> HttpServer::bind() {
  if (impl_->tls_error) return *impl_->tls_error;
  auto address = parse_host_port(impl_->options.listen);
  if (!address) return address.error();
  std::lock_guard lock(impl_->mu);
  if (impl_->bound) return Error{"listen", "already bound"};
  if (impl_->stopping) return Error{"listen", "server stopped"};
  int port = address->port;
  if (port == 0) port = impl_->http.bind_to_any_port(address->host);
  else if (!impl_->http.bind_to_port(address->host, port)) port = -1;
  if (port < 0)
    return Error{"listen", fmt::format("cannot listen on {} (address in use, not local, or not permitted)",
                                       impl_->options.listen)};
  impl_->control.raise_backlog();
  impl_->bound = true;
  return port;
}

void HttpServer::serve() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping || !impl_->bound || impl_->serving) return;
    impl_->serving = true;
  }
  impl_->http.listen_after_bind();
  std::lock_guard lock(impl_->mu);
  impl_->finished = true;
  impl_->cv.notify_all();
}

void HttpServer::stop() {
  std::unique_lock lock(impl_->mu);
  impl_->stopping = true;
  if (!impl_->bound || impl_->stop_sent) return;
  impl_->stop_sent = true;
  if (!impl_->serving) {
    impl_->control.close_unserved();  // serve() will now return at once
    return;
  }
  // httplib's stop() does nothing until its loop has started: wait for
  // that (or for serve() to have ended) before asking it to stop.
  while (!impl_->finished && !impl_->http.is_running()) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lock.lock();
  }
  lock.unlock();
  impl_->http.stop();
}

Result<std::string> HttpServer::reload_tls(const TlsConfig& tls) {
  if (!impl_->tls) return Error{"tls", "this server was started without TLS; enabling it takes a restart"};
  if (!tls.enabled()) return Error{"tls", "this server was started with TLS; disabling it takes a restart"};
  auto ctx = make_server_tls_context(tls);
  if (!ctx) return ctx.error();
  std::string description = describe_server_certificate(ctx->get());
  impl_->tls->set(std::move(*ctx));
  impl_->require_client_cert = tls.requires_client_cert();
  std::lock_guard lock(impl_->mu);
  impl_->tls_description = description;
  return description;
}

std::string HttpServer::tls_certificate() const {
  std::lock_guard lock(impl_->mu);
  return impl_->tls_description;
}

bool HttpServer::uses_tls() const { return impl_->tls.has_value(); }

void HttpServer::set_rate_limit(WebhookRateLimit limit) { impl_->limiter.configure(std::move(limit)); }

}  // namespace rr
