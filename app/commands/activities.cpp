// covenant activities [--format text|json]: the activity catalog, with financial flags.
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace covenant::app {

void add_activities_command(CLI::App& app, int& exit_code) {
  auto format = std::make_shared<std::string>("text");
  auto* cmd = app.add_subcommand("activities", "List the activities workflows can use");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([format, &exit_code] {
    activities::BuiltinCatalog catalog;
    nlohmann::json out = nlohmann::json::array();
    for (const auto* a : catalog.all()) {
      if (*format == "text") {
        std::cout << (a->financial ? "$ " : "  ") << a->name << "  — " << a->summary << '\n';
        continue;
      }
      nlohmann::json inputs = nlohmann::json::array();
      for (const auto& in : a->inputs)
        inputs.push_back({{"name", in.name}, {"required", in.required}});
      out.push_back({{"name", a->name},
                     {"financial", a->financial},
                     {"summary", a->summary},
                     {"inputs", inputs}});
    }
    if (*format == "json")
      std::cout << out.dump(2) << '\n';
    else
      std::cout << "\n$ = financial: a workflow must pass an approval that authorizes it first\n";
    exit_code = 0;
  });
}

}  // namespace covenant::app
