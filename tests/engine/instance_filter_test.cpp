// Finding instances (Instances::find, which `covenant instances list` and GET /v1/instances
// use): each filter alone and together, and keyset pages that see every instance once, in
// order, on SQLite and PostgreSQL.
#include "tests/engine/engine_fixture.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;
using namespace std::chrono_literals;

constexpr const char* kHeld = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: held }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

// The same workflow, changed: a second version (another digest).
constexpr const char* kHeldV2 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: held }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: finish }
  finish: { type: succeed }
)";

constexpr const char* kGated = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gated }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: acme }, next: done }
  done: { type: succeed }
)";

std::vector<std::string> ids(const std::vector<ce::model::Instance>& rows) {
  std::vector<std::string> out;
  for (const auto& i : rows) out.push_back(i.id);
  return out;
}

std::vector<std::string> find(EngineFixture& fx, ce::store::InstanceFilter f) {
  auto rows = fx.store_->instances.find(covenant::engine::store::Scope::all(), f);
  INFO((rows ? std::string() : rows.error().message));
  REQUIRE(rows);
  return ids(*rows);
}

ce::runtime::StartOptions key(const std::string& k) {
  ce::runtime::StartOptions o;
  o.business_key = k;
  return o;
}

void each_filter(EngineFixture& fx) {
  auto v1 = fx.deploy(kHeld);
  fx.deploy(kGated);
  auto t0 = ce::to_micros(fx.clock.now());
  auto a = fx.start("held", json::object(), key("C-1"));  // t0
  fx.clock.advance(1h);
  auto b = fx.start("held", json::object(), key("C-2"));  // t0 + 1h
  fx.clock.advance(1h);
  auto g = fx.start("gated", {{"amount", 100}}, key("C-1"));  // parked at its gate
  fx.clock.advance(1h);
  auto v2 = fx.deploy(kHeldV2);
  auto c = fx.start("held", json::object(), key("C-3"));  // version 2, t0 + 3h
  fx.clock.advance(1h);
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), b, "go",
                              json::object()));  // completed at t0 + 4h
  CHECK(fx.instance(b).status == "completed");

  ce::store::InstanceFilter all;
  CHECK(find(fx, all) == std::vector<std::string>{a, b, g, c});  // oldest first

  auto f = all;
  f.status = "running";
  CHECK(find(fx, f) == std::vector<std::string>{a, g, c});
  f = all;
  f.status = "completed";
  CHECK(find(fx, f) == std::vector<std::string>{b});
  f = all;
  f.workflow = "gated";
  CHECK(find(fx, f) == std::vector<std::string>{g});
  f = all;
  f.business_key = "C-1";
  CHECK(find(fx, f) == std::vector<std::string>{a, g});
  f = all;
  f.version = v1;
  CHECK(find(fx, f) == std::vector<std::string>{a, b});
  f.version = v2;
  CHECK(find(fx, f) == std::vector<std::string>{c});
  f = all;
  f.open_gate = true;
  CHECK(find(fx, f) == std::vector<std::string>{g});
  f = all;
  f.created_from_us = t0 + 3'600'000'000LL;    // from t0 + 1h
  f.created_to_us = t0 + 3 * 3'600'000'000LL;  // before t0 + 3h
  CHECK(find(fx, f) == std::vector<std::string>{b, g});
  f = all;
  f.updated_before_us = t0 + 3 * 3'600'000'000LL + 1;  // unchanged since t0 + 3h: idle
  CHECK(find(fx, f) == std::vector<std::string>{a, g, c});
  // Together: running instances under C-1 of `held`.
  f = all;
  f.status = "running";
  f.workflow = "held";
  f.business_key = "C-1";
  CHECK(find(fx, f) == std::vector<std::string>{a});
  // Nothing matches: an empty page, not an error.
  f = all;
  f.business_key = "no-such-key";
  CHECK(find(fx, f).empty());
}

void keyset_pages(EngineFixture& fx) {
  fx.deploy(kHeld);
  std::vector<std::string> started;
  for (int i = 0; i < 7; ++i) {
    started.push_back(fx.start("held"));
    if (i % 3 == 0) fx.clock.advance(1s);  // some share a creation time: the id orders them
  }
  std::vector<std::string> seen;
  ce::store::InstanceFilter f;
  f.limit = 2;
  for (int pages = 0; pages < 10; ++pages) {
    auto rows = fx.store_->instances.find(covenant::engine::store::Scope::all(), f);
    REQUIRE(rows);
    if (rows->empty()) break;
    for (const auto& i : *rows) seen.push_back(i.id);
    f.after_us = rows->back().created_us;
    f.after_id = rows->back().id;
  }
  // Each once, in (created, id) order: the fixture's ids grow with each start.
  CHECK(seen == started);
}

}  // namespace

ENGINE_TEST("Instances are found by workflow, version, status, key, open gate, age",
            instance_filters) {
  each_filter(fx);
}

ENGINE_TEST("Instance pages by keyset see every instance once", instance_pages) {
  keyset_pages(fx);
}
