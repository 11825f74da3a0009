// Builds the adapters the activities call from configuration (config.hpp, docs/adapters.md):
// one shared HTTP client per system, waiting with real sleeps, jitter from the id source,
// and the clock for rate limits. The one place that knows which class serves which system.
#pragma once

#include "activities/runner.hpp"
#include "app/composition.hpp"
#include "app/config.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"

namespace covenant::app {

activities::Systems make_systems(const std::map<std::string, AdapterConfig>& adapters,
                                 const engine::Clock& clock, engine::IdSource& ids);

// Everything the activities need for a running engine: the adapters above, evidence storage
// in the engine's database, the documents directory and today's date from the engine's clock.
activities::Systems make_activity_systems(const ServeConfig& cfg, Engine& engine);

}  // namespace covenant::app
