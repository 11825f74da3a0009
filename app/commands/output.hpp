// Shared by the engine commands: the --db and --format options, reporting an engine Error
// (message to stderr, exit code 1), and reading a JSON file with a located error.
#pragma once

#include "engine/error.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace covenant::app {

struct CommonOptions {
  std::string db;
  std::string format = "text";
};

void add_common_options(CLI::App* cmd, CommonOptions& o);
int report(const engine::Error& e);
// Reads and parses a JSON file ("-" is standard input); on failure prints where and why.
std::optional<nlohmann::json> read_json_file(const std::string& path);

}  // namespace covenant::app
