// The stored runtime form of an instance (engine/model/instance.hpp): what is written reads back
// as the same frames, compensations and failure; version 2 leaves out what is at a new frame's
// value, and a row written in version 1 (every field present) still reads the same; an unknown
// version or a frame without its required fields is refused, never read as something else.
#include "engine/model/instance.hpp"

#include <catch2/catch.hpp>

namespace {

using covenant::engine::model::Frame;
using covenant::engine::model::Gate;
using covenant::engine::model::Grant;
using covenant::engine::model::Instance;
using nlohmann::json;

// An instance whose frames use every field: a root parked at a gate holding a grant, and a
// child of a map half-way through its items.
Instance busy() {
  Instance inst;
  Frame root;
  root.id = "root";
  root.state = "approve";
  root.status = "approval";
  root.context = {{"amount_minor", 120000}, {"currency", "EUR"}};
  root.last = {{"ok", true}};
  root.visits = {{"approve", 2}, {"extract", 1}};
  root.attempt = 3;
  root.task_key = "root/extract#1";
  root.timer_keys = {"root/approve#2/deadline"};
  root.event = "contract.signed";
  Gate g;
  g.id = "apr_1";
  g.digest = std::string(64, 'a');
  g.rules = {{"finance", 2}};
  g.quorum = 2;
  g.decisions = {{"ann", "finance", true, false, "fine", std::string(64, 'a'), "bob"}};
  g.deadline_us = 99;
  g.escalated = true;
  g.changes_to = "extract";
  root.gate = g;
  root.granted["billing.create_invoice"] =
      Grant{"approve", std::string(64, 'b'), {"ann"}, true, false, "root/bill#1"};
  Frame child;
  child.id = "root/lines.1";
  child.parent = "root";
  child.index = 1;
  child.state = "bill";
  child.status = "task";
  child.items = json::array({1, 2, 3});
  child.results = json::array({json(), {{"id", "in_1"}}});
  child.next_item = 2;
  child.running = 1;
  child.finished = 1;
  inst.frames.emplace(root.id, root);
  inst.frames.emplace(child.id, child);
  inst.compensations.push_back({"billing.void_invoice", {{"id", "in_1"}}, "k1", "bill", {}});
  inst.failure_code = "ActivityFailed";
  inst.failure_cause = "the billing system said no";
  inst.changed_by = {"carol"};
  inst.left_standing = json::array({{{"activity", "billing.create_invoice"}}});
  return inst;
}

bool same(const Frame& a, const Frame& b) {
  return a.id == b.id && a.parent == b.parent && a.index == b.index && a.state == b.state &&
         a.status == b.status && a.context == b.context && a.last == b.last &&
         a.visits == b.visits && a.attempt == b.attempt && a.task_key == b.task_key &&
         a.timer_keys == b.timer_keys && a.event == b.event && a.items == b.items &&
         a.results == b.results && a.next_item == b.next_item && a.running == b.running &&
         a.finished == b.finished && a.gate == b.gate && a.granted == b.granted;
}

void check_same(const Instance& a, const Instance& b) {
  REQUIRE(a.frames.size() == b.frames.size());
  for (const auto& [id, f] : a.frames) {
    INFO(id);
    REQUIRE(b.frames.count(id));
    CHECK(same(f, b.frames.at(id)));
  }
  REQUIRE(a.compensations.size() == b.compensations.size());
  for (std::size_t k = 0; k < a.compensations.size(); ++k) {
    CHECK(a.compensations[k].activity == b.compensations[k].activity);
    CHECK(a.compensations[k].input == b.compensations[k].input);
    CHECK(a.compensations[k].key == b.compensations[k].key);
    CHECK(a.compensations[k].state == b.compensations[k].state);
  }
  CHECK(a.failure_code == b.failure_code);
  CHECK(a.failure_cause == b.failure_cause);
  CHECK(a.changed_by == b.changed_by);
  CHECK(a.left_standing == b.left_standing);
}

Instance read(const json& j) {
  Instance out;
  out.failure_code = "stale";  // reading replaces whatever the object held
  out.changed_by = {"stale"};
  covenant::engine::model::runtime_from_json(j, out);
  return out;
}

}  // namespace

TEST_CASE("runtime form: every field written comes back", "[runtime-form]") {
  Instance inst = busy();
  json stored = covenant::engine::model::runtime_to_json(inst);
  CHECK(stored["v"] == 2);
  check_same(inst, read(json::parse(stored.dump())));
}

TEST_CASE("runtime form: fields at a new frame's value are left out and read back as such",
          "[runtime-form]") {
  Instance inst;
  Frame f;
  f.id = "root";
  f.state = "start";
  f.status = "task";
  f.visits = {{"start", 1}};
  inst.frames.emplace(f.id, f);
  json stored = covenant::engine::model::runtime_to_json(inst);
  CHECK(stored == json::parse(R"({"v":2,"frames":[{"id":"root","state":"start","status":"task",
                                  "context":{},"visits":{"start":1}}]})"));
  Instance back = read(stored);
  check_same(inst, back);
  CHECK(back.failure_code.empty());
  CHECK(back.changed_by.empty());
}

TEST_CASE("runtime form: a version 1 row (every field present) reads as before", "[runtime-form]") {
  // As the version before the compact form wrote it (tests/fixtures/store-v10 holds such rows).
  json v1 = json::parse(R"({"v":1,"frames":[{"attempt":1,"context":{"n":0},"event":"",
    "finished":0,"gate":{"deadline_us":0,"decisions":[],"digest":"d1","id":"apr_1","quorum":1,
    "rules":[{"count":1,"role":"finance"}]},"granted":{},"id":"root","index":0,"items":[],
    "last":{"ok":true},"next_item":0,"parent":"","results":[],"running":0,"state":"gate",
    "status":"approval","task_key":"","timer_keys":[],"visits":{"gate":1,"prepare":1}}],
    "compensations":[],"failure":{"cause":"","code":""},"changed_by":[],"left_standing":[]})");
  Instance back = read(v1);
  REQUIRE(back.frames.size() == 1);
  const Frame& f = back.frames.at("root");
  CHECK(f.attempt == 1);
  CHECK(f.last == json({{"ok", true}}));
  REQUIRE(f.gate);
  CHECK(f.gate->id == "apr_1");
  CHECK(f.gate->rules.size() == 1);
  // Written again, it is the compact form of the same thing.
  json again = covenant::engine::model::runtime_to_json(back);
  CHECK(again["v"] == 2);
  CHECK_FALSE(again["frames"][0].contains("timer_keys"));
  check_same(back, read(again));
}

TEST_CASE("runtime form: an unknown version or a frame without its required fields is refused",
          "[runtime-form]") {
  json stored = covenant::engine::model::runtime_to_json(busy());
  json future = stored;
  future["v"] = 3;
  CHECK_THROWS_WITH(read(future), Catch::Contains("version 3"));
  json none = stored;
  none.erase("v");
  CHECK_THROWS(read(none));
  for (const char* field : {"id", "state", "status", "context", "visits"}) {
    INFO(field);
    json damaged = stored;
    damaged["frames"][0].erase(field);
    CHECK_THROWS(read(damaged));
  }
  json wrong = stored;
  wrong["frames"][0]["attempt"] = "three";
  CHECK_THROWS(read(wrong));
}
