// covenant serve [--db URL] [--host 127.0.0.1] [--port 8080]
// The HTTP API and a worker in one process. SIGTERM/SIGINT: stop accepting, let running
// transitions commit, then exit (leases of unfinished tasks expire for other workers).
#include "app/activity_bridge.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/config.hpp"
#include "app/http/server.hpp"
#include "engine/scheduler/worker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

namespace covenant::app {
namespace {

struct Options {
  CommonOptions common;
  std::string host = "127.0.0.1";
  int port = 8080;
};

int run(const Options& o) {
  auto eng = open_engine(o.common.db, 12);
  if (!eng) return report(eng.error());
  http::Server server(**eng);
  http::add_definition_routes(server);
  http::add_instance_routes(server);
  int port = server.bind(o.host, o.port);
  if (port < 0) {
    std::cerr << "covenant serve: cannot listen on " << o.host << ":" << o.port << '\n';
    return 1;
  }
  ActivityBridge activities;
  engine::scheduler::Worker worker(*(*eng)->runtime, activities, {process_identity(), 4});
  std::thread worker_thread([&] { worker.run(); });
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    server.stop();
    worker.stop();
  });
  std::thread signal_thread([&] { io.run(); });
  std::cerr << "covenant serve: http://" << o.host << ":" << port << " on " << o.common.db << '\n';
  server.run();
  worker.stop();
  worker_thread.join();
  io.stop();
  signal_thread.join();
  std::cerr << "covenant serve: stopped\n";
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API and run a worker");
  add_common_options(cmd, o->common);
  cmd->add_option("--host", o->host, "Address to listen on (loopback by default)");
  cmd->add_option("--port", o->port, "Port (0: any free port)")->check(CLI::Range(0, 65535));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
