// covenant migrate --map map.yaml --reason WHY [--dry-run] [--instance ID…] — moves running
// instances from one deployed version of a workflow to another by an explicit state map
// (workflows/migration.hpp): the map is checked against both versions first (nothing moves
// when it fails); a dry run lists which instances would move and why the others cannot; each
// move is one transition with an InstanceMigrated event. Exit 0 when the map holds and every
// instance asked for moved (or, in a dry run, the map holds), 1 otherwise, 2 on usage.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/runtime/operations.hpp"
#include "workflows/migration.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {
namespace migrate_command {

struct Options {
  CommonOptions common;
  std::string map_file, reason, by = "cli";
  std::vector<std::string> instances;
  bool dry_run = false;
  int limit = 1000;
};

int run(const Options& o) {
  std::ifstream in(o.map_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto map = workflows::parse_state_map(text.str(), o.map_file);
  if (!map) {
    for (const auto& e : map.error()) complain("migrate") << e;
    return 1;
  }
  auto eng = open_engine(o.common.db, 2, false);
  if (!eng) return report(eng.error());
  engine::runtime::MigrationRequest req{o.common.ns, *map,      o.instances, o.reason,
                                        o.by,        o.dry_run, o.limit};
  auto r = engine::runtime::migrate_instances(*(*eng)->runtime, req);
  if (!r) return report(r.error());
  if (!r->errors.empty()) {
    for (const auto& err : r->errors) complain("migrate") << o.map_file << ": " << err;
    complain("migrate") << "the map does not hold: nothing was moved";
    return 1;
  }
  if (o.common.format == "json") {
    std::cout << r->to_json(o.dry_run).dump(2) << '\n';
    return o.dry_run || r->refused == 0 ? 0 : 1;
  }
  for (const auto& item : r->items) {
    if (!item.refused.empty()) {
      std::cout << "cannot move  " << item.instance << "  " << item.refused << '\n';
      continue;
    }
    std::cout << (o.dry_run ? "would move   " : "moved        ") << item.instance;
    for (const auto& s : item.states)
      std::cout << "  " << s["from"].get<std::string>() << " → " << s["to"].get<std::string>();
    if (!item.reopened.empty()) std::cout << "  (approval opened again at the new version)";
    std::cout << '\n';
  }
  std::cout << map->workflow << " version " << r->from.version << " → " << r->to.version << ": "
            << (o.dry_run ? "would move" : "moved") << " " << r->moved << ", cannot move "
            << r->refused << '\n';
  return o.dry_run || r->refused == 0 ? 0 : 1;
}

}  // namespace migrate_command

void add_migrate_command(CLI::App& app, int& exit_code) {
  using namespace migrate_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "migrate", "Move running instances to another version of their workflow by a state map");
  add_common_options(cmd, o->common);
  cmd->add_option("--map", o->map_file, "The state map (YAML, kind: Migration)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--reason", o->reason, "Why (recorded in each instance's history)")->required();
  cmd->add_option("--as", o->by, "Who moves them (recorded)");
  cmd->add_flag("--dry-run", o->dry_run, "List which instances would move, and why others cannot");
  cmd->add_option("--instance", o->instances, "Only this instance (repeatable)");
  cmd->add_option("--limit", o->limit, "At most this many instances")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
