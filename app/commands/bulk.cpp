// covenant bulk cancel|retry|signal — one operator action on every instance a query finds
// (the filters of `instances list`), with a required reason recorded in each history and a
// dry run that lists what would be done. Each instance is its own transition: one that
// refuses (it ended meanwhile, it waits for something else) is reported and the others go
// on. Exit 0 when every instance found was acted on (or, in a dry run, always after the
// list), 1 when one was refused, 2 on usage.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/runtime/operations.hpp"

#include <iostream>

namespace covenant::app {
namespace bulk_command {

struct Options {
  CommonOptions common;
  std::string action;  // cancel | retry | signal
  std::string workflow, status, business_key, version, idle_for, reason, by = "cli";
  std::string state, event, data_file;
  std::vector<std::string> instances;
  bool open_gate = false, dry_run = false;
  int limit = 1000;
};

int run(const Options& o) {
  engine::runtime::BulkRequest req;
  req.ns = o.common.ns;
  req.action = o.action;
  req.filter.workflow = o.workflow;
  req.filter.status = o.status;
  req.filter.business_key = o.business_key;
  req.filter.version = o.version;
  req.filter.open_gate = o.open_gate;
  req.idle_for = o.idle_for;
  req.instances = o.instances;
  req.reason = o.reason;
  req.by = o.by;
  req.state = o.state;
  req.event = o.event;
  req.dry_run = o.dry_run;
  req.limit = o.limit;
  if (!o.data_file.empty()) {
    auto parsed = read_json_file(o.data_file);
    if (!parsed) return 1;
    req.data = *parsed;
  }
  auto eng = open_engine(o.common.db, 2, false);
  if (!eng) return report(eng.error());
  auto r = engine::runtime::bulk_action(*(*eng)->runtime, req);
  if (!r) {
    report(r.error());
    // A request that cannot be done as asked (no reason, no query, a bad duration) is usage.
    return r.error().code == engine::ErrorCode::InvalidArgument ? 2 : 1;
  }
  if (o.common.format == "json") {
    std::cout << r->to_json(req).dump(2) << '\n';
    return r->refused == 0 ? 0 : 1;
  }
  for (const auto& item : r->items) {
    const auto& inst = item.instance;
    if (o.dry_run)
      std::cout << "would " << o.action << "  " << inst.id << "  " << inst.workflow << "  "
                << inst.status << "  " << (inst.business_key.empty() ? "-" : inst.business_key)
                << '\n';
    else if (item.refused.empty())
      std::cout << o.action << (o.action == "signal" ? "led  " : "ed  ") << inst.id << '\n';
    else
      std::cout << "refused  " << inst.id << "  " << item.refused << '\n';
  }
  auto found = r->items.size();
  std::cout << (o.dry_run ? "would " + o.action + " " : o.action + ": ") << found << " instance"
            << (found == 1 ? "" : "s")
            << (o.dry_run ? " (dry run: nothing changed)"
                          : ", " + std::to_string(r->refused) + " refused")
            << '\n';
  return r->refused == 0 ? 0 : 1;
}

}  // namespace bulk_command

void add_bulk_command(CLI::App& app, int& exit_code) {
  using namespace bulk_command;
  auto* group = app.add_subcommand("bulk", "Cancel, retry or signal every instance a query finds");
  group->require_subcommand(1);
  for (const char* action : {"cancel", "retry", "signal"}) {
    auto o = std::make_shared<Options>();
    o->action = action;
    std::string help = std::string(action) == "cancel" ? "Cancel the running instances found"
                       : std::string(action) == "retry"
                           ? "Run the failed step of each failed instance found again"
                           : "Send an event to each running instance found";
    auto* c = group->add_subcommand(action, help);
    add_common_options(c, o->common);
    c->add_option("--reason", o->reason, "Why (required; recorded in every history)")->required();
    c->add_option("--as", o->by, "Who does it (recorded)");
    c->add_flag("--dry-run", o->dry_run, "List the instances it would act on; change nothing");
    c->add_option("--workflow", o->workflow, "Of this workflow");
    c->add_option("--status", o->status, "In this status")
        ->check(CLI::IsMember({"running", "compensating", "completed", "failed", "cancelled"}));
    c->add_option("--business-key", o->business_key, "Under this business key");
    c->add_option("--version", o->version, "Running this definition version (its digest)");
    c->add_flag("--open-gate", o->open_gate, "Only those waiting at an open approval gate");
    c->add_option("--idle-for", o->idle_for, "Unchanged for at least this long (e.g. 7d)");
    c->add_option("--instance", o->instances, "This instance (repeatable), instead of a query");
    c->add_option("--limit", o->limit, "At most this many instances")->check(CLI::Range(1, 100000));
    if (o->action == "signal") {
      c->add_option("event", o->event, "Event name")->required();
      c->add_option("--data", o->data_file, "Payload JSON file (- for standard input)");
    }
    if (o->action == "retry")
      c->add_option("--state", o->state, "The failed step (default: where each one failed)");
    c->callback([o, &exit_code] { exit_code = run(*o); });
  }
}

}  // namespace covenant::app
