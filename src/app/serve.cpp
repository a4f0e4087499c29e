#include "app/serve.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "app/setup.h"
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
  // Reports name hosts and commands: the directory is the owner's alone.
  if (!ec && ::chmod(cfg.dir.c_str(), 0700) != 0)
    spdlog::warn("state: cannot make {} private (mode 0700): {}", cfg.dir, std::strerror(errno));
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

// The settings fixed at start that `next` changes, by config key.
std::vector<std::string> restart_only_changes(const Config& was, const Config& next) {
  std::vector<std::string> changed;
  auto same_auth = [](const AuthConfig& a, const AuthConfig& b) {
    return a.bearer_token == b.bearer_token && a.basic_username == b.basic_username &&
           a.basic_password == b.basic_password && a.read_token == b.read_token;
  };
  if (was.listen != next.listen) changed.push_back("listen");
  // Whether the listener speaks TLS; its files and client CA reload (reload()).
  if (was.tls.enabled() != next.tls.enabled()) changed.push_back("tls");
  if (!same_auth(was.auth, next.auth)) changed.push_back("auth");
  if (was.body_limit != next.body_limit) changed.push_back("body_limit");
  if (was.state.dir != next.state.dir || was.state.full_sync != next.state.full_sync) changed.push_back("state");
  if (was.engine.workers != next.engine.workers) changed.push_back("engine.workers");
  if (was.engine.queue != next.engine.queue) changed.push_back("engine.queue");
  return changed;
}

// The outbox in use; a reload replaces it. The engine reaches it only
// through here, so a report is routed by, and wakes, the current one.
class CurrentOutbox {
 public:
  explicit CurrentOutbox(std::shared_ptr<Outbox> box) : box_(std::move(box)) {}
  std::shared_ptr<Outbox> get() const {
    std::lock_guard lock(mu_);
    return box_;
  }
  // Stops the old one (its send in flight finishes; what it still owes stays
  // in the store) and starts `next`, which sends what the store owes.
  void replace(std::shared_ptr<Outbox> next) {
    std::shared_ptr<Outbox> old;
    {
      std::lock_guard lock(mu_);
      old = std::exchange(box_, next);
    }
    old->stop();
    next->start();
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<Outbox> box_;
};

// SIGHUP: load everything again; apply it only when all of it is valid.
// `started`: the configuration the process started with, whose fixed settings
// stay until a restart. The listener's TLS certificate, key and client CA
// are read again too (they are rotated in place, e.g. by cert-manager or
// certbot): loading the configuration already proved the new files load and
// match; the server then loads them once more for itself, and only if that
// also works does the reload go on, so a broken key refuses the whole reload
// and the certificate in use stays. A new one serves the connections that
// start after it (HttpServer::reload_tls). The webhook rate limit applies to
// the next request.
void reload(const std::optional<std::string>& config_path, const Config& started, Engine& engine,
            CurrentOutbox& outbox, StateStore& store, Metrics& metrics, HttpServer& server) {
  spdlog::info("received SIGHUP: reloading configuration and rules from {}",
               config_path ? *config_path : std::string("the built-in defaults"));
  Loaded loaded = load_all(config_path);
  if (loaded.errors.empty()) {
    const Config& next = *loaded.ctx.config;
    auto next_outbox = Outbox::make(next.notify, store, metrics, delivery_options(next.delivery));
    if (!next_outbox) loaded.errors.push_back(next_outbox.error());
    // Last, as it applies at once: nothing after it can refuse the reload.
    if (loaded.errors.empty() && server.uses_tls() && next.tls.enabled()) {
      if (auto applied = server.reload_tls(next.tls); !applied) loaded.errors.push_back(applied.error());
    }
    if (loaded.errors.empty()) {
      for (const std::string& key : restart_only_changes(started, next))
        spdlog::warn("reload: {} changed; it takes effect after a restart", key);
      if (server.uses_tls() && next.tls.enabled())
        spdlog::info("reload: tls: new connections get {}{}", server.tls_certificate(),
                     next.tls.requires_client_cert() ? "; client certificates verified against " + next.tls.client_ca_file
                                                     : std::string());
      server.set_rate_limit(next.rate_limit);
      set_log_redactor(next.redactor);
      engine.reload(loaded.ctx);
      outbox.replace(std::shared_ptr<Outbox>(std::move(*next_outbox)));
      spdlog::info("reloaded: {} rule(s), {} cluster(s), {} target(s); config {}", loaded.ctx.rules->rules().size(),
                   next.clusters.size(), next.notify.size(), next.source);
      return;
    }
  }
  for (const Error& e : loaded.errors) spdlog::error("reload: {}", e.to_string());
  spdlog::error("reload refused: {} problem(s); still running the configuration loaded before", loaded.errors.size());
}

}  // namespace

int serve(const TriageContext& ctx, const std::optional<std::string>& config_path) {
  const Config& cfg = *ctx.config;
  set_log_redactor(cfg.redactor);  // the config's `redact` patterns too
  // Signals are taken synchronously by this thread only: block them before
  // any other thread exists, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // reload, see serve.h
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Metrics metrics;
  std::unique_ptr<StateStore> store = open_store(cfg.state);
  auto made = Outbox::make(cfg.notify, *store, metrics, delivery_options(cfg.delivery));
  if (!made) {
    spdlog::critical("refusing to start: {}", made.error().to_string());
    return 1;
  }
  CurrentOutbox outbox(std::shared_ptr<Outbox>(std::move(*made)));
  if (cfg.notify.empty()) spdlog::warn("no notify targets configured: reports will only be kept for GET /reports");

  Engine engine(ctx, *store,
                ReportRoute{[&](const Report& r) { return outbox.get()->route(r); }, [&] { outbox.get()->wake(); }},
                metrics);

  ServerOptions options;
  options.listen = cfg.listen;
  options.auth = cfg.auth;
  options.tls = cfg.tls;
  options.rate_limit = cfg.rate_limit;
  options.body_limit = cfg.body_limit;
  options.reports = store.get();
  HttpServer server(options, engine, metrics);
  auto port = server.bind();
  if (!port) {
    spdlog::critical("cannot listen on {}: {}", cfg.listen,
                     port.error().where.rfind("tls", 0) == 0 ? port.error().to_string() : port.error().message);
    return 1;
  }
  engine.recover();
  outbox.get()->start();
  engine.start();
  spdlog::info("runbook-responder {} listening on {} (port {}, {}); {} rule(s), {} cluster(s), {} target(s); config {}",
               RR_VERSION, cfg.listen, port.value(), server.uses_tls() ? "https" : "http", ctx.rules->rules().size(), cfg.clusters.size(), cfg.notify.size(),
               cfg.source);
  if (server.uses_tls())
    spdlog::info("tls: serving {}{}", server.tls_certificate(),
                 cfg.tls.requires_client_cert() ? "; client certificates verified against " + cfg.tls.client_ca_file
                                                : std::string());
  if (cfg.rate_limit.enabled())
    spdlog::info("webhook rate limit: {} per client address, burst {}; {} allowlisted range(s)", cfg.rate_limit.rate,
                 cfg.rate_limit.burst, cfg.rate_limit.allow.size());
  else
    spdlog::info("webhook rate limit: off");
  if (!cfg.external_url.empty()) spdlog::info("reports: {}/reports", cfg.external_url);
  std::thread http([&] { server.serve(); });

  int sig = 0;
  while (true) {
    // Woken each minute without a signal, so a quiet responder still prunes.
    const timespec tick{60, 0};
    sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig < 0) {
      engine.prune_if_due(std::chrono::time_point_cast<Nanos>(Clock::now()));
      continue;
    }
    if (sig != SIGHUP) break;
    reload(config_path, cfg, engine, outbox, *store, metrics, server);
  }
  spdlog::info("received {}, stopping: no new webhooks; triages in progress finish, the rest stays journaled",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  http.join();
  engine.stop();
  outbox.get()->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace rr
