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

const std::vector<ProblemType>& problem_types() {
  static const std::vector<ProblemType> types = {
      {"BadRequest", "bad-request", "Bad request",
       "The request is not well formed: a query parameter, a header, a cursor or a path segment "
       "is not what the operation takes. Fix the request; sending it again will not help."},
      {"InvalidArgument", "invalid-argument", "Invalid argument",
       "The body is well formed but a value in it is wrong for the operation (a missing field, a "
       "value of the wrong type or out of range). The detail names it."},
      {"InvalidDefinition", "invalid-definition", "Invalid workflow definition",
       "The workflow definition does not validate; `errors` lists each problem with its line and "
       "column. Nothing was deployed."},
      {"MalformedJson", "malformed-json", "Malformed JSON", "The body is not JSON."},
      {"JsonTooDeep", "json-too-deep", "JSON nested too deep",
       "The body nests arrays or objects deeper than the server accepts (64 levels)."},
      {"NumberOutOfRange", "number-out-of-range", "Number out of range",
       "A number in the body is beyond what a double can hold; money is integer minor units."},
      {"InvalidEncoding", "invalid-encoding", "Invalid encoding",
       "The request is not valid UTF-8 where text is expected."},
      {"Unauthenticated", "unauthenticated", "Not authenticated",
       "No credential, or one that does not (or no longer) authenticate: send a valid bearer "
       "token."},
      {"PermissionDenied", "permission-denied", "Not allowed",
       "The principal is authenticated but may not do this (its roles, separation of duties, "
       "or a delegation not in force)."},
      {"NotFound", "not-found", "Not found", "There is no such resource (or route)."},
      {"MethodNotAllowed", "method-not-allowed", "Method not allowed",
       "The resource exists but does not take this method."},
      {"Conflict", "conflict", "Conflicts with what is stored",
       "The request conflicts with what is stored: a duplicate (a business key a running "
       "instance holds: `existing_instance` names it) or a concurrent change. Read, then decide."},
      {"FailedPrecondition", "failed-precondition", "Not possible in this state",
       "The instance or approval is not in a state that allows this (not waiting for that "
       "event, the gate already closed, the digest not the one shown)."},
      {"UnsupportedMediaType", "unsupported-media-type", "Unsupported media type",
       "The body's Content-Type is not one the operation takes (application/json)."},
      {"PayloadTooLarge", "payload-too-large", "Payload too large",
       "The body is larger than the server accepts."},
      {"TooManyRequests", "too-many-requests", "Too many requests",
       "Slow down: send it again after the time in Retry-After."},
      {"Unavailable", "unavailable", "Temporarily unavailable",
       "The server cannot answer now (its database is busy, restarting or unreachable). Worth "
       "retrying with backoff."},
      {"Internal", "internal", "Internal error",
       "The server failed. Nothing partial was written; the log has the cause under the "
       "request id."},
      {"Corrupted", "corrupted", "Stored data damaged",
       "Stored data is damaged or not Covenant's: an operator must restore or repair it. "
       "Retrying will not help."},
  };
  return types;
}

const ProblemType* problem_type(const std::string& code_or_slug) {
  for (const auto& t : problem_types())
    if (code_or_slug == t.code || code_or_slug == t.slug) return &t;
  return nullptr;
}

nlohmann::json problem_json(int status, const std::string& code, const std::string& detail,
                            const std::string& request_id, const nlohmann::json& extra,
                            const std::string& instance) {
  const ProblemType* t = problem_type(code);
  nlohmann::json body = {{"type", t ? std::string("/problems/") + t->slug : "about:blank"},
                         {"title", t ? t->title : code},
                         {"status", status},
                         {"detail", detail},
                         {"code", code},
                         {"request_id", request_id}};
  if (!instance.empty()) body["instance"] = instance;
  for (const auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

std::string public_detail(const engine::Error& e, const std::string& request_id) {
  return status_for(e.code) >= 500 ? "see the server log for request " + request_id : e.message;
}

}  // namespace covenant::app::http
