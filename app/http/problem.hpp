// The one place that turns an error into an HTTP answer: application/problem+json (RFC 9457)
// with a request id, never SQL text, driver messages or stack traces (those go to the log
// under the same request id).
#pragma once

#include "engine/error.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace covenant::app::http {

int status_for(engine::ErrorCode code);
// The problem document for `status`; `extra` members are merged in (e.g. located errors).
nlohmann::json problem_json(int status, const std::string& title, const std::string& detail,
                            const std::string& request_id,
                            const nlohmann::json& extra = nlohmann::json::object());
// Internal and Unavailable details can carry driver text: only their code leaves the server.
std::string public_detail(const engine::Error& e, const std::string& request_id);

}  // namespace covenant::app::http
