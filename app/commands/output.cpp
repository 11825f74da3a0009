#include "app/commands/output.hpp"

#include "app/config.hpp"
#include "workflows/duration.hpp"
#include "workflows/json_input.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {

namespace {
bool json_errors = false;  // set while parsing the command line, before any command runs
}  // namespace

void errors_follow_format(CLI::App* cmd, CLI::Option* opt) {
  // Each parse starts in text (a process may parse more than one command line: tests do).
  cmd->preparse_callback([](std::size_t) { json_errors = false; });
  opt->each([](const std::string& v) { json_errors = v == "json"; });
}

bool errors_as_json() { return json_errors; }

Complaint::~Complaint() {
  std::string message = text_.str();
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (json_errors) {
    nlohmann::json e = {{"command", command_}, {"message", message}};
    if (!code_.empty()) e["code"] = code_;
    if (!where_.empty()) e["where"] = where_;
    std::cerr << nlohmann::json{{"error", e}}.dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace)
              << '\n';
    return;
  }
  std::cerr << "covenant" << (command_.empty() ? "" : " " + command_) << ": " << message;
  if (!where_.empty() && message.find(where_) == std::string::npos)
    std::cerr << " (" << where_ << ")";
  if (!code_.empty()) std::cerr << " [" << code_ << "]";
  std::cerr << '\n';
}

void add_common_options(CLI::App* cmd, CommonOptions& o, bool namespaced) {
  o.db = default_database_url();
  cmd->add_option("--db", o.db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  if (namespaced) add_namespace_option(cmd, o.ns);
  errors_follow_format(cmd, cmd->add_option("--format", o.format, "Output format")
                                ->check(CLI::IsMember({"text", "json"})));
}

void add_namespace_option(CLI::App* cmd, std::string& ns) {
  cmd->add_option("--namespace", ns, "The namespace acted in (default: default)")
      ->check([](const std::string& v) {
        return engine::store::valid_namespace(v)
                   ? std::string()
                   : "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + v + "'";
      });
}

std::optional<std::chrono::seconds> duration_flag(const std::string& command,
                                                  const std::string& flag,
                                                  const std::string& text) {
  if (text.empty()) return std::chrono::seconds(0);
  auto d = workflows::parse_duration(text);
  if (!d.seconds) {
    complain(command) << flag << ": " << d.error;
    return std::nullopt;
  }
  return std::chrono::seconds(*d.seconds);
}

void add_log_options(CLI::App* cmd, std::string& level, std::string& format) {
  cmd->add_option("--log-level", level,
                  "Least level logged: trace, debug, info, warn, error, off (default: "
                  "$COVENANT_LOG_LEVEL or info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cmd->add_option("--log-format", format,
                  "Log lines as text or json (one object per line; default: "
                  "$COVENANT_LOG_FORMAT or text)")
      ->check(CLI::IsMember({"text", "json"}));
}

int report(const engine::Error& e) {
  Complaint("", engine::to_string(e.code), e.where) << e.message;
  return 1;
}

std::optional<nlohmann::json> read_json_file(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      complain("") << "cannot read " << path;
      return std::nullopt;
    }
    text << in.rdbuf();
  }
  if (auto deep = workflows::json_too_deep(text.str())) {
    complain("") << path << ": " << *deep << " (the limit is " << workflows::kMaxJsonDepth
                 << " levels)";
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::out_of_range&) {
    complain("") << path << ": a number is out of range (beyond ±1.8e308)";
    return std::nullopt;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; turn it into line:column for people.
    std::string s = text.str();
    std::size_t upto = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, s.size());
    int line = 1, col = 1;
    for (std::size_t i = 0; i < upto; ++i) {
      if (s[i] == '\n')
        ++line, col = 1;
      else
        ++col;
    }
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    complain("") << path << ":" << line << ":" << col << ": not valid JSON: " << what;
    return std::nullopt;
  }
}

}  // namespace covenant::app
