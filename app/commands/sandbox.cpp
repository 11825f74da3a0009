// covenant sandbox [--port 8090] [--db sqlite:sandbox.db]
// Serves the sandbox of external systems (app/sandbox/sandbox.hpp) on 127.0.0.1 until
// SIGTERM or SIGINT. Its data lives in its own database, apart from Covenant's.
#include "app/sandbox/sandbox.hpp"

#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

namespace covenant::app {
namespace sandbox_command {

struct Options {
  std::string db = "sqlite:sandbox.db";
  std::string host = "127.0.0.1";
  int port = 8090;
};

int run(const Options& o) {
  auto db = engine::store::RecordStore::open(o.db);
  if (!db) return report(db.error());
  engine::SystemClock clock;
  sandbox::Sandbox box(**db, clock);
  httplib::Server http;
  box.install(http);
  int port = o.port == 0 ? http.bind_to_any_port(o.host)
                         : (http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) {
    complain("sandbox") << "cannot listen on " << o.host << ":" << o.port;
    return 1;
  }
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) http.stop();
  });
  std::thread signal_thread([&] { io.run(); });
  std::cerr << "covenant sandbox: http://" << o.host << ":" << port << " on " << o.db
            << " (Stripe at /v1, any sk_test_ key; admin at /_sandbox)\n";
  http.listen_after_bind();
  io.stop();
  signal_thread.join();
  std::cerr << "covenant sandbox: stopped\n";
  return 0;
}

}  // namespace sandbox_command

void add_sandbox_command(CLI::App& app, int& exit_code) {
  using namespace sandbox_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("sandbox", "Serve sandboxes of the external systems (Stripe, …)");
  cmd->add_option("--db", o->db, "The sandbox's own database (default sqlite:sandbox.db)");
  cmd->add_option("--host", o->host, "Address to listen on (loopback by default)");
  cmd->add_option("--port", o->port, "Port (0: any free port; default 8090)")
      ->check(CLI::Range(0, 65535));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
