// covenant activities [NAME] [--format text|json]: the activity registry, with financial
// flags; with a NAME, that activity's inputs (required, type, the values a closed one takes).
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace covenant::app {

void add_activities_command(CLI::App& app, int& exit_code) {
  auto format = std::make_shared<std::string>("text");
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("activities", "List the activities workflows can use");
  cmd->add_option("name", *name, "Show one activity and its inputs");
  errors_follow_format(cmd, cmd->add_option("--format", *format, "Output format")
                                ->check(CLI::IsMember({"text", "json"})));
  cmd->callback([format, name, &exit_code] {
    activities::BuiltinCatalog catalog;
    auto input_json = [](const workflows::ActivityInput& in) {
      return nlohmann::json{
          {"name", in.name}, {"required", in.required}, {"type", in.type}, {"choices", in.choices}};
    };
    if (!name->empty()) {
      const auto* a = catalog.find(*name);
      if (!a) {
        complain("activities") << "no activity named '" << *name << "'";
        exit_code = 1;
        return;
      }
      if (*format == "json") {
        nlohmann::json inputs = nlohmann::json::array();
        for (const auto& in : a->inputs) inputs.push_back(input_json(in));
        std::cout << nlohmann::json{{"name", a->name},
                                    {"financial", a->financial},
                                    {"summary", a->summary},
                                    {"inputs", inputs}}
                         .dump(2)
                  << '\n';
      } else {
        std::cout << a->name << (a->financial ? "  (financial: needs an approval gate)" : "")
                  << "\n  " << a->summary << "\n\ninputs:\n";
        for (const auto& in : a->inputs) {
          std::cout << "  " << in.name << (in.required ? "  required" : "  optional") << "  "
                    << in.type;
          if (!in.choices.empty()) {
            std::cout << "  one of:";
            for (const auto& c : in.choices) std::cout << ' ' << c;
          }
          std::cout << '\n';
        }
      }
      exit_code = 0;
      return;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto* a : catalog.all()) {
      if (*format == "text") {
        std::cout << (a->financial ? "$ " : "  ") << a->name << "  — " << a->summary << '\n';
        continue;
      }
      nlohmann::json inputs = nlohmann::json::array();
      for (const auto& in : a->inputs) inputs.push_back(input_json(in));
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
