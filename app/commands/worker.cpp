// covenant worker [--config FILE] [--db URL] [--concurrency N] [--id NAME] [--partitions K,…]
//                 [--once] [--log-level L] [--log-format text|json]
// Runs timers and activity tasks until SIGTERM or SIGINT, then stops after the current pass
// (running transitions commit; unfinished leases expire and another worker takes them).
#include "engine/scheduler/worker.hpp"

#include "app/activity_bridge.hpp"
#include "app/adapters_factory.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "app/config.hpp"
#include "engine/log.hpp"
#include "engine/store/database_url.hpp"
#include "engine/time_format.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

namespace covenant::app {
namespace worker_command {

struct Options {
  CommonOptions common;
  std::string config;
  int concurrency = 4;
  std::string id;
  std::vector<int> partitions;
  bool once = false;
  bool create_db = false;
  std::string log_level, log_format;
};

int run(const Options& o) {
  auto logging = logging_options(o.log_level, o.log_format);
  if (!logging) return report(logging.error());
  engine::log::configure(*logging);
  // The adapters activities call come from the same covenant.yaml as serve's.
  auto cfg = load_serve_config(o.config);
  if (!cfg) return report(cfg.error());
  auto eng = open_engine(o.common.db, o.concurrency + 2, o.create_db);
  if (!eng) return report(eng.error());
  ActivityBridge activities(make_activity_systems(*cfg, **eng),
                            [&eng] { return engine::to_micros((*eng)->clock.now()) / 1'000'000; });
  // Owned partitions are checked before the first pass, not found wrong on every one.
  if (!o.partitions.empty()) {
    auto split = (*eng)->store->partitions();
    if (!split) return report(split.error());
    for (int k : o.partitions)
      if (*split > 0 && k >= *split)
        return report(engine::Error{engine::ErrorCode::InvalidArgument,
                                    "the work tables have " + std::to_string(*split) +
                                        " partitions: there is no partition " + std::to_string(k),
                                    "--partitions"});
  }
  engine::scheduler::WorkerOptions wo;
  wo.worker_id = o.id.empty() ? process_identity() : o.id;
  wo.concurrency = o.concurrency;
  wo.lease = cfg->lease;
  wo.partitions = o.partitions;
  engine::scheduler::Worker worker(*(*eng)->runtime, activities, wo);
  if (o.once) {
    auto s = worker.run_due();
    if (o.common.format == "json")
      std::cout
          << nlohmann::json{{"timers", s.timers}, {"tasks", s.tasks}, {"errors", s.errors}}.dump()
          << '\n';
    else
      std::cout << "timers " << s.timers << ", tasks " << s.tasks << ", errors " << s.errors
                << '\n';
    return s.errors ? 1 : 0;
  }
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) worker.stop();
  });
  std::thread signal_thread([&] { signals_io.run(); });
  engine::log::info("worker", "working",
                    {{"worker", wo.worker_id},
                     {"db", engine::store::redact_database_url(o.common.db)},
                     {"concurrency", std::to_string(wo.concurrency)}});
  worker.run();
  signals_io.stop();
  signal_thread.join();
  engine::log::info("worker", "stopped", {{"worker", wo.worker_id}});
  return 0;
}

}  // namespace worker_command

void add_worker_command(CLI::App& app, int& exit_code) {
  using namespace worker_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("worker", "Run timers and activities until stopped");
  add_common_options(cmd, o->common, false);
  cmd->add_option("--config", o->config,
                  "Config file for the adapters (default: $COVENANT_CONFIG, or ./covenant.yaml)");
  cmd->add_option("--concurrency", o->concurrency, "Activities run at once")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--id", o->id, "Worker name (default host:pid)");
  cmd->add_option("--partitions", o->partitions,
                  "On work tables split by instance (PostgreSQL): the partitions this worker "
                  "claims from first, comma-separated (others only when these hold nothing)")
      ->delimiter(',')
      ->check(CLI::Range(0, engine::store::Store::kMaxPartitions - 1));
  cmd->add_flag("--once", o->once, "One pass over due work, then exit");
  add_log_options(cmd, o->log_level, o->log_format);
  cmd->add_flag("--create-db", o->create_db,
                "Create Covenant's schema if the database has none (default: refuse, so a "
                "mistyped path is not worked on empty)");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
