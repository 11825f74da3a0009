// covenant partition --partitions N [--db URL] [--format text|json]
//   PostgreSQL: splits the history and the work tables (tasks, timers) into N hash partitions
//   of instance_id, rows kept, in one transaction (docs/store-schema.md, "Distribution"). Run it
//   with serve and the workers stopped; then workers may own partitions (`covenant worker
//   --partitions`). Without --partitions: prints how many the tables have (0: not split).
//   Exit 0 on success, 1 when refused (SQLite, split already, a count out of range).
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"

#include <iostream>

namespace covenant::app {
namespace partition_command {

struct Options {
  CommonOptions common;
  int partitions = 0;
};

int run(const Options& o) {
  auto eng = open_engine(o.common.db, 2, false);
  if (!eng) return report(eng.error());
  auto& store = *(*eng)->store;
  if (o.partitions > 0)
    if (auto split = store.partition_by_instance(o.partitions); !split)
      return report(split.error());
  auto n = store.partitions();
  if (!n) return report(n.error());
  if (o.common.format == "json")
    std::cout << nlohmann::json{{"partitions", *n}}.dump() << '\n';
  else if (*n == 0)
    std::cout << "the history and work tables are not split\n";
  else
    std::cout << "the history and work tables are split into " << *n
              << " hash partitions of instance_id\n";
  return 0;
}

}  // namespace partition_command

void add_partition_command(CLI::App& app, int& exit_code) {
  using namespace partition_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "partition",
      "PostgreSQL: split the history and work tables into hash partitions of instance_id");
  add_common_options(cmd, o->common, false);
  cmd->add_option("--partitions", o->partitions,
                  "How many partitions (2 to 1024); without it, show how many there are")
      ->check(CLI::Range(2, engine::store::Store::kMaxPartitions));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
