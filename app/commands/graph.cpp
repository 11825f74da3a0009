// covenant graph FILE [--format dot|svg] [-o OUT]
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/graph_render.hpp"
#include "workflows/compiler.hpp"
#include "workflows/graph_dot.hpp"

#include <fstream>
#include <iostream>

namespace covenant::app {
namespace graph_command {

struct Options {
  std::string file;
  std::string format = "svg";
  std::string out;
};

int run(const Options& o) {
  activities::BuiltinCatalog catalog;
  auto r = workflows::compile_file(o.file, catalog);
  for (const auto& d : r.diagnostics) std::cerr << workflows::format(d) << '\n';
  if (!r.workflow) {
    std::cerr << o.file << ": invalid; fix the problems above to draw it\n";
    return 1;
  }
  std::string text = workflows::to_dot(r.workflow->definition(), catalog);
  if (o.format == "svg") {
    auto svg = render_svg(text);
    if (!svg) {
      complain("graph") << svg.error();
      return 1;
    }
    text = std::move(*svg);
  }
  if (o.out.empty() || o.out == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    complain("graph") << "cannot write " << o.out;
    return 1;
  }
  return 0;
}

}  // namespace graph_command

void add_graph_command(CLI::App& app, int& exit_code) {
  using namespace graph_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("graph", "Draw a workflow with Graphviz");
  cmd->add_option("file", o->file, "Definition file (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", o->format, "dot or svg")->check(CLI::IsMember({"dot", "svg"}));
  cmd->add_option("-o,--output", o->out, "Output file (default: standard output)");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
