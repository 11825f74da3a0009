// covenant-sandbox [--port 8090] [--db sqlite:sandbox.db] [--host 127.0.0.1]
// The sandbox of external systems (sandbox.hpp) as a program of its own: not part of the
// product, linked only by the tests, the demo and `covenant sandbox` (which runs this program,
// installed beside `covenant`). Serves until SIGTERM or SIGINT; its data lives in its own
// database, apart from Covenant's.
#include "engine/clock.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

#include "sandbox/record_store.hpp"
#include "sandbox/sandbox.hpp"

int main(int argc, char** argv) {
  std::string db = "sqlite:sandbox.db", host = "127.0.0.1";
  int port = 8090;
  CLI::App app{
      "Serve sandboxes of the external systems (Stripe, Salesforce, NetSuite, Zendesk, "
      "Slack) for tests and demos",
      "covenant sandbox"};
  app.add_option("--db", db, "The sandbox's own database (default sqlite:sandbox.db)");
  app.add_option("--host", host, "Address to listen on (loopback by default)");
  app.add_option("--port", port, "Port (0: any free port; default 8090)")
      ->check(CLI::Range(0, 65535));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage
  }
  auto store = covenant::sandbox::RecordStore::open(db);
  if (!store) {
    std::cerr << "covenant sandbox: " << store.error().message << '\n';
    return 1;
  }
  covenant::engine::SystemClock clock;
  covenant::sandbox::Sandbox box(**store, clock);
  httplib::Server http;
  box.install(http);
  int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::cerr << "covenant sandbox: cannot listen on " << host << ":" << port << '\n';
    return 1;
  }
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) http.stop();
  });
  std::thread signal_thread([&] { io.run(); });
  std::cerr << "covenant sandbox: http://" << host << ":" << bound << " on " << db
            << " (Stripe at /v1, any sk_test_ key; admin at /_sandbox)" << std::endl;
  http.listen_after_bind();
  io.stop();
  signal_thread.join();
  std::cerr << "covenant sandbox: stopped" << std::endl;
  return 0;
}
