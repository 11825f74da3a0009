// The schema split by instance: PostgreSQL's native hash partitioning of the history and the
// work tables (Store::partition_by_instance). The whole engine suite also runs on such a
// database (ENGINE_TEST's [postgres][partitioned] cases); these check the split itself — rows
// kept when a running database is split, every partition used, the refusals — and claims
// per partition.
#include "engine/audit/verify.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <set>

namespace {

using covenant::engine::ErrorCode;
using covenant::testing::EngineFixture;

const char* kWaitAndWork = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: wait-and-work }
start: first
states:
  first: { type: task, activity: work.do, input: { what: "${ .n }" }, output: .a, next: pause }
  pause: { type: wait, duration: 60s, next: second }
  second: { type: task, activity: work.do, input: { what: "${ .n }" }, output: .b, next: done }
  done: { type: succeed }
)";

long long count(covenant::engine::store::Store& store, const std::string& sql) {
  auto tx = store.begin(covenant::engine::store::Scope::all(), false);
  REQUIRE(tx);
  long long n = -1;
  (*tx)->sql() << sql, soci::into(n);
  return n;
}

}  // namespace

TEST_CASE("A running PostgreSQL database is split by instance and its instances go on",
          "[postgres][partitioned]") {
  covenant::testing::TestDatabase db;
  constexpr int kInstances = 24;
  std::vector<std::string> ids;
  {
    EngineFixture fx(db.url());
    fx.deploy(kWaitAndWork);
    for (int i = 0; i < kInstances; ++i) ids.push_back(fx.start("wait-and-work", {{"n", i}}));
    fx.drain();  // each has done its first step and waits on a timer
    CHECK(count(*fx.store_, "SELECT COUNT(*) FROM timers") == kInstances);
    CHECK(count(*fx.store_, "SELECT COUNT(*) FROM tasks") == 0);
    REQUIRE(fx.store_->partitions() == 0);

    // Split while instances wait: history, timers and the task ids' sequence are kept.
    auto events = count(*fx.store_, "SELECT COUNT(*) FROM history");
    REQUIRE(fx.store_->partition_by_instance(4));
    CHECK(fx.store_->partitions() == 4);
    CHECK(count(*fx.store_, "SELECT COUNT(*) FROM history") == events);
    CHECK(count(*fx.store_, "SELECT COUNT(*) FROM timers") == kInstances);

    // Split twice: refused, nothing changed.
    auto again = fx.store_->partition_by_instance(8);
    REQUIRE_FALSE(again);
    CHECK(again.error().message.find("partitioned already") != std::string::npos);
    CHECK(fx.store_->partitions() == 4);
  }

  EngineFixture fx(db.url());  // a restart, on the split tables
  fx.clock.advance(std::chrono::minutes(2));
  fx.drain();
  for (const auto& id : ids) CHECK(fx.instance(id).status == "completed");
  CHECK(fx.system.calls("work.do") == kInstances);  // the second steps; the first ran before

  // Every partition holds some instances' history, and only theirs: a row is in the partition
  // its instance hashes to, so an instance's history is in exactly one.
  for (int p = 0; p < 4; ++p)
    CHECK(count(*fx.store_, "SELECT COUNT(*) FROM history_p" + std::to_string(p)) > 0);
  CHECK(count(*fx.store_,
              "SELECT COUNT(*) FROM (SELECT instance_id FROM history_p0 INTERSECT SELECT "
              "instance_id FROM history_p1) AS both_parts") == 0);
  // The history stays append-only on the split table.
  {
    auto tx = fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    CHECK_THROWS((*tx)->sql() << "UPDATE history SET events = '[]'");
  }
  auto report = covenant::engine::audit::verify(*fx.store_, covenant::engine::store::Scope::all());
  REQUIRE(report);
  CHECK(report->intact());
  CHECK(report->instances == kInstances);
}

TEST_CASE("Partitioning by instance refuses SQLite and a count out of range",
          "[postgres][partitioned]") {
  covenant::testing::SqliteDb lite;
  auto s = covenant::engine::store::Store::open(lite.url(), 1);
  REQUIRE(s);
  auto refused = (*s)->partition_by_instance(4);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::FailedPrecondition);
  CHECK(refused.error().message.find("needs PostgreSQL") != std::string::npos);

  covenant::testing::TestDatabase db;
  auto pg = covenant::engine::store::Store::open(db.url(), 1);
  REQUIRE(pg);
  for (int n : {-1, 0, 1, covenant::engine::store::Store::kMaxPartitions + 1}) {
    auto r = (*pg)->partition_by_instance(n);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
  }
  CHECK((*pg)->partitions() == 0);
}

TEST_CASE(
    "A worker claims from its own partitions first and from the others only when they are empty",
    "[postgres][partitioned]") {
  covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Partitioned);
  EngineFixture fx(db.url());
  fx.deploy(kWaitAndWork);
  constexpr int kInstances = 40;
  for (int i = 0; i < kInstances; ++i) fx.start("wait-and-work", {{"n", i}});
  auto now = covenant::engine::to_micros(fx.clock.now());
  // The instances whose tasks are in partition 0.
  std::set<std::string> in_p0;
  {
    auto tx = fx.store_->begin(covenant::engine::store::Scope::all(), false);
    REQUIRE(tx);
    std::string id;
    soci::statement st =
        ((*tx)->sql().prepare << "SELECT instance_id FROM tasks_p0", soci::into(id));
    st.execute();
    while (st.fetch()) in_p0.insert(id);
  }
  auto p0 = static_cast<int>(in_p0.size());
  REQUIRE(p0 > 0);
  REQUIRE(p0 < kInstances);

  // Claims by a worker owning partition 0 take only its tasks while it has any…
  int taken = 0;
  while (taken < p0) {
    auto claimed = fx.store_->work.claim("owner-of-0", now, 60'000'000, 3, {0});
    REQUIRE(claimed);
    REQUIRE_FALSE(claimed->empty());
    for (const auto& t : *claimed) CHECK(in_p0.count(t.instance_id) == 1);
    taken += static_cast<int>(claimed->size());
  }
  CHECK(taken == p0);
  // …then take over the others' (a worker gone or behind leaves them to it).
  auto stolen = fx.store_->work.claim("owner-of-0", now, 60'000'000, 3, {0});
  REQUIRE(stolen);
  REQUIRE(stolen->size() == 3);
  for (const auto& t : *stolen) CHECK(in_p0.count(t.instance_id) == 0);

  // A worker owning partitions that do not exist is refused, not pointed at the whole table.
  auto wrong = fx.store_->work.claim("owner-of-9", now, 60'000'000, 3, {9});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::InvalidArgument);
  CHECK(wrong.error().message == "the work tables have 4 partitions: there is no partition 9");

  // Workers owning two partitions each run every instance to the end.
  covenant::engine::scheduler::Worker low(*fx.runtime_, fx.system, {"low", 4});
  auto high_options = covenant::engine::scheduler::WorkerOptions{"high", 4};
  high_options.partitions = {2, 3};
  covenant::engine::scheduler::Worker high(*fx.runtime_, fx.system, high_options);
  fx.clock.advance(std::chrono::minutes(2));  // the leases above expire
  for (int pass = 0; pass < 200; ++pass) {
    auto a = low.run_due();
    auto b = high.run_due();
    if (a.tasks + a.timers + b.tasks + b.timers == 0) {
      fx.clock.advance(std::chrono::minutes(2));  // the waits
      a = low.run_due();
      b = high.run_due();
      if (a.tasks + a.timers + b.tasks + b.timers == 0) break;
    }
  }
  CHECK(count(*fx.store_, "SELECT COUNT(*) FROM instances WHERE status = 'completed'") ==
        kInstances);
}

TEST_CASE("On tables that are not split, a worker's partitions are ignored", "[sqlite]") {
  covenant::testing::SqliteDb lite;
  EngineFixture fx(lite.url());
  fx.deploy(kWaitAndWork);
  fx.start("wait-and-work", {{"n", 1}});
  auto claimed =
      fx.store_->work.claim("w", covenant::engine::to_micros(fx.clock.now()), 60'000'000, 3, {2});
  REQUIRE(claimed);
  CHECK(claimed->size() == 1);
}
