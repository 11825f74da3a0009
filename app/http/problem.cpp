#include "app/http/problem.hpp"

#include <nlohmann/json.hpp>

namespace covenant::app::http {

int status_for(engine::ErrorCode code) {
  switch (code) {
    case engine::ErrorCode::InvalidArgument:
      return 422;
    case engine::ErrorCode::PermissionDenied:
      return 403;
    case engine::ErrorCode::NotFound:
      return 404;
    case engine::ErrorCode::Conflict:
      return 409;
    case engine::ErrorCode::FailedPrecondition:
      return 409;
    case engine::ErrorCode::Unavailable:
      return 503;
    case engine::ErrorCode::Internal:
      return 500;
  }
  return 500;
}

void problem(httplib::Response& res, int status, const std::string& title,
             const std::string& detail, const std::string& request_id) {
  res.status = status;
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", title},
                         {"status", status},
                         {"detail", detail},
                         {"request_id", request_id}};
  res.set_content(body.dump(), "application/problem+json");
}

void problem(httplib::Response& res, const engine::Error& e, const std::string& request_id) {
  int status = status_for(e.code);
  // Internal and Unavailable details can carry driver text: keep them for the log only.
  std::string detail = status >= 500 ? "see the server log for request " + request_id : e.message;
  problem(res, status, engine::to_string(e.code), detail, request_id);
}

}  // namespace covenant::app::http
