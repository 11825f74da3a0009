#include "engine/log.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <mutex>

namespace covenant::engine::log {

namespace {

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::Trace:
      return spdlog::level::trace;
    case Level::Debug:
      return spdlog::level::debug;
    case Level::Info:
      return spdlog::level::info;
    case Level::Warn:
      return spdlog::level::warn;
    case Level::Error:
      return spdlog::level::err;
    case Level::Off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// One logger for the process; the component is a field of the line, so a JSON reader sees
// the same key on every line. Replaced whole by configure() (under the mutex), read through
// a shared_ptr copy so a line being written keeps its logger alive.
struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  Format format = Format::Text;
};

State& state() {
  static State s;
  return s;
}

std::shared_ptr<spdlog::logger> make_logger(const Options& o) {
  spdlog::sink_ptr sink;
  if (o.out)
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*o.out, true);
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("covenant", sink);
  // The time and level come from spdlog; the rest of the line (message and fields) is %v.
  logger->set_pattern(o.format == Format::Json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                                               : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(to_spdlog(o.level));
  logger->flush_on(spdlog::level::trace);  // a crash must not eat the last lines
  return logger;
}

std::pair<std::shared_ptr<spdlog::logger>, Format> current() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  if (!s.logger) s.logger = make_logger(Options{});
  return {s.logger, s.format};
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char ch : v)
    if (ch <= ' ' || ch == '"' || ch == '=' || ch == '\\' || ch == 0x7f) return true;
  return false;
}

std::string text_value(std::string_view v) {
  if (!needs_quotes(v)) return std::string(v);
  return nlohmann::json(std::string(v))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A message on one line: control characters (a newline from an error's text) are escaped, so
// no input can forge a second line.
std::string one_line(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (unsigned char ch : v) {
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch < ' ' || ch == 0x7f) {
      out += '?';
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  static const std::map<std::string_view, Level> levels = {
      {"trace", Level::Trace}, {"debug", Level::Debug}, {"info", Level::Info},
      {"warn", Level::Warn},   {"error", Level::Error}, {"off", Level::Off}};
  auto it = levels.find(name);
  if (it == levels.end())
    return fail(ErrorCode::InvalidArgument, "log level '" + std::string(name) +
                                                "' is not one of trace, debug, info, warn, "
                                                "error, off");
  return it->second;
}

Result<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::Text;
  if (name == "json") return Format::Json;
  return fail(ErrorCode::InvalidArgument,
              "log format '" + std::string(name) + "' is not text or json");
}

void configure(const Options& o) {
  auto logger = make_logger(o);
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.logger = std::move(logger);
  s.format = o.format;
}

bool enabled(Level l) { return current().first->should_log(to_spdlog(l)); }

void write(Level l, std::string_view component, std::string_view message, const Fields& fields) {
  auto [logger, format] = current();
  auto level = to_spdlog(l);
  if (!logger->should_log(level)) return;
  std::string rest;
  if (format == Format::Json) {
    // ordered: component and msg first, then the fields as given.
    nlohmann::ordered_json line = {{"component", std::string(component)},
                                   {"msg", std::string(message)}};
    for (const auto& [k, v] : fields)
      if (!v.empty()) line[k] = v;
    rest = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    rest = rest.substr(1, rest.size() - 2);  // the pattern supplies the braces
  } else {
    rest.append(one_line(component)).append(": ").append(one_line(message));
    for (const auto& [k, v] : fields)
      if (!v.empty()) rest.append(" ").append(k).append("=").append(text_value(v));
  }
  logger->log(level, "{}", rest);
}

}  // namespace covenant::engine::log
