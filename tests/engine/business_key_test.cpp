// A business key names one running instance per workflow (issue 20): a second start under a
// key a running instance of the workflow holds is refused, naming it, unless the start asks
// for a duplicate; the key is free again once that instance ends; a unique index behind the
// check refuses what two racing starts would otherwise both write. On SQLite and PostgreSQL.
#include "tests/engine/engine_fixture.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;

constexpr const char* kWaits = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: held }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

constexpr const char* kOther = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: other }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

ce::runtime::StartOptions under(const std::string& key, bool allow = false) {
  ce::runtime::StartOptions o;
  o.business_key = key;
  o.allow_duplicate_business_key = allow;
  return o;
}

void one_running_instance_per_key(EngineFixture& fx) {
  fx.deploy(kWaits);
  fx.deploy(kOther);
  auto first = fx.start("held", json::object(), under("C-1042"));
  auto again = fx.runtime_->start("held", json::object(), under("C-1042"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ce::ErrorCode::Conflict);
  CHECK(again.error().where == first);  // the caller is told which instance holds it
  CHECK_THAT(again.error().message, Catch::Contains(first) && Catch::Contains("C-1042"));
  // Refused before anything was written: one instance under the key.
  ce::store::InstanceFilter f;
  f.business_key = "C-1042";
  auto listed = fx.store_->instances.find(covenant::engine::store::Scope::all(), f);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  // Another workflow, another key, no key, or a start that asks for a duplicate: started.
  fx.start("other", json::object(), under("C-1042"));
  fx.start("held", json::object(), under("C-1043"));
  fx.start("held", json::object(), under(""));
  fx.start("held", json::object(), under(""));
  auto dup = fx.start("held", json::object(), under("C-1042", true));
  CHECK(dup != first);
  // A plain start is refused while any running instance holds the key, a duplicate included.
  REQUIRE(fx.runtime_->cancel(covenant::engine::store::Scope::all(), first, "withdrawn", "ops"));
  auto while_dup = fx.runtime_->start("held", json::object(), under("C-1042"));
  REQUIRE_FALSE(while_dup);
  CHECK(while_dup.error().where == dup);
  // Once no running instance holds it, the key is free again.
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), dup, "go", json::object()));
  CHECK(fx.instance(dup).status == "completed");
  auto next = fx.start("held", json::object(), under("C-1042"));
  CHECK(fx.instance(next).status == "running");
}

void bulk_start_under_one_key(EngineFixture& fx) {
  fx.deploy(kWaits);
  auto two = fx.runtime_->start_many("held", {json::object(), json::object()}, under("B-1"));
  REQUIRE_FALSE(two);
  CHECK(two.error().code == ce::ErrorCode::InvalidArgument);
  auto one = fx.runtime_->start_many("held", {json::object()}, under("B-1"));
  REQUIRE(one);
  auto taken = fx.runtime_->start_many("held", {json::object()}, under("B-1"));
  REQUIRE_FALSE(taken);
  CHECK(taken.error().where == one->front());
  auto allowed =
      fx.runtime_->start_many("held", {json::object(), json::object()}, under("B-1", true));
  REQUIRE(allowed);
  CHECK(allowed->size() == 2);
}

void index_refuses_a_racing_duplicate(EngineFixture& fx) {
  // What two starts racing each other would write once both passed the check: the second
  // insert under the same key is refused by the store, whatever the runtime checked.
  fx.deploy(kWaits);
  auto first = fx.start("held", json::object(), under("R-1"));
  ce::model::Instance twin = fx.instance(first);
  twin.id = "twin-of-" + first;
  {
    auto tx = fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    ce::store::WriteBatch b;
    b.insert_instance(twin, "", true);
    auto r = fx.store_->flush(**tx, b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ce::ErrorCode::Conflict);
  }  // rolled back
  // Marked as a duplicate (or started before the rule), it is written.
  auto tx2 = fx.store_->begin(covenant::engine::store::Scope::all());
  REQUIRE(tx2);
  ce::store::WriteBatch b2;
  b2.insert_instance(twin, "", false);
  REQUIRE(fx.store_->flush(**tx2, b2));
  REQUIRE((*tx2)->commit());
}

}  // namespace

ENGINE_TEST("A business key names one running instance of a workflow", business_key_unique) {
  one_running_instance_per_key(fx);
}

ENGINE_TEST("A bulk start cannot put many instances under one business key", business_key_bulk) {
  bulk_start_under_one_key(fx);
}

ENGINE_TEST("The store refuses a second running instance under a business key (a race)",
            business_key_index) {
  index_refuses_a_racing_duplicate(fx);
}
