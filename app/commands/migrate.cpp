// covenant migrate --map map.yaml --reason WHY [--dry-run] [--instance ID…] — moves running
// instances from one deployed version of a workflow to another by an explicit state map
// (workflows/migration.hpp): the map is checked against both versions first (nothing moves
// when it fails); a dry run lists which instances would move and why the others cannot; each
// move is one transition with an InstanceMigrated event. Exit 0 when the map holds and every
// instance asked for moved (or, in a dry run, the map holds), 1 otherwise, 2 on usage.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/runtime/decide.hpp"
#include "workflows/migration.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {
namespace migrate_command {

using nlohmann::json;

struct Options {
  CommonOptions common;
  std::string map_file, reason, by = "cli";
  std::vector<std::string> instances;
  bool dry_run = false;
  int limit = 1000;
};

// A version of `workflow` named by its number or a digest prefix (12 hex digits or more).
engine::Result<engine::store::DefinitionRecord> resolve(engine::store::Store& store,
                                                        const std::string& workflow,
                                                        const std::string& which) {
  auto all = store.definitions.all();
  if (!all) return tl::unexpected(all.error());
  bool number = !which.empty() && std::all_of(which.begin(), which.end(), ::isdigit);
  std::vector<engine::store::DefinitionRecord> found;
  for (const auto& d : *all) {
    if (d.name != workflow) continue;
    if (number ? std::to_string(d.version) == which
               : which.size() >= 12 && d.digest.rfind(which, 0) == 0)
      found.push_back(d);
  }
  if (found.size() != 1)
    return engine::fail(engine::ErrorCode::NotFound,
                        found.empty() ? "no version '" + which + "' of '" + workflow +
                                            "' is deployed (a version number, or 12 or more "
                                            "digits of a digest)"
                                      : "'" + which + "' names more than one version",
                        which);
  return found.front();
}

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
  Engine& e = **eng;
  auto from = resolve(*e.store, map->workflow, map->from);
  if (!from) return report(from.error());
  auto to = resolve(*e.store, map->workflow, map->to);
  if (!to) return report(to.error());
  auto a = e.runtime->workflow(from->digest);
  if (!a) return report(a.error());
  auto b = e.runtime->workflow(to->digest);
  if (!b) return report(b.error());
  if (from->digest == to->digest) {
    complain("migrate") << o.map_file << ": from and to are the same version";
    return 1;
  }
  auto check = workflows::check_migration(**a, **b, *map);
  if (!check.errors.empty()) {
    for (const auto& err : check.errors) complain("migrate") << o.map_file << ": " << err;
    complain("migrate") << "the map does not hold: nothing was moved";
    return 1;
  }
  engine::model::MigrateInput input;
  input.from = from->digest;
  input.states = map->states;
  input.set = map->set;
  input.expects = check.expects;
  input.reopen = check.reopen;
  input.changed_financial = check.changed_financial;
  input.reason = o.reason;
  input.by = o.by;

  std::vector<engine::model::Instance> candidates;
  if (!o.instances.empty()) {
    for (const auto& id : o.instances) {
      auto i = e.store->instances.get(id);
      if (!i) return report(i.error());
      if (!*i) return report({engine::ErrorCode::NotFound, "no instance " + id, id});
      candidates.push_back(std::move(**i));
    }
  } else {
    engine::store::InstanceFilter f;
    f.workflow = map->workflow;
    f.version = from->digest;
    f.status = "running";
    while (static_cast<int>(candidates.size()) < o.limit) {
      f.limit = std::min(500, o.limit - static_cast<int>(candidates.size()));
      auto page = e.store->instances.find(f);
      if (!page) return report(page.error());
      for (auto& i : *page) candidates.push_back(std::move(i));
      if (static_cast<int>(page->size()) < f.limit) break;
      f.after_us = candidates.back().created_us;
      f.after_id = candidates.back().id;
    }
  }
  workflows::JqEvaluator jq;
  int moved = 0, refused = 0;
  json results = json::array();
  for (const auto& inst : candidates) {
    json r = {{"instance", inst.id}};
    std::string why;
    json states = json::array();
    if (o.dry_run) {
      engine::model::Instance copy = inst;
      auto d = engine::runtime::decide(copy, input, e.clock.now(), **b, jq);
      if (!d) {
        why = d.error().message;
      } else {
        for (const auto& ev : d->events)
          if (ev.type == engine::history::EventType::InstanceMigrated) {
            states = ev.payload["states"];
            r["reopened"] = ev.payload["reopened"];
          }
      }
    } else {
      auto m = e.runtime->migrate(inst.id, input, *b);
      if (!m) why = m.error().message;
    }
    r["moves"] = why.empty();
    if (!why.empty()) r["reason"] = why;
    if (!states.empty()) r["states"] = states;
    why.empty() ? ++moved : ++refused;
    if (o.common.format == "json") {
      results.push_back(std::move(r));
      continue;
    }
    if (!why.empty()) {
      std::cout << "cannot move  " << inst.id << "  " << why << '\n';
      continue;
    }
    std::cout << (o.dry_run ? "would move   " : "moved        ") << inst.id;
    for (const auto& s : states)
      std::cout << "  " << s["from"].get<std::string>() << " → " << s["to"].get<std::string>();
    if (r.contains("reopened") && !r["reopened"].empty())
      std::cout << "  (approval opened again at the new version)";
    std::cout << '\n';
  }
  std::string verb = o.dry_run ? "would move" : "moved";
  if (o.common.format == "json")
    std::cout << json{{"workflow", map->workflow},
                      {"from", {{"version", from->version}, {"digest", from->digest}}},
                      {"to", {{"version", to->version}, {"digest", to->digest}}},
                      {"dry_run", o.dry_run},
                      {"moved", o.dry_run ? 0 : moved},
                      {"would_move", o.dry_run ? moved : 0},
                      {"cannot_move", refused},
                      {"results", results}}
                     .dump(2)
              << '\n';
  else
    std::cout << map->workflow << " version " << from->version << " → " << to->version << ": "
              << verb << " " << moved << ", cannot move " << refused << '\n';
  return o.dry_run || refused == 0 ? 0 : 1;
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
