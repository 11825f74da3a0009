#include "app/http/server.hpp"

#include "app/http/problem.hpp"

#include <algorithm>
#include <cctype>

namespace covenant::app::http {

namespace {

Request to_request(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  r.path = in.path;
  for (const auto& [k, v] : in.params) r.query.emplace(k, v);
  for (const auto& [k, v] : in.headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    r.headers.emplace(std::move(name), v);
  }
  r.body = in.body;
  return r;
}

}  // namespace

Server::Server(Api& api, std::size_t max_body) : api_(api) {
  http_.set_payload_max_length(max_body);
  http_.set_read_timeout(10, 0);
  // Answers are small and go out whole: without TCP_NODELAY, Nagle's algorithm holds the
  // last segment for the client's delayed ACK (~40 ms on Linux) on kept-alive connections.
  http_.set_tcp_nodelay(true);
  http_.set_write_timeout(10, 0);
  http_.new_task_queue = [] { return new httplib::ThreadPool(8); };
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Response out = api_.handle(to_request(req));
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    if (out.stream) {
      auto stream = std::move(out.stream);
      res.set_chunked_content_provider(out.content_type, [stream](std::size_t,
                                                                  httplib::DataSink& sink) {
        bool ok = stream([&sink](std::string_view s) { return sink.write(s.data(), s.size()); });
        if (ok) sink.done();
        return ok;
      });
      return;
    }
    res.set_content(out.body, out.content_type);
  };
  // A request with a body method but neither Content-Length nor Transfer-Encoding has no
  // body (RFC 9112 6.3); httplib would wait for the connection to close. Routes whose body is
  // optional (cancel) take it as empty; the others refuse it as they refuse any empty body.
  http_.set_pre_routing_handler([handler](const httplib::Request& req, httplib::Response& res) {
    bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (!body_method || req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))
      return httplib::Server::HandlerResponse::Unhandled;
    handler(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // An exception that escapes a handler: a plain 500 problem. (httplib's default would put
  // the exception's text in a response header.)
  http_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.headers.clear();
        res.set_content(problem_json(500, "Internal", "the server failed to answer", "").dump(),
                        "application/problem+json");
      });
  http_.Get(".*", handler);
  http_.Post(".*", handler);
  http_.Put(".*", handler);
  http_.Delete(".*", handler);
  http_.Patch(".*", handler);
  // What httplib refuses before a handler runs (a body over the limit, a malformed request).
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.get_header_value("Content-Type") == "application/problem+json") return;
    bool too_large = res.status == 413;
    const ProblemType& type = problem_for(too_large           ? "PayloadTooLarge"
                                          : res.status == 414 ? "UriTooLong"
                                          : res.status == 404 ? "NotFound"
                                                              : "BadRequest");
    std::string detail = too_large ? "the body is larger than the server accepts" : "bad request";
    res.status = type.status;
    res.set_content(problem_json(type.status, type.code, detail, "").dump(),
                    "application/problem+json");
  });
}

int Server::bind(const std::string& host, int port) {
  if (port == 0) return http_.bind_to_any_port(host);
  return http_.bind_to_port(host, port) ? port : -1;
}

void Server::run() { http_.listen_after_bind(); }
void Server::stop() { http_.stop(); }

}  // namespace covenant::app::http
