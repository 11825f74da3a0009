// The API on a socket: cpp-httplib (127.0.0.1 by default) turns each request into a
// Request, hands it to Api::handle, and writes the Response back. Bodies over the limit,
// and requests httplib cannot parse, get problem documents too.
// Thread-safety: requests run on httplib's thread pool; Api::handle is thread-safe.
#pragma once

#include "app/http/api.hpp"

#include <httplib.h>

namespace covenant::app::http {

class Server {
 public:
  explicit Server(Api& api, std::size_t max_body = 1 << 20);
  // Binds host:port (port 0: any free port) and returns the port, or -1.
  int bind(const std::string& host, int port);
  void run();   // serves until stop()
  void stop();  // stops accepting; requests in progress finish

 private:
  Api& api_;
  httplib::Server http_;
};

}  // namespace covenant::app::http
