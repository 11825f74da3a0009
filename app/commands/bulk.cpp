// covenant bulk cancel|retry|signal — one operator action on every instance a query finds
// (the filters of `instances list`), with a required reason recorded in each history and a
// dry run that lists what would be done. Each instance is its own transition: one that
// refuses (it ended meanwhile, it waits for something else) is reported and the others go
// on. Exit 0 when every instance found was acted on (or, in a dry run, always after the
// list), 1 when one was refused, 2 on usage.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "workflows/duration.hpp"

#include <iostream>

namespace covenant::app {
namespace bulk_command {

using nlohmann::json;

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
  if (o.reason.find_first_not_of(" \t\n") == std::string::npos) {
    complain("bulk " + o.action) << "--reason must say why (it is recorded in every history)";
    return 2;
  }
  json data = json::object();
  if (!o.data_file.empty()) {
    auto parsed = read_json_file(o.data_file);
    if (!parsed) return 1;
    data = *parsed;
  }
  auto eng = open_engine(o.common.db, 2, false);
  if (!eng) return report(eng.error());
  Engine& e = **eng;
  std::vector<engine::model::Instance> found;
  if (!o.instances.empty()) {
    for (const auto& id : o.instances) {
      auto i = e.store->instances.get(id);
      if (!i) return report(i.error());
      if (!*i) return report({engine::ErrorCode::NotFound, "no instance " + id, id});
      found.push_back(std::move(**i));
    }
  } else {
    engine::store::InstanceFilter f;
    f.workflow = o.workflow;
    f.business_key = o.business_key;
    f.version = o.version;
    f.open_gate = o.open_gate;
    // What each action applies to, unless a status is asked for.
    f.status = !o.status.empty() ? o.status : o.action == "retry" ? "failed" : "running";
    if (!o.idle_for.empty()) {
      auto d = workflows::parse_duration(o.idle_for);
      if (!d.seconds) {
        complain("bulk " + o.action) << "--idle-for: " << d.error;
        return 2;
      }
      f.updated_before_us = engine::to_micros(e.clock.now()) - *d.seconds * 1'000'000;
    }
    if (f.workflow.empty() && f.business_key.empty() && f.version.empty() && !f.open_gate &&
        f.updated_before_us == 0 && o.status.empty()) {
      complain("bulk " + o.action)
          << "a bulk action needs a query (--workflow, --status, --business-key, --version, "
             "--open-gate, --idle-for) or --instance: it does not act on every instance";
      return 2;
    }
    while (static_cast<int>(found.size()) < o.limit) {
      f.limit = std::min(500, o.limit - static_cast<int>(found.size()));
      auto page = e.store->instances.find(f);
      if (!page) return report(page.error());
      for (auto& i : *page) found.push_back(std::move(i));
      if (static_cast<int>(page->size()) < f.limit) break;
      f.after_us = found.back().created_us;
      f.after_id = found.back().id;
    }
  }
  int done = 0, refused = 0;
  json results = json::array();
  for (const auto& inst : found) {
    std::string why;
    if (!o.dry_run) {
      engine::Result<void> r;
      if (o.action == "cancel") {
        r = e.runtime->cancel(inst.id, o.reason, o.by);
      } else if (o.action == "signal") {
        r = e.runtime->signal(inst.id, o.event, data, o.by);
      } else {
        std::string state = o.state;
        if (state.empty()) {  // where it failed: the last failed activity's state
          auto h = e.store->instances.history(inst.id);
          if (!h) return report(h.error());
          for (const auto& ev : *h)
            if (ev.type == engine::history::EventType::ActivityFailed && !ev.state.empty())
              state = ev.state;
        }
        r = e.runtime->retry_step(inst.id, {state, nullptr, o.reason, o.by});
      }
      if (!r) why = r.error().message;
    }
    why.empty() ? ++done : ++refused;
    json item = {{"instance", inst.id}, {"done", why.empty() && !o.dry_run}};
    if (!why.empty()) item["reason"] = why;
    if (o.common.format == "json") {
      results.push_back(std::move(item));
      continue;
    }
    if (o.dry_run)
      std::cout << "would " << o.action << "  " << inst.id << "  " << inst.workflow << "  "
                << inst.status << "  " << (inst.business_key.empty() ? "-" : inst.business_key)
                << '\n';
    else if (why.empty())
      std::cout << o.action << (o.action == "signal" ? "led  " : "ed  ") << inst.id << '\n';
    else
      std::cout << "refused  " << inst.id << "  " << why << '\n';
  }
  if (o.common.format == "json")
    std::cout << json{{"action", o.action},    {"dry_run", o.dry_run},
                      {"found", found.size()}, {"done", o.dry_run ? 0 : done},
                      {"refused", refused},    {"results", results}}
                     .dump(2)
              << '\n';
  else
    std::cout << (o.dry_run ? "would " + o.action + " " : o.action + ": ") << found.size()
              << " instance" << (found.size() == 1 ? "" : "s")
              << (o.dry_run ? " (dry run: nothing changed)"
                            : ", " + std::to_string(refused) + " refused")
              << '\n';
  return refused == 0 ? 0 : 1;
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
