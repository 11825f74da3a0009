// One engine test suite, run against SQLite and PostgreSQL alike: ENGINE_TEST registers each
// case three times, tagged [sqlite] (a temp file), [postgres] (a fresh database on the
// throwaway server) and [postgres][partitioned] (the same with the history and work tables
// split into hash partitions of instance_id, as the schema runs distributed). Time is a ManualClock
// and ids are sequential, so nothing sleeps and histories are reproducible.
#pragma once

#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/runtime/runtime.hpp"
#include "engine/scheduler/worker.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/recording_system.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/workflows/test_catalog.hpp"
#include "workflows/compiler.hpp"

#include <catch2/catch.hpp>

namespace covenant::testing {

inline engine::TimePoint t0() {
  return engine::TimePoint(std::chrono::seconds(1'800'000'000));  // 2027-01-15
}

class EngineFixture {
 public:
  explicit EngineFixture(std::string url) : url_(std::move(url)) { reopen(); }

  // Drops the runtime and store and opens them again on the same database, as a restart does.
  void reopen() {
    worker_.reset();
    runtime_.reset();
    store_.reset();
    auto s = engine::store::Store::open(url_, 4);
    if (!s) FAIL("cannot open " << url_ << ": " << s.error().message);
    store_ = std::move(*s);
    runtime_ = std::make_unique<engine::runtime::Runtime>(*store_, clock, ids, &metrics);
    worker_ = std::make_unique<engine::scheduler::Worker>(
        *runtime_, system, engine::scheduler::WorkerOptions{"test-worker", 4});
  }

  // One activity at a time: outcomes are then reported in claim order (golden histories).
  void serial() {
    worker_ = std::make_unique<engine::scheduler::Worker>(
        *runtime_, system, engine::scheduler::WorkerOptions{"test-worker", 1});
  }

  // Compiles and deploys YAML; returns the digest.
  std::string deploy(const std::string& yaml) {
    TestCatalog catalog;
    auto c = workflows::compile(yaml, "test.yaml", catalog);
    if (!c.workflow) {
      std::string all;
      for (const auto& d : c.diagnostics) all += workflows::format(d) + "\n";
      FAIL("test workflow does not compile:\n" << all);
    }
    auto rec =
        store_->definitions.put("default", c.workflow->name(), c.workflow->digest(), yaml,
                                c.workflow->canonical_text(), engine::to_micros(clock.now()));
    REQUIRE(rec);
    return rec->digest;
  }

  std::string start(const std::string& workflow, nlohmann::json input = nlohmann::json::object(),
                    engine::runtime::StartOptions opts = {}) {
    auto started = runtime_->start(workflow, input, opts);
    if (!started) FAIL("start failed: " << started.error().message);
    return started->id;
  }

  // Runs passes until nothing is due at the current time.
  int drain(int max_passes = 1000) {
    int handled = 0;
    for (int i = 0; i < max_passes; ++i) {
      auto s = worker_->run_due();
      if (s.timers + s.tasks == 0) return handled;
      handled += s.timers + s.tasks;
    }
    FAIL("work did not settle");
    return handled;
  }

  engine::model::Instance instance(const std::string& id) {
    auto i = store_->instances.get(covenant::engine::store::Scope::all(), id);
    REQUIRE(i);
    REQUIRE(i->has_value());
    return **i;
  }

  std::vector<std::string> event_names(const std::string& id) {
    auto h = store_->instances.history(covenant::engine::store::Scope::all(), id);
    REQUIRE(h);
    std::vector<std::string> out;
    for (const auto& e : *h) out.emplace_back(engine::history::name(e.type));
    return out;
  }

  engine::ManualClock clock{t0()};
  engine::Metrics metrics;
  engine::SequentialIds ids;
  RecordingSystem system;
  std::unique_ptr<engine::store::Store> store_;
  std::unique_ptr<engine::runtime::Runtime> runtime_;
  std::unique_ptr<engine::scheduler::Worker> worker_;

 private:
  std::string url_;
};

struct SqliteDb {
  TempDir dir;
  std::string url() const { return "sqlite:" + (dir.path() / "covenant.db").string(); }
};

}  // namespace covenant::testing

#define COVENANT_CAT2(a, b) a##b
#define COVENANT_CAT(a, b) COVENANT_CAT2(a, b)
#define ENGINE_TEST(name, fn)                                                                 \
  static void fn(covenant::testing::EngineFixture& fx);                                       \
  TEST_CASE(name " [sqlite]", "[sqlite]") {                                                   \
    covenant::testing::SqliteDb db;                                                           \
    covenant::testing::EngineFixture fx(db.url());                                            \
    fn(fx);                                                                                   \
  }                                                                                           \
  TEST_CASE(name " [postgres]", "[postgres]") {                                               \
    covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Current);     \
    covenant::testing::EngineFixture fx(db.url());                                            \
    fn(fx);                                                                                   \
  }                                                                                           \
  TEST_CASE(name " [postgres, partitioned]", "[postgres][partitioned]") {                     \
    covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Partitioned); \
    covenant::testing::EngineFixture fx(db.url());                                            \
    fn(fx);                                                                                   \
  }                                                                                           \
  static void fn(covenant::testing::EngineFixture& fx)
