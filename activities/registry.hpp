// The one activity registry: every activity Covenant can run — its name, whether it writes
// money, what it does, its inputs (with types and the values a closed input accepts) and how
// it runs — in one table (registry.cpp). The validator's catalog (BuiltinCatalog),
// `covenant activities` and the Runner all read it, so an activity a definition may name is
// one that runs. For an adapter operation the facts about the system (financial, inputs)
// come from adapters/operations.cpp, the system's own table; building the registry fails
// if an operation there has no entry here or an entry here names no operation.
// Immutable after first use; safe to read from any thread.
#pragma once

#include "activities/runner.hpp"
#include "workflows/activity_catalog.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace covenant::activities {

// How an activity runs: the Runner's systems, the input (an object), the engine's
// idempotency key, and the time for signatures.
using Run = std::function<Outcome(const Systems&, const nlohmann::json&, const std::string& key,
                                  const std::function<std::int64_t()>& timestamp_s)>;

struct Activity {
  workflows::ActivityInfo info;
  Run run;
};

// Every activity, sorted by name. Throws std::logic_error on first use if the table and
// the adapters' operations disagree (a bug caught by every test that runs an activity).
const std::vector<Activity>& registry();
const Activity* find_activity(std::string_view name);

}  // namespace covenant::activities
