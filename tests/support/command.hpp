// Runs a shell command for a test (a checker such as promtool) and keeps what it printed.
#pragma once

#include <string>

namespace covenant::testing {

// Runs `command` with /bin/sh; `out` gets its standard output. Returns its exit status
// (127 when the shell cannot find the program, -1 when it could not be started).
int run_command(const std::string& command, std::string& out);

}  // namespace covenant::testing
