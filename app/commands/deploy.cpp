// covenant deploy FILE [--db URL] [--format text|json]
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {
namespace deploy_command {

struct Options {
  CommonOptions common;
  std::string file;
};

int run(const Options& o) {
  std::ifstream in(o.file, std::ios::binary);
  std::stringstream source;
  source << in.rdbuf();
  activities::BuiltinCatalog catalog;
  auto c = workflows::compile(source.str(), o.file, catalog);
  for (const auto& d : c.diagnostics) std::cerr << workflows::format(d) << '\n';
  if (!c.workflow) {
    std::cerr << o.file << ": invalid; nothing deployed\n";
    return 1;
  }
  auto eng = open_engine(o.common.db, 1);
  if (!eng) return report(eng.error());
  auto rec = (*eng)->store->definitions.put(o.common.ns, c.workflow->name(), c.workflow->digest(),
                                            source.str(), c.workflow->canonical_text(),
                                            engine::to_micros((*eng)->clock.now()));
  if (!rec) return report(rec.error());
  if (o.common.format == "json") {
    std::cout << nlohmann::json{{"workflow", rec->name},
                                {"version", rec->version},
                                {"digest", rec->digest},
                                {"created", rec->created}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << (rec->created ? "deployed " : "unchanged ") << rec->name << " version "
              << rec->version << " (" << rec->digest.substr(0, 16) << ")\n";
  }
  return 0;
}

}  // namespace deploy_command

void add_deploy_command(CLI::App& app, int& exit_code) {
  using namespace deploy_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("deploy", "Validate a definition and store it as a new version");
  cmd->add_option("file", o->file, "Definition file (YAML)")->required()->check(CLI::ExistingFile);
  add_common_options(cmd, o->common);
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
