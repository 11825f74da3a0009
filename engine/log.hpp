// Structured logs for the long-running processes (serve, worker, sandbox), through spdlog.
// A line has a time (UTC), a level, a component ("access", "http", "worker", "runtime",
// "notifier", "sweeper", "serve") and a message, then named fields: request_id, principal,
// instance, workflow, task, worker… whichever the line has. Two formats:
//   text  2026-12-03T06:00:00.123Z info access: GET /v1/instances 200 request_id=req_… …
//   json  {"ts":"2026-12-03T06:00:00.123Z","level":"info","component":"access",
//          "msg":"GET /v1/instances 200","request_id":"req_…",…}   (one object per line)
// Levels: trace, debug, info, warn, error, off (default info). configure() is called once
// at start (app::logging_options: --log-level/--log-format, else $COVENANT_LOG_LEVEL and
// $COVENANT_LOG_FORMAT); before
// it, lines go to stderr as text at info. Thread-safe: many threads may write at once.
// CLI commands answer their user on stdout/stderr themselves (app/commands/output.hpp); this
// is for what a process reports about its own work.
#pragma once

#include "engine/error.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace covenant::engine::log {

enum class Level { Trace, Debug, Info, Warn, Error, Off };
enum class Format { Text, Json };

struct Options {
  Level level = Level::Info;
  Format format = Format::Text;
  std::ostream* out = nullptr;  // nullptr: stderr (tests pass a stream)
};

Result<Level> parse_level(std::string_view name);
Result<Format> parse_format(std::string_view name);

void configure(const Options& o);
bool enabled(Level l);

using Fields = std::vector<std::pair<std::string, std::string>>;

// One line. Fields with an empty value are left out.
void write(Level l, std::string_view component, std::string_view message,
           const Fields& fields = {});

inline void debug(std::string_view c, std::string_view m, const Fields& f = {}) {
  write(Level::Debug, c, m, f);
}
inline void info(std::string_view c, std::string_view m, const Fields& f = {}) {
  write(Level::Info, c, m, f);
}
inline void warn(std::string_view c, std::string_view m, const Fields& f = {}) {
  write(Level::Warn, c, m, f);
}
inline void error(std::string_view c, std::string_view m, const Fields& f = {}) {
  write(Level::Error, c, m, f);
}

}  // namespace covenant::engine::log
