// covenant validate FILE... [--format text|json]
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "workflows/compiler.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace covenant::app {
namespace validate_command {

struct Options {
  std::vector<std::string> files;
  std::string format = "text";
};

nlohmann::json to_json(const workflows::Diagnostic& d) {
  return {{"file", d.span.file},
          {"line", d.span.line},
          {"column", d.span.column},
          {"code", d.code},
          {"severity", d.severity == workflows::Severity::Error ? "error" : "warning"},
          {"message", d.message}};
}

int run(const Options& o) {
  activities::BuiltinCatalog catalog;
  bool all_valid = true;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& file : o.files) {
    auto r = workflows::compile_file(file, catalog);
    bool valid = r.workflow != nullptr;
    all_valid = all_valid && valid;
    if (o.format == "json") {
      nlohmann::json entry = {
          {"file", file}, {"valid", valid}, {"diagnostics", nlohmann::json::array()}};
      if (valid) entry["digest"] = r.workflow->digest();
      for (const auto& d : r.diagnostics) entry["diagnostics"].push_back(to_json(d));
      report.push_back(std::move(entry));
      continue;
    }
    for (const auto& d : r.diagnostics) std::cout << workflows::format(d) << '\n';
    if (valid)
      std::cout << file << ": valid (workflow '" << r.workflow->name() << "', digest "
                << r.workflow->digest().substr(0, 16) << ")\n";
    else
      std::cout << file << ": invalid\n";
  }
  if (o.format == "json") std::cout << report.dump(2) << '\n';
  return all_valid ? 0 : 1;
}

}  // namespace validate_command

void add_validate_command(CLI::App& app, int& exit_code) {
  using namespace validate_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("validate", "Check workflow definitions and report every problem");
  cmd->add_option("files", o->files, "Definition files (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  errors_follow_format(cmd, cmd->add_option("--format", o->format, "Output format")
                                ->check(CLI::IsMember({"text", "json"})));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
