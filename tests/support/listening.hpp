// Waiting for a test's own HTTP server to listen, bounded: a server that does not start within
// the bound fails the test (after stopping it and joining its thread) instead of hanging it.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace covenant::testing {

template <class Server>
void wait_until_listening(Server& server, std::thread& thread,
                          std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > until) {
      server.stop();
      if (thread.joinable()) thread.join();
      FAIL("the test's HTTP server did not start listening within " << bound.count() << " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace covenant::testing
