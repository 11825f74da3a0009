// The one place that turns an error into an HTTP answer: application/problem+json (RFC 9457)
// with a request id, never SQL text, driver messages or stack traces (those go to the log
// under the same request id).
#pragma once

#include "engine/error.hpp"

#include <httplib.h>

#include <string>

namespace covenant::app::http {

int status_for(engine::ErrorCode code);
void problem(httplib::Response& res, int status, const std::string& title,
             const std::string& detail, const std::string& request_id);
void problem(httplib::Response& res, const engine::Error& e, const std::string& request_id);

}  // namespace covenant::app::http
