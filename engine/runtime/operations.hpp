// Operator actions over many instances, shared by the command line (covenant migrate,
// covenant bulk) and the API (POST /v1/migrations, POST /v1/instances/bulk): the same query,
// the same checks, the same per-instance transitions and the same report. Each instance is
// its own transition: one that refuses (it ended meanwhile, it waits for something else) is
// reported and the others go on. A dry run changes nothing and reports what would happen.
// Thread-safety: as Runtime.
#pragma once

#include "engine/runtime/runtime.hpp"
#include "engine/store/instances.hpp"
#include "workflows/migration.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace covenant::engine::runtime {

// ---- migrate ----

struct MigrationRequest {
  std::string ns;  // the namespace whose instances move (required)
  workflows::StateMap map;
  std::vector<std::string> instances;  // empty: every running instance of the `from` version
  std::string reason, by;
  bool dry_run = false;
  int limit = 1000;
};

struct MigrationReport {
  store::DefinitionRecord from, to;
  // The map does not hold between the versions: each reason; nothing was looked at or moved.
  std::vector<std::string> errors;
  struct Item {
    std::string instance;
    std::string refused;  // why it cannot move ("" when it moves, or would)
    nlohmann::json states = nlohmann::json::array();  // [{from, to}] in a dry run
    nlohmann::json reopened = nlohmann::json::array();
  };
  std::vector<Item> items;
  int moved = 0, refused = 0;  // in a dry run, `moved` counts those that would move
  nlohmann::json to_json(bool dry_run) const;
};

// Errors: InvalidArgument (no reason, no namespace, from and to the same version), NotFound (a
// version or an instance asked for), Unavailable. A map that does not hold is a report with
// `errors`.
Result<MigrationReport> migrate_instances(Runtime& rt, const MigrationRequest& req);

// A version of `workflow` named by its number or a digest prefix (12 hex digits or more).
Result<store::DefinitionRecord> resolve_version(store::Store& store, const std::string& ns,
                                                const std::string& workflow,
                                                const std::string& which);

// ---- bulk cancel | retry | signal ----

struct BulkRequest {
  std::string ns;      // the namespace whose instances it acts on (required)
  std::string action;  // cancel | retry | signal
  // The query (status defaults to what the action applies to: failed for retry, else
  // running); `limit` and the cursor are set here. Or `instances`, named one by one.
  store::InstanceFilter filter;
  std::string idle_for;  // a duration ("7d"): unchanged for at least this long
  std::vector<std::string> instances;
  std::string reason, by;
  std::string state;  // retry: the failed step (default: where each one failed)
  std::string event;  // signal: the event, with `data`
  nlohmann::json data = nlohmann::json::object();
  bool dry_run = false;
  int limit = 1000;
};

struct BulkReport {
  struct Item {
    model::Instance instance;
    std::string refused;  // "" when done (or, in a dry run, to be done)
  };
  std::vector<Item> items;
  int done = 0, refused = 0;
  nlohmann::json to_json(const BulkRequest& req) const;
};

// Errors: InvalidArgument (no namespace, an unknown action, no reason, no query, a signal without
// an event, a bad duration: nothing was done), NotFound (an instance asked for), Unavailable.
Result<BulkReport> bulk_action(Runtime& rt, const BulkRequest& req);

}  // namespace covenant::engine::runtime
