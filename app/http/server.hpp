// The HTTP API server (cpp-httplib, 127.0.0.1 by default): authentication by bearer token,
// one request id per request, body size limit, JSON checks, and every failure as a problem
// document. Routes live in routes_*.cpp and call one engine function each.
// Thread-safety: handlers run on cpp-httplib's pool; everything they touch is thread-safe.
#pragma once

#include "app/composition.hpp"
#include "engine/auth/principals.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>

namespace covenant::app::http {

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::string request_id;
  engine::auth::Principal principal;
};

class Server {
 public:
  explicit Server(Engine& engine, std::size_t max_body = 1 << 20);
  // Binds host:port (port 0: any free port) and returns the port, or -1.
  int bind(const std::string& host, int port);
  void run();  // serves until stop()
  void stop();

  // Registers a route that needs one of `roles` (empty: any authenticated principal).
  using Handler = std::function<void(Call&)>;
  void route(const std::string& method, const std::string& pattern, std::vector<std::string> roles,
             Handler h);

  Engine& engine() { return engine_; }
  engine::auth::Principals& principals() { return principals_; }

 private:
  Engine& engine_;
  engine::auth::Principals principals_;
  httplib::Server http_;
};

// JSON body of a request, or a 400/415 problem already written (returns nullopt).
std::optional<nlohmann::json> json_body(Call& c);
void reply(Call& c, int status, const nlohmann::json& body);

void add_definition_routes(Server& s);
void add_instance_routes(Server& s);

}  // namespace covenant::app::http
