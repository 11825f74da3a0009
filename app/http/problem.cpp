#include "app/http/problem.hpp"

namespace covenant::app::http {

const std::vector<ProblemType>& problem_types() {
  static const std::vector<ProblemType> types = {
      {"BadRequest", 400, "bad-request", "Bad request",
       "The request is not well formed: a query parameter, a header, a cursor or a path segment "
       "is not what the operation takes. Fix the request; sending it again will not help."},
      {"InvalidArgument", 422, "invalid-argument", "Invalid argument",
       "The body is well formed but a value in it is wrong for the operation (a missing field, a "
       "value of the wrong type or out of range). The detail names it."},
      {"InvalidDefinition", 422, "invalid-definition", "Invalid workflow definition",
       "The workflow definition does not validate; `errors` lists each problem with its line and "
       "column. Nothing was deployed."},
      {"MalformedJson", 400, "malformed-json", "Malformed JSON", "The body is not JSON."},
      {"JsonTooDeep", 400, "json-too-deep", "JSON nested too deep",
       "The body nests arrays or objects deeper than the server accepts (64 levels)."},
      {"NumberOutOfRange", 400, "number-out-of-range", "Number out of range",
       "A number in the body is beyond what a double can hold; money is integer minor units."},
      {"InvalidEncoding", 400, "invalid-encoding", "Invalid encoding",
       "The request is not valid UTF-8 where text is expected."},
      {"Unauthenticated", 401, "unauthenticated", "Not authenticated",
       "No credential, or one that does not (or no longer) authenticate: send a valid bearer "
       "token."},
      {"PermissionDenied", 403, "permission-denied", "Not allowed",
       "The principal is authenticated but may not do this (its roles, separation of duties, "
       "or a delegation not in force)."},
      {"ResourceExhausted", 403, "quota-exceeded", "Quota exceeded",
       "The namespace has used its quota (running instances, or bytes of stored documents): "
       "finish or cancel instances, or ask an operator for more. Retrying will not help."},
      {"NotFound", 404, "not-found", "Not found", "There is no such resource (or route)."},
      {"MethodNotAllowed", 405, "method-not-allowed", "Method not allowed",
       "The resource exists but does not take this method."},
      {"Conflict", 409, "conflict", "Conflicts with what is stored",
       "The request conflicts with what is stored: a duplicate (a business key a running "
       "instance holds: `existing_instance` names it) or a concurrent change. Read, then decide."},
      {"FailedPrecondition", 409, "failed-precondition", "Not possible in this state",
       "The instance or approval is not in a state that allows this (not waiting for that "
       "event, the gate already closed, the digest not the one shown)."},
      {"UnsupportedMediaType", 415, "unsupported-media-type", "Unsupported media type",
       "The body's Content-Type is not one the operation takes (application/json)."},
      {"PayloadTooLarge", 413, "payload-too-large", "Payload too large",
       "The body is larger than the server accepts."},
      {"UriTooLong", 414, "uri-too-long", "URI too long",
       "The request's path and query are longer than the server accepts."},
      {"TooManyRequests", 429, "too-many-requests", "Too many requests",
       "Slow down: send it again after the time in Retry-After."},
      {"Unavailable", 503, "unavailable", "Temporarily unavailable",
       "The server cannot answer now (its database is busy, restarting or unreachable). Worth "
       "retrying with backoff."},
      {"Internal", 500, "internal", "Internal error",
       "The server failed. Nothing partial was written; the log has the cause under the "
       "request id."},
      {"Corrupted", 500, "corrupted", "Stored data damaged",
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

const ProblemType& problem_for(const std::string& code) {
  const ProblemType* t = problem_type(code);
  return t ? *t : *problem_type("Internal");  // an unknown kind is a bug: answer 500
}

int status_for(engine::ErrorCode code) { return problem_for(engine::to_string(code)).status; }

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
