// The one place that turns an error into an HTTP answer: application/problem+json (RFC 9457)
// with a request id, never SQL text, driver messages or stack traces (those go to the log
// under the same request id).
#pragma once

#include "engine/error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace covenant::app::http {

// A kind of problem: its code (what clients match on, stable), the `type` URI the document
// carries (a path on this server: GET it for the description, docs/http-api.md lists them all),
// its title (the reason, in words) and what it means.
struct ProblemType {
  const char* code;
  int status;        // the HTTP status every answer of this kind carries
  const char* slug;  // the type is "/problems/" + slug
  const char* title;
  const char* description;
};
// Every kind the API answers with; one that is not listed goes out as about:blank.
const std::vector<ProblemType>& problem_types();
const ProblemType* problem_type(const std::string& code_or_slug);
// The kind for `code`; a code the table does not list is a bug and answers as Internal (500).
const ProblemType& problem_for(const std::string& code);
// The status an engine error answers with (through its kind above).
int status_for(engine::ErrorCode code);

// The problem document (RFC 9457) for `status` and the problem `code` (InvalidArgument,
// NotFound, …): {type, title, status, detail, instance, code, request_id}; `extra` members
// are merged in (e.g. located errors). `instance` names this occurrence: the request's path.
nlohmann::json problem_json(int status, const std::string& code, const std::string& detail,
                            const std::string& request_id,
                            const nlohmann::json& extra = nlohmann::json::object(),
                            const std::string& instance = "");
// Internal and Unavailable details can carry driver text: only their code leaves the server.
std::string public_detail(const engine::Error& e, const std::string& request_id);

}  // namespace covenant::app::http
