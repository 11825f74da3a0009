// Configuration read from the environment, in one place (no getenv anywhere else).
#pragma once

#include <string>

namespace covenant::app {

// COVENANT_DB, or "sqlite:covenant.db" (a file in the current directory).
std::string default_database_url();

// A short description of the process for ids: host name and pid.
std::string process_identity();

}  // namespace covenant::app
