#include "app/commands/output.hpp"

#include "app/config.hpp"
#include "workflows/json_input.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {

void add_common_options(CLI::App* cmd, CommonOptions& o) {
  o.db = default_database_url();
  cmd->add_option("--db", o.db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  cmd->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"text", "json"}));
}

int report(const engine::Error& e) {
  std::cerr << "covenant: " << e.message;
  if (!e.where.empty() && e.message.find(e.where) == std::string::npos)
    std::cerr << " (" << e.where << ")";
  std::cerr << " [" << engine::to_string(e.code) << "]\n";
  return 1;
}

std::optional<nlohmann::json> read_json_file(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "covenant: cannot read " << path << '\n';
      return std::nullopt;
    }
    text << in.rdbuf();
  }
  if (auto deep = workflows::json_too_deep(text.str())) {
    std::cerr << "covenant: " << path << ": " << *deep << " (the limit is "
              << workflows::kMaxJsonDepth << " levels)\n";
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::out_of_range&) {
    std::cerr << "covenant: " << path << ": a number is out of range (beyond ±1.8e308)\n";
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
    std::cerr << "covenant: " << path << ":" << line << ":" << col << ": not valid JSON: " << what
              << '\n';
    return std::nullopt;
  }
}

}  // namespace covenant::app
