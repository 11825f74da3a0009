// The composition root: the one place that constructs the real implementations (the store
// on a database URL, the system clock, random ids, the runtime, principals, the approval
// desk, metrics) and wires them together.
#pragma once

#include "app/http/api.hpp"
#include "engine/approvals/desk.hpp"
#include "engine/auth/principals.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/metrics.hpp"
#include "engine/runtime/runtime.hpp"
#include "engine/store/store.hpp"

#include <memory>

namespace covenant::app {

struct Engine {
  std::unique_ptr<engine::store::Store> store;
  engine::SystemClock clock;
  engine::RandomIds ids;
  engine::Metrics metrics;
  std::unique_ptr<engine::runtime::Runtime> runtime;
  std::unique_ptr<engine::auth::Principals> principals;
  std::unique_ptr<engine::approvals::ApprovalDesk> desk;

  // What the HTTP API needs; `public_url` is how approvers reach the server.
  http::Services services(const std::string& public_url);
};

// Opens (and migrates) the database at `url`. With `create` false, a database without
// Covenant's schema is refused (Store::open). Errors as Store::open.
engine::Result<std::unique_ptr<Engine>> open_engine(const std::string& url, int pool_size = 4,
                                                    bool create = true);

}  // namespace covenant::app
