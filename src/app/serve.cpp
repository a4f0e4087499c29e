#include "app/serve.h"

#include <signal.h>

#include <thread>

#include <spdlog/spdlog.h>

#include "engine/engine.h"
#include "intake/http/server.h"
#include "metrics/metrics.h"
#include "notify/dispatcher.h"
#include "version.h"

namespace rr {

int serve(const TriageContext& ctx) {
  const Config& cfg = *ctx.config;
  // Signals are taken synchronously by this thread only: block them before
  // any other thread exists, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Metrics metrics;
  RetryPolicy policy;
  policy.attempts = cfg.engine.notify_attempts;
  auto dispatcher = Dispatcher::make(cfg.notify, metrics, policy);
  if (!dispatcher) {
    spdlog::critical("refusing to start: {}", dispatcher.error().to_string());
    return 1;
  }
  if (cfg.notify.empty()) spdlog::warn("no notify targets configured: reports will only be logged");

  Engine engine(
      ctx,
      // The dispatcher logs and counts failed deliveries itself.
      [&](const Report& report) { (*dispatcher)->deliver(report, Deadline::after(cfg.engine.notify_timeout)); },
      metrics);

  ServerOptions options;
  options.listen = cfg.listen;
  options.auth = cfg.auth;
  options.body_limit = cfg.body_limit;
  HttpServer server(options, engine, metrics);
  auto port = server.bind();
  if (!port) {
    spdlog::critical("cannot listen on {}: {}", cfg.listen, port.error().message);
    return 1;
  }
  engine.start();
  spdlog::info("runbook-responder {} listening on {} (port {}); {} rule(s), {} cluster(s), {} target(s); config {}",
               RR_VERSION, cfg.listen, port.value(), ctx.rules->rules().size(), cfg.clusters.size(), cfg.notify.size(),
               cfg.source);
  std::thread http([&] { server.serve(); });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("received {}, stopping: no new webhooks, finishing queued work", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  http.join();
  engine.stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace rr
