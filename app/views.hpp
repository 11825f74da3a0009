// The JSON shapes of an instance and of a history event, shared by the command line
// (`--format json`) and the HTTP API so that both always show the same fields.
#pragma once

#include "engine/history/event.hpp"
#include "engine/model/instance.hpp"

#include <nlohmann/json.hpp>

namespace covenant::app {

nlohmann::json instance_json(const engine::model::Instance& i);
nlohmann::json event_json(const engine::history::Event& e);

}  // namespace covenant::app
