// The composition root: the one place that constructs the real implementations (the store
// on a database URL, the system clock, random ids, the runtime) and wires them together.
#pragma once

#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/runtime/runtime.hpp"
#include "engine/store/store.hpp"

#include <memory>

namespace covenant::app {

struct Engine {
  std::unique_ptr<engine::store::Store> store;
  engine::SystemClock clock;
  engine::RandomIds ids;
  std::unique_ptr<engine::runtime::Runtime> runtime;
};

// Opens (and migrates) the database at `url`. Errors as Store::open.
engine::Result<std::unique_ptr<Engine>> open_engine(const std::string& url, int pool_size = 4);

}  // namespace covenant::app
