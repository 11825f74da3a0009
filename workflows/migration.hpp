// A state map for moving running instances from one version of a workflow to another
// (covenant migrate), and its static check against both versions. The map is YAML:
//
//   apiVersion: covenant/v1
//   kind: Migration
//   workflow: contract-to-cash
//   from: 1            # the version number, or a digest (a prefix of 12 or more)
//   to: 2
//   states:            # every state of `from` an instance may rest in → a state of `to`
//     finance_approval: finance_approval
//     wait_countersign: await_signature
//   set:               # values the new version expects that the old one never wrote
//     .region: EU
//
// Pure functions.
#pragma once

#include "workflows/compiler.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace covenant::workflows {

struct StateMap {
  std::string workflow;
  std::string from, to;  // as written: a version number or a digest prefix
  std::map<std::string, std::string> states;
  nlohmann::json set = nlohmann::json::object();  // ".path": value
};

// Parses a state map; on failure, the problems, each "file:line:col: why".
tl::expected<StateMap, std::vector<std::string>> parse_state_map(const std::string& yaml_text,
                                                                 const std::string& file);

struct MigrationCheck {
  std::vector<std::string> errors;  // each a reason the map cannot move instances
  // For the engine (model::MigrateInput): what each target state expects present, the gates
  // whose approval does not carry over, the financial activities whose step changed.
  std::map<std::string, std::vector<std::string>> expects;
  std::vector<std::string> reopen, changed_financial;
};

// Checks `map` between versions `a` and `b` of one workflow: every state of `a` an instance
// may rest in (task, wait, approval, parallel, map) maps to an existing state of `b` of the
// same kind (a parallel with as many branches); every path `b` certainly writes before a
// target state is certainly written by `a` before its source state, or given in `set`.
MigrationCheck check_migration(const CompiledWorkflow& a, const CompiledWorkflow& b,
                               const StateMap& map);

}  // namespace covenant::workflows
