// covenant doctor [--db URL] [--format text|json] [--limit N]
//   Lists stranded instances: running (or compensating) with no ready or leased task, no
//   pending timer, no open approval and no awaited event — they can never move again (a bug;
//   docs/engine.md says what to do). Each with its last events. Exit 0 when there are none,
//   1 when there are (or on an error), so a cron job or a probe can alert on it.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/scheduler/sweeper.hpp"
#include "engine/time_format.hpp"

#include <iostream>

namespace covenant::app {
namespace doctor_command {

struct Options {
  CommonOptions common;
  int limit = 100;
};

int run(const Options& o) {
  auto eng = open_engine(o.common.db, 2, false);
  if (!eng) return report(eng.error());
  auto found = engine::scheduler::find_stranded(*(*eng)->store, o.limit);
  if (!found) return report(found.error());
  using nlohmann::json;
  if (o.common.format == "json") {
    json out = json::array();
    for (const auto& s : *found) {
      json events = json::array();
      for (const auto& e : s.last_events)
        events.push_back({{"seq", e.seq},
                          {"type", engine::history::name(e.type)},
                          {"state", e.state},
                          {"at", engine::format_rfc3339(engine::from_micros(e.at_us))}});
      out.push_back(
          {{"id", s.instance.id},
           {"workflow", s.instance.workflow},
           {"business_key", s.instance.business_key},
           {"status", s.instance.status},
           {"updated", engine::format_rfc3339(engine::from_micros(s.instance.updated_us))},
           {"last_events", events}});
    }
    std::cout << json{{"stranded", out}}.dump() << '\n';
  } else if (found->empty()) {
    std::cout << "no stranded instances\n";
  } else {
    for (const auto& s : *found) {
      std::cout << s.instance.id << "  " << s.instance.workflow << "  " << s.instance.business_key
                << "  " << s.instance.status << "  stranded since "
                << engine::format_rfc3339(engine::from_micros(s.instance.updated_us)) << '\n';
      for (const auto& e : s.last_events)
        std::cout << "  #" << e.seq << " " << engine::history::name(e.type) << " " << e.state
                  << " at " << engine::format_rfc3339(engine::from_micros(e.at_us)) << '\n';
    }
  }
  return found->empty() ? 0 : 1;
}

}  // namespace doctor_command

void add_doctor_command(CLI::App& app, int& exit_code) {
  using namespace doctor_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "doctor", "List stranded instances (running, but nothing can ever move them); exit 1 if any");
  add_common_options(cmd, o->common, false);
  cmd->add_option("--limit", o->limit, "At most this many")->check(CLI::Range(1, 100000));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
