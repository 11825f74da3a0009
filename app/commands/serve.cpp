// covenant serve [--config FILE] [--db URL] [--host 127.0.0.1] [--port 8080]
// The HTTP API, a worker and the webhook notifier in one process. SIGTERM/SIGINT: stop
// accepting, let running transitions commit, then exit (leases of unfinished tasks expire
// for other workers; undelivered webhooks stay in the outbox).
#include "app/activity_bridge.hpp"
#include "app/adapters_factory.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "app/config.hpp"
#include "app/http/server.hpp"
#include "app/identity.hpp"
#include "app/webhook_bridge.hpp"
#include "engine/log.hpp"
#include "engine/scheduler/worker.hpp"
#include "engine/store/database_url.hpp"
#include "engine/time_format.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <iostream>
#include <thread>

namespace covenant::app {
namespace serve_command {

struct Options {
  std::string config, db, host, log_level, log_format;
  int port = -1;
  bool create_db = false;
};

int run(const Options& o) {
  auto logging = logging_options(o.log_level, o.log_format);
  if (!logging) return report(logging.error());
  engine::log::configure(*logging);
  auto cfg = load_serve_config(o.config);
  if (!cfg) return report(cfg.error());
  if (!o.db.empty()) cfg->db = o.db;
  if (cfg->db.empty()) cfg->db = default_database_url();
  if (!o.host.empty()) cfg->host = o.host;
  if (o.port >= 0) cfg->port = o.port;
  auto eng = open_engine(cfg->db, 12, o.create_db);
  if (!eng) return report(eng.error());
  for (const auto& idp : cfg->oidc) {
    if (idp.jwks_url.empty()) {
      (*eng)->principals->trust_issuer(
          std::make_shared<engine::auth::OidcVerifier>(idp.issuer, idp.keys));
      continue;
    }
    auto keys = fetch_jwks(idp.jwks_url);  // a provider whose keys cannot be read: stop here
    if (!keys) return report(keys.error());
    std::string url = idp.jwks_url;
    (*eng)->principals->trust_issuer(std::make_shared<engine::auth::OidcVerifier>(
        idp.issuer, std::move(*keys), [url] { return fetch_jwks(url); }));
  }
  // The public URL is only known once the port is (port 0 picks a free one).
  http::Api api((*eng)->services(""));
  http::add_all_routes(api);
  api.limit_rates(cfg->rate_limits);
  api.accept_intake(cfg->intake);
  http::Server server(api);
  int port = server.bind(cfg->host, cfg->port);
  if (port < 0) {
    complain("serve") << "cannot listen on " << cfg->host << ":" << cfg->port;
    return 1;
  }
  std::string public_url = cfg->public_url.empty()
                               ? "http://" + cfg->host + ":" + std::to_string(port)
                               : cfg->public_url;
  api.services().public_url = public_url;

  ActivityBridge activities(make_activity_systems(*cfg, **eng),
                            [&eng] { return engine::to_micros((*eng)->clock.now()) / 1'000'000; });
  engine::scheduler::WorkerOptions wo;
  wo.worker_id = process_identity();
  wo.concurrency = cfg->workers;
  wo.lease = cfg->lease;
  engine::scheduler::Worker worker(*(*eng)->runtime, activities, wo);
  std::thread worker_thread([&] { worker.run(); });

  WebhookBridge sender;
  engine::notify::NotifierOptions nopts;
  nopts.public_url = public_url;
  nopts.token_ttl = cfg->token_ttl;
  // The webhook secrets in use are each namespace's keys: a new one is a rotation, recorded.
  if (auto k = engine::notify::record_keys(*(*eng)->store, cfg->webhooks,
                                           engine::to_micros((*eng)->clock.now()),
                                           "serve:" + process_identity());
      !k)
    return report(k.error());
  engine::notify::Notifier notifier(*(*eng)->store, *(*eng)->desk, sender, cfg->webhooks,
                                    (*eng)->clock, nopts, &(*eng)->metrics);
  boost::asio::io_context io;
  boost::asio::steady_timer tick(io);
  std::function<void()> notify_loop = [&] {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto r = notifier.run_due(); !r)
        engine::log::error("notifier", "delivering webhooks failed: " + r.error().message);
      notify_loop();
    });
  };
  if (!cfg->webhooks.empty()) notify_loop();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    server.stop();
    worker.stop();
    tick.cancel();
  });
  std::thread io_thread([&] { io.run(); });
  engine::log::info("serve", "serving " + public_url,
                    {{"url", public_url},
                     {"db", engine::store::redact_database_url(cfg->db)},
                     {"webhook_endpoints", std::to_string(cfg->webhooks.size())},
                     {"worker", wo.worker_id}});
  server.run();
  worker.stop();
  worker_thread.join();
  io.stop();
  io_thread.join();
  engine::log::info("serve", "stopped");
  return 0;
}

}  // namespace serve_command

void add_serve_command(CLI::App& app, int& exit_code) {
  using namespace serve_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API, run a worker and send webhooks");
  cmd->add_option("--config", o->config,
                  "Config file (default: $COVENANT_CONFIG, or ./covenant.yaml if present)");
  cmd->add_option("--db", o->db,
                  "Database URL (default: the config, $COVENANT_DB, sqlite:covenant.db)");
  cmd->add_option("--host", o->host, "Address to listen on (default 127.0.0.1)");
  cmd->add_flag("--create-db", o->create_db,
                "Create Covenant's schema if the database has none (default: refuse, so a "
                "mistyped path is not served empty)");
  cmd->add_option("--port", o->port, "Port (0: any free port; default 8080)")
      ->check(CLI::Range(0, 65535));
  add_log_options(cmd, o->log_level, o->log_format);
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
