#include "app/http/server.hpp"

#include "app/http/problem.hpp"

#include <iostream>

namespace covenant::app::http {

Server::Server(Engine& engine, std::size_t max_body)
    : engine_(engine), principals_(*engine.store, engine.clock, engine.ids) {
  http_.set_payload_max_length(max_body);
  http_.set_read_timeout(10, 0);
  http_.set_write_timeout(10, 0);
  http_.new_task_queue = [] { return new httplib::ThreadPool(8); };
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.get_header_value("Content-Type") == "application/problem+json") return;
    std::string title = res.status == 404   ? "NotFound"
                        : res.status == 413 ? "PayloadTooLarge"
                                            : "BadRequest";
    problem(res, res.status, title,
            res.status == 404   ? "no such route"
            : res.status == 413 ? "the body is too large"
                                : "bad request",
            "");
  });
  http_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {  // boundary: log it, answer 500 without details
          std::cerr << "http " << req.method << " " << req.path << ": " << e.what() << '\n';
        } catch (...) {
          std::cerr << "http " << req.method << " " << req.path << ": unknown exception\n";
        }
        problem(res, 500, "Internal", "see the server log", "");
      });
  http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
}

int Server::bind(const std::string& host, int port) {
  if (port == 0) return http_.bind_to_any_port(host);
  return http_.bind_to_port(host, port) ? port : -1;
}

void Server::run() { http_.listen_after_bind(); }
void Server::stop() { http_.stop(); }

void Server::route(const std::string& method, const std::string& pattern,
                   std::vector<std::string> roles, Handler h) {
  auto wrapped = [this, roles, h](const httplib::Request& req, httplib::Response& res) {
    std::string rid = engine_.ids.instance_id().substr(0, 18);
    res.set_header("X-Request-Id", rid);
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      return problem(res, 401, "Unauthenticated", "send Authorization: Bearer <token>", rid);
    }
    auto who = principals_.authenticate(auth.substr(7));
    if (!who) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return problem(res, 401, "Unauthenticated", who.error().message, rid);
    }
    bool allowed = roles.empty() || who->has_role("admin");
    for (const auto& r : roles) allowed = allowed || who->has_role(r);
    if (!allowed)
      return problem(res, 403, "PermissionDenied", "this route needs one of its roles", rid);
    Call call{req, res, rid, *who};
    h(call);
  };
  if (method == "GET")
    http_.Get(pattern, wrapped);
  else if (method == "POST")
    http_.Post(pattern, wrapped);
}

std::optional<nlohmann::json> json_body(Call& c) {
  std::string type = c.req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    problem(c.res, 415, "UnsupportedMediaType", "send Content-Type: application/json",
            c.request_id);
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(c.req.body);
  } catch (const nlohmann::json::parse_error& e) {
    problem(c.res, 400, "MalformedJson",
            "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")", c.request_id);
    return std::nullopt;
  }
}

void reply(Call& c, int status, const nlohmann::json& body) {
  c.res.status = status;
  c.res.set_content(body.dump(), "application/json");
}

}  // namespace covenant::app::http
