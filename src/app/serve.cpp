#include "app/serve.h"

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "engine/engine.h"
#include "intake/http/server.h"
#include "metrics/metrics.h"
#include "notify/outbox.h"
#include "state/sqlite_store.h"
#include "version.h"

namespace rr {

namespace {

// The state store in cfg.state.dir. A store that cannot be opened does not
// stop the service: it runs with an UnavailableStore, so /readyz and every
// 503 say why, instead of a crash loop that says nothing to Alertmanager.
std::unique_ptr<StateStore> open_store(const StateConfig& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.dir, ec);
  if (!ec) ::chmod(cfg.dir.c_str(), 0700);  // reports name hosts and commands
  std::string path = (std::filesystem::path(cfg.dir) / "responder.db").string();
  auto store = SqliteStore::open(path, SqliteOptions{.full_sync = cfg.full_sync});
  if (store) {
    spdlog::info("state: {} (sync {})", path, cfg.full_sync ? "full" : "normal");
    return std::move(*store);
  }
  Error why = store.error();
  if (ec) why.message = "cannot create " + cfg.dir + ": " + ec.message() + "; " + why.message;
  spdlog::critical("state: {}; webhooks will be answered 503 until this is fixed", why.to_string());
  return std::make_unique<UnavailableStore>(why);
}

DeliveryOptions delivery_options(const DeliveryConfig& d) {
  DeliveryOptions o;
  o.max_age = d.max_age;
  o.attempt_timeout = std::chrono::duration_cast<Millis>(d.attempt_timeout);
  o.backoff.first = std::chrono::duration_cast<Millis>(d.first_backoff);
  o.backoff.max = std::chrono::duration_cast<Millis>(d.max_backoff);
  return o;
}

}  // namespace

int serve(const TriageContext& ctx) {
  const Config& cfg = *ctx.config;
  set_log_redactor(cfg.redactor);  // the config's `redact` patterns too
  // Signals are taken synchronously by this thread only: block them before
  // any other thread exists, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Metrics metrics;
  std::unique_ptr<StateStore> store = open_store(cfg.state);
  auto outbox = Outbox::make(cfg.notify, *store, metrics, delivery_options(cfg.delivery));
  if (!outbox) {
    spdlog::critical("refusing to start: {}", outbox.error().to_string());
    return 1;
  }
  if (cfg.notify.empty()) spdlog::warn("no notify targets configured: reports will only be kept for GET /reports");

  Engine engine(ctx, *store,
                ReportRoute{[&](const Report& r) { return (*outbox)->route(r); }, [&] { (*outbox)->wake(); }},
                metrics);

  ServerOptions options;
  options.listen = cfg.listen;
  options.auth = cfg.auth;
  options.body_limit = cfg.body_limit;
  options.reports = store.get();
  HttpServer server(options, engine, metrics);
  auto port = server.bind();
  if (!port) {
    spdlog::critical("cannot listen on {}: {}", cfg.listen, port.error().message);
    return 1;
  }
  engine.recover();
  (*outbox)->start();
  engine.start();
  spdlog::info("runbook-responder {} listening on {} (port {}); {} rule(s), {} cluster(s), {} target(s); config {}",
               RR_VERSION, cfg.listen, port.value(), ctx.rules->rules().size(), cfg.clusters.size(), cfg.notify.size(),
               cfg.source);
  if (!cfg.external_url.empty()) spdlog::info("reports: {}/reports", cfg.external_url);
  std::thread http([&] { server.serve(); });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("received {}, stopping: no new webhooks; triages in progress finish, the rest stays journaled",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  http.join();
  engine.stop();
  (*outbox)->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace rr
