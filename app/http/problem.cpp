#include "app/http/problem.hpp"

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
    case engine::ErrorCode::Unauthenticated:
      return 401;
    case engine::ErrorCode::Corrupted:
      return 500;
  }
  return 500;
}

nlohmann::json problem_json(int status, const std::string& title, const std::string& detail,
                            const std::string& request_id, const nlohmann::json& extra) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", title},
                         {"status", status},
                         {"detail", detail},
                         {"request_id", request_id}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

std::string public_detail(const engine::Error& e, const std::string& request_id) {
  return status_for(e.code) >= 500 ? "see the server log for request " + request_id : e.message;
}

}  // namespace covenant::app::http
