#include "engine/store/work_listener.hpp"

#include "tests/engine/engine_fixture.hpp"

#include <poll.h>

namespace {

const char* kOneStep = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: one }
start: a
states:
  a: { type: task, activity: work.do, next: done }
  done: { type: succeed }
)";

}  // namespace

TEST_CASE("On PostgreSQL, enqueuing work notifies listening workers", "[postgres]") {
  covenant::testing::TestDatabase db;
  covenant::testing::EngineFixture fx(db.url());
  fx.deploy(kOneStep);
  auto listener = covenant::engine::store::WorkListener::open(*fx.store_);
  REQUIRE(listener);
  CHECK_FALSE(listener->drain());  // nothing yet
  fx.start("one");
  pollfd p{listener->fd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10'000) == 1);  // bounded: a missing notification fails, it never hangs
  CHECK(listener->drain());
}

TEST_CASE("On SQLite there is no listener: workers poll", "[sqlite]") {
  covenant::testing::SqliteDb db;
  covenant::testing::EngineFixture fx(db.url());
  CHECK(covenant::engine::store::WorkListener::open(*fx.store_) == nullptr);
}
