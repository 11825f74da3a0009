// The handoff milestones a workflow's states mark are recorded by the runtime in the
// transition's own transaction (store.handoffs): the first time each is reached, kept when the
// state is reached again; the end and its status; nothing for a workflow that marks none; and
// a business key no other table limits (here 5,000 characters) does not stop the instance.
// On SQLite and PostgreSQL.
#include "tests/engine/engine_fixture.hpp"

#include <chrono>

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;

constexpr const char* kMarked = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: marked }
start: signed_in
states:
  signed_in: { type: wait, event: signed, milestone: signed, next: extracted_in }
  extracted_in: { type: wait, event: read, milestone: extracted, output: .read, next: again }
  again:
    type: choice
    choices:
      - { when: "${ .read.again == true }", next: extracted_in }
    default: approved_in
  approved_in: { type: wait, event: approve, milestone: approved, next: done }
  done: { type: succeed }
)";

constexpr const char* kUnmarked = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: unmarked }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

ce::store::HandoffRow row_of(EngineFixture& fx, const std::string& id) {
  auto row = fx.store_->handoffs.of_instance("default", id);
  REQUIRE(row);
  REQUIRE(row->has_value());
  return **row;
}

std::int64_t now_us(EngineFixture& fx) { return ce::to_micros(fx.clock.now()); }

void milestones_recorded(const std::string& url) {
  EngineFixture fx(url);
  fx.deploy(kMarked);
  fx.deploy(kUnmarked);
  ce::runtime::StartOptions opts;
  opts.business_key = std::string(5000, 'K');
  auto id = fx.start("marked", json::object(), opts);
  auto plain = fx.start("unmarked");
  auto signal = [&](const std::string& event, json payload = json::object()) {
    fx.clock.advance(std::chrono::hours(2));
    REQUIRE(fx.runtime_->signal(ce::store::Scope::all(), id, event, payload));
    fx.drain();
  };
  auto started = now_us(fx);
  auto times = fx.store_->handoffs.times("default", {});
  REQUIRE(times);
  REQUIRE(times->size() == 1);  // the unmarked workflow records nothing
  CHECK(times->front().running);
  signal("signed");
  auto signed_at = now_us(fx);
  signal("read", {{"again", true}});  // the choice loops back to the same wait
  auto extracted_at = now_us(fx);
  signal("read", {{"again", false}});  // reached again: the first time is kept
  signal("approve");
  auto r = row_of(fx, id);
  CHECK(r.contract_id == std::string(5000, 'K'));
  CHECK(r.workflow == "marked");
  CHECK(r.started_us == started);
  CHECK(r.at_us[0] == signed_at);
  CHECK(r.at_us[1] == extracted_at);
  CHECK(r.at_us[2] == now_us(fx));
  CHECK(r.at_us[3] == 0);
  CHECK(r.at_us[4] == 0);
  CHECK(r.status == "completed");
  CHECK(r.ended_us == now_us(fx));
  CHECK(fx.instance(id).status == "completed");
  REQUIRE(fx.runtime_->signal(ce::store::Scope::all(), plain, "go", json::object()));
  fx.drain();
  times = fx.store_->handoffs.times("default", {});
  REQUIRE(times);
  CHECK(times->size() == 1);
}

}  // namespace

TEST_CASE("The runtime records when each handoff milestone is first reached [sqlite]",
          "[sqlite][handoffs]") {
  covenant::testing::SqliteDb db;
  milestones_recorded(db.url());
}

TEST_CASE("The runtime records when each handoff milestone is first reached [postgres]",
          "[postgres][handoffs]") {
  covenant::testing::TestDatabase db;
  milestones_recorded(db.url());
}
