// covenant views generate --contracts N [--seed S] [--today YYYY-MM-DD] [--create-db]
//                         --namespace NS --db URL
//   Writes a generated book of N contracts (app/book_generator.hpp) into the store, for trying
//   the views (docs/views.md) and for their tests and benchmark. Contracts already there (same
//   id) are left as they are. Exit 0, 1 (the store refused) or 2 (usage).
#include "app/book_generator.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "engine/clock.hpp"
#include "engine/time_format.hpp"

#include <iostream>

namespace covenant::app {

void add_views_command(CLI::App& app, int& exit_code) {
  struct Options {
    CommonOptions common;
    int contracts = 1000;
    std::uint64_t seed = 1;
    std::string today;
    bool create_db = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("views", "The views across the book of contracts");
  cmd->require_subcommand(1);
  auto* g =
      cmd->add_subcommand("generate", "Write a generated book of contracts, for trying the views");
  add_common_options(g, o->common);
  g->add_option("--contracts", o->contracts, "How many contracts (up to 1,000,000)")
      ->check(CLI::Range(0, 1'000'000));
  g->add_option("--seed", o->seed, "The same seed gives the same book");
  g->add_option("--today", o->today, "The day the monitors observed (YYYY-MM-DD; default: today)");
  g->add_flag("--create-db", o->create_db, "Create the SQLite database when it does not exist");
  g->callback([o, &exit_code] {
    engine::SystemClock clock;
    std::string day =
        o->today.empty() ? engine::format_rfc3339(clock.now()).substr(0, 10) : o->today;
    auto at = engine::parse_rfc3339(day + "T00:00:00Z");
    if (day.size() != 10 || !at) {
      complain("views generate") << "--today is a day, YYYY-MM-DD\n";
      exit_code = 2;
      return;
    }
    auto store = engine::store::Store::open(o->common.db, 2, o->create_db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    std::int64_t days = engine::to_micros(*at) / (86'400LL * 1'000'000);
    auto r = generate_book(**store, o->common.ns, o->contracts, o->seed, days,
                           engine::to_micros(clock.now()));
    if (!r) {
      exit_code = report(r.error());
      return;
    }
    std::cout << "generated " << r->contracts << " contracts, " << r->findings << " findings and "
              << r->handoffs << " handoff timelines in namespace " << o->common.ns << '\n';
  });
}

}  // namespace covenant::app
