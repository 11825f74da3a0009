// Shared by the engine commands: the --db and --format options, reporting an engine Error
// (message to stderr, exit code 1), and reading a JSON file with a located error.
// Errors go to standard error as a line of text ("covenant audit: cannot read x.json"), or,
// once a command was given `--format json`, as one JSON object per error:
//   {"error": {"command": "audit", "code": "NotFound", "message": "…", "where": "…"}}
// (`code` and `where` when the error has them), so a script reads failures as it reads answers.
#pragma once

#include "engine/error.hpp"
#include "engine/store/scope.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>

namespace covenant::app {

struct CommonOptions {
  std::string db;
  std::string format = "text";
  // --namespace: whose definitions, instances, principals and trail the command acts on.
  std::string ns = engine::store::kDefaultNamespace;
  engine::store::Scope scope() const { return engine::store::Scope::of(ns); }
};

// `namespaced`: the command acts in one namespace (--namespace); the engine's own commands
// (worker, doctor, partition) act across all of them and take none.
void add_common_options(CLI::App* cmd, CommonOptions& o, bool namespaced = true);
// --namespace alone (commands that take their other options their own way).
void add_namespace_option(CLI::App* cmd, std::string& ns);
// A duration flag ("90d"; empty: 0), or nullopt with the complaint written by `command`
// (usage: exit 2).
std::optional<std::chrono::seconds> duration_flag(const std::string& command,
                                                  const std::string& flag, const std::string& text);
// --log-level and --log-format for the long-running commands (serve, worker, sandbox); empty
// values fall back to $COVENANT_LOG_LEVEL / $COVENANT_LOG_FORMAT (engine/log.hpp).
void add_log_options(CLI::App* cmd, std::string& level, std::string& format);
// Makes `--format` (the option `opt` of `cmd`) switch errors to JSON when it is json.
void errors_follow_format(CLI::App* cmd, CLI::Option* opt);
bool errors_as_json();

// One error, written when it goes out of scope: complain("audit export") << "cannot write " << f;
class Complaint {
 public:
  explicit Complaint(std::string command, std::string code = "", std::string where = "")
      : command_(std::move(command)), code_(std::move(code)), where_(std::move(where)) {}
  Complaint(const Complaint&) = delete;
  Complaint& operator=(const Complaint&) = delete;
  ~Complaint();
  template <class T>
  Complaint& operator<<(const T& v) {
    text_ << v;
    return *this;
  }

 private:
  std::string command_, code_, where_;
  std::ostringstream text_;
};
inline Complaint complain(std::string command) { return Complaint(std::move(command)); }
int report(const engine::Error& e);
// Reads and parses a JSON file ("-" is standard input); on failure prints where and why.
std::optional<nlohmann::json> read_json_file(const std::string& path);

}  // namespace covenant::app
