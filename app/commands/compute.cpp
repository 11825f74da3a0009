// covenant compute ACTIVITY --input FILE [--format json|text]
// Runs one of Covenant's computing activities — resolve.products, bill.plan, revenue.schedule,
// provision.entitlements, milestones.schedule, bill.rate_usage, contract.merge_terms,
// revenue.modify, bill.plan_change — on a JSON input and prints its result, exactly as a
// workflow step would get it. They call no system and write nothing, so RevOps and finance
// can try a plan before a contract runs. Exit 0, 1 (the input is not JSON, nests more than 64
// levels, or the activity refused it: the reason is printed) or 2 (usage).
#include "activities/runner.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "engine/clock.hpp"
#include "engine/time_format.hpp"
#include "workflows/json_input.hpp"

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace covenant::app {

void add_compute_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string activity, input = "-";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compute", "Run a computing activity (bill.plan, revenue.schedule, …) on a JSON input");
  static const char* kComputing =
      "resolve.products, bill.plan, revenue.schedule, provision.entitlements, "
      "milestones.schedule, bill.rate_usage, contract.merge_terms, revenue.modify, "
      "bill.plan_change";
  cmd->add_option("activity", o->activity, kComputing)->required();
  cmd->add_option("--input", o->input, "Input JSON file (- for standard input)");
  cmd->callback([o, &exit_code] {
    static const std::set<std::string> pure = {
        "resolve.products",       "bill.plan",           "revenue.schedule",
        "provision.entitlements", "milestones.schedule", "bill.rate_usage",
        "contract.merge_terms",   "revenue.modify",      "bill.plan_change"};
    if (!pure.count(o->activity)) {
      complain("compute") << "'" << o->activity
                          << "' is not a computing activity (these are: " << kComputing
                          << "); activities that call systems run in workflows\n";
      exit_code = 2;
      return;
    }
    std::stringstream ss;
    if (o->input == "-") {
      ss << std::cin.rdbuf();
    } else {
      std::ifstream in(o->input, std::ios::binary);
      if (!in) {
        complain("compute") << "cannot read " << o->input;
        exit_code = 1;
        return;
      }
      ss << in.rdbuf();
    }
    if (auto deep = workflows::json_too_deep(ss.str())) {
      complain("compute") << o->input << " is " << *deep;
      exit_code = 1;
      return;
    }
    auto input = nlohmann::json::parse(ss.str(), nullptr, false);
    if (input.is_discarded()) {
      complain("compute") << o->input << " is not valid JSON";
      exit_code = 1;
      return;
    }
    // bill.plan_change's `as_of`, when the input leaves it out: today (UTC).
    activities::Systems systems;
    systems.today = [] {
      static const engine::SystemClock clock;
      return engine::to_micros(clock.now()) / (86'400LL * 1'000'000);
    };
    activities::Runner runner{systems};
    auto r = runner.run(o->activity, input, "compute", engine::store::kDefaultNamespace);
    if (!r.ok) {
      complain("compute") << r.code << ": " << r.message;
      exit_code = 1;
      return;
    }
    std::cout << r.result.dump(2) << '\n';
    exit_code = 0;
  });
}

}  // namespace covenant::app
