// What operators do to instances: move them to another version by a state map (the map
// checked statically, each move an InstanceMigrated event, open gates whose approval changed
// opened again, grants never carried to a changed financial step, nothing moved mid-activity)
// and run a failed step again with its input fixed (recorded, a new idempotency key, replayable).
#include "engine/runtime/replay.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/migration.hpp"

using namespace std::chrono_literals;
using covenant::engine::history::EventType;
namespace rt = covenant::engine::runtime;
namespace wf = covenant::workflows;

namespace {

std::shared_ptr<const wf::CompiledWorkflow> op_compiled(const std::string& yaml) {
  covenant::testing::TestCatalog catalog;
  auto c = wf::compile(yaml, "operator.yaml", catalog);
  if (!c.workflow) {
    std::string all;
    for (const auto& d : c.diagnostics) all += wf::format(d) + "\n";
    FAIL("does not compile:\n" << all);
  }
  return c.workflow;
}

const std::string kV1 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: moving }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    next: hold
  hold: { type: wait, event: countersigned, output: .signature, timeout: 10d, on_timeout: late, next: charge }
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    next: done
  late: { type: fail, error: Late }
  done: { type: succeed }
)";

// Version 2 renames the wait and asks the CFO at the gate.
const std::string kV2 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: moving }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: cfo }]
    next: await_signature
  await_signature: { type: wait, event: countersigned, output: .signature, timeout: 10d, on_timeout: late, next: charge }
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    next: done
  late: { type: fail, error: Late }
  done: { type: succeed }
)";

// Version 2b only renames the wait: the gate and the charge are what they were.
std::string renamed_only() {
  std::string y = kV1;
  y.replace(y.find("next: hold"), 10, "next: await_signature");
  y.replace(y.find("  hold: {"), 9, "  await_signature: {");
  return y;
}

wf::StateMap map_v1_v2() {
  auto m = wf::parse_state_map(R"(apiVersion: covenant/v1
kind: Migration
workflow: moving
from: 1
to: 2
states:
  gate: gate
  hold: await_signature
  charge: charge
)",
                               "map.yaml");
  REQUIRE(m);
  return *m;
}

covenant::engine::model::MigrateInput input_for(const wf::CompiledWorkflow& a,
                                                const wf::CompiledWorkflow& b,
                                                const wf::StateMap& m) {
  auto check = wf::check_migration(a, b, m);
  INFO((check.errors.empty() ? "" : check.errors.front()));
  REQUIRE(check.errors.empty());
  covenant::engine::model::MigrateInput in;
  in.from = a.digest();
  in.states = m.states;
  in.set = m.set;
  in.expects = check.expects;
  in.reopen = check.reopen;
  in.changed_financial = check.changed_financial;
  in.reason = "CFO signs from January";
  in.by = "ops";
  return in;
}

std::string digest_of_gate(covenant::testing::EngineFixture& fx, const std::string& id) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  std::string digest;
  for (const auto& e : *h)
    if (e.type == EventType::ApprovalRequested) digest = e.payload["digest"];
  return digest;
}

std::string all_of(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

void require_ok(const covenant::engine::Result<void>& r) {
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
}

}  // namespace

TEST_CASE("A state map is checked against both versions before anything moves", "[unit]") {
  auto a = op_compiled(kV1), b = op_compiled(kV2);
  auto ok = wf::check_migration(*a, *b, map_v1_v2());
  CHECK(ok.errors.empty());
  CHECK(ok.reopen == std::vector<std::string>{"gate"});  // other approvers: no carry-over
  CHECK(ok.changed_financial.empty());                   // the charge is the same step

  auto unmapped = map_v1_v2();
  unmapped.states.erase("hold");
  auto r = wf::check_migration(*a, *b, unmapped);
  REQUIRE(r.errors.size() == 1);
  CHECK_THAT(r.errors[0], Catch::Contains("state 'hold' (wait) has no mapping"));

  auto wrong = map_v1_v2();
  wrong.states["hold"] = "charge";
  r = wf::check_migration(*a, *b, wrong);
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(r.errors[0], Catch::Contains("'hold' is a wait, 'charge' in the new version a task"));

  auto nowhere = map_v1_v2();
  nowhere.states["hold"] = "hold";
  r = wf::check_migration(*a, *b, nowhere);
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(r.errors[0], Catch::Contains("which the new version does not have"));

  // The new version writes .quote before the wait; the old one never did: set must give it.
  auto b3 = op_compiled(std::string(kV2).replace(
      kV2.find("    next: await_signature"), 25,
      "    next: quote\n  quote: { type: task, activity: work.do, output: .quote, next: "
      "await_signature }"));
  r = wf::check_migration(*a, *b3, map_v1_v2());
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(all_of(r.errors), Catch::Contains("expects .quote at 'await_signature'"));
  auto given = map_v1_v2();
  given.states["gate"] = "gate";
  given.set[".quote"] = {{"id", "Q-1"}};
  CHECK(wf::check_migration(*a, *b3, given).errors.empty());

  // Parse errors are located.
  auto bad = wf::parse_state_map(
      "apiVersion: covenant/v1\nkind: Migration\nworkflow: x\nfrom: 1\n"
      "to: 2\nstates: { a: b }\nsett: {}\n",
      "m.yaml");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error()[0], Catch::Contains("m.yaml:7:1: unknown field 'sett'"));
}

ENGINE_TEST("Migrate moves a waiting instance, keeps its timer, records the move", migrate_wait) {
  auto d1 = fx.deploy(kV1);
  auto id = fx.start("moving", {{"amount", 900}}, {"C-7", "alice", "", "default"});
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      {"gate", "bob", {"finance"}, true, "ok", digest_of_gate(fx, id), "", ""}));
  REQUIRE(fx.instance(id).frames.at("root").state == "hold");
  auto d2 = fx.deploy(renamed_only());
  auto a = op_compiled(kV1), b = op_compiled(renamed_only());
  auto in = input_for(*a, *b, map_v1_v2());
  CHECK(in.reopen.empty());
  require_ok(fx.runtime_->migrate(covenant::engine::store::Scope::all(), id, in, b));
  auto inst = fx.instance(id);
  CHECK(inst.digest == d2);
  CHECK(inst.frames.at("root").state == "await_signature");
  auto h = *fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h.back().type == EventType::InstanceMigrated);
  CHECK(h.back().payload["from"] == d1);
  CHECK(h.back().payload["by"] == "ops");
  CHECK(h.back().payload["states"][0]["to"] == "await_signature");
  // Moving again from version 1 is refused: it runs version 2 now.
  auto again = fx.runtime_->migrate(covenant::engine::store::Scope::all(), id, in, b);
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error().message, Catch::Contains("not " + d1.substr(0, 16)));
  // The renamed wait's timeout still fires, at the same time, under the new name.
  fx.clock.advance(10 * 24h + 1s);
  fx.drain();
  inst = fx.instance(id);
  CHECK(inst.status == "failed");
  CHECK(inst.error == "Late");
  // Replay does not compare a history that spans versions; it says so.
  covenant::workflows::JqEvaluator jq;
  auto moved = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(moved);
  auto r = rt::replay(*moved, *b, jq);
  CHECK_FALSE(r.divergence);
  CHECK_THAT(r.skipped, Catch::Contains("moved to another version"));
}

ENGINE_TEST("An open gate whose approvers changed opens again, and old decisions do not count",
            migrate_gate) {
  fx.deploy(kV1);
  auto id = fx.start("moving", {{"amount", 900}}, {"C-8", "alice", "", "default"});
  auto old_digest = digest_of_gate(fx, id);
  fx.deploy(kV2);
  auto a = op_compiled(kV1), b = op_compiled(kV2);
  require_ok(fx.runtime_->migrate(covenant::engine::store::Scope::all(), id,
                                  input_for(*a, *b, map_v1_v2()), b));
  auto inst = fx.instance(id);
  REQUIRE(inst.frames.at("root").gate);
  CHECK(inst.frames.at("root").gate->rules.front().role == "cfo");
  // Finance's approval, on the gate it saw under version 1, no longer decides anything.
  CHECK_FALSE(
      fx.runtime_->decide_approval(covenant::engine::store::Scope::all(), id,
                                   {"gate", "bob", {"finance"}, true, "ok", old_digest, "", ""}));
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      {"gate", "carol", {"cfo"}, true, "ok", digest_of_gate(fx, id), "", ""}));
  CHECK(fx.instance(id).frames.at("root").state == "await_signature");
}

ENGINE_TEST("An unspent grant for a changed financial step is never carried over", migrate_grant) {
  fx.deploy(kV1);
  auto id = fx.start("moving", {{"amount", 900}}, {"C-9", "alice", "", "default"});
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      {"gate", "bob", {"finance"}, true, "ok", digest_of_gate(fx, id), "", ""}));
  // Version 3 charges another customer: the approval granted for version 1's charge does not
  // pay for it.
  auto v3 = std::string(kV1).replace(kV1.find("customer: acme"), 14, "customer: acme-eu");
  fx.deploy(v3);
  auto a = op_compiled(kV1), b = op_compiled(v3);
  auto m = map_v1_v2();
  m.states["hold"] = "hold";
  auto in = input_for(*a, *b, m);
  CHECK(in.changed_financial == std::vector<std::string>{"money.charge"});
  auto r = fx.runtime_->migrate(covenant::engine::store::Scope::all(), id, in, b);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("never carries over"));
  CHECK(fx.instance(id).digest == a->digest());  // not moved
}

ENGINE_TEST("An instance is not moved while an activity runs", migrate_task) {
  const std::string v1 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: busy }
start: work
states:
  work: { type: task, activity: work.do, next: done }
  done: { type: succeed }
)";
  fx.deploy(v1);
  auto id = fx.start("busy");
  auto v2 = std::string(v1).replace(v1.find("next: done"), 10, "input: { what: x }, next: done");
  fx.deploy(v2);
  auto a = op_compiled(v1), b = op_compiled(v2);
  auto m = wf::parse_state_map(
      "apiVersion: covenant/v1\nkind: Migration\nworkflow: busy\nfrom: 1\nto: 2\nstates: { work: "
      "work }\n",
      "m.yaml");
  REQUIRE(m);
  auto r =
      fx.runtime_->migrate(covenant::engine::store::Scope::all(), id, input_for(*a, *b, *m), b);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("an activity is running at 'work'"));
}

namespace {
const std::string kFailing = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: fixable }
start: lookup
states:
  lookup: { type: task, activity: work.do, input: { what: "${ .account }" }, output: .found, next: gate }
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    next: charge
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    next: done
  done: { type: succeed }
)";
}  // namespace

ENGINE_TEST("A failed step runs again with its input fixed, recorded and replayable", retry_fix) {
  fx.deploy(kFailing);
  fx.system.fail_next("work.do", 1, "InvalidInput", false);
  auto id = fx.start("fixable", {{"account", "ACME-OLD"}, {"amount", 100}},
                     {"C-3", "alice", "", "default"});
  fx.drain();
  REQUIRE(fx.instance(id).status == "failed");
  auto edited = nlohmann::json{{"what", "ACME-NEW"}};
  REQUIRE(fx.runtime_->retry_step(covenant::engine::store::Scope::all(), id,
                                  {"lookup", edited, "account renamed in the CRM", "ops"}));
  auto h = *fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  const covenant::engine::history::Event* retried = nullptr;
  for (const auto& e : h)
    if (e.type == EventType::StepRetried) retried = &e;
  REQUIRE(retried);
  CHECK(retried->payload["reason"] == "account renamed in the CRM");
  CHECK(retried->payload["by"] == "ops");
  CHECK(retried->payload["changes"][0]["path"] == ".what");
  CHECK(retried->payload["changes"][0]["old"] == "ACME-OLD");
  CHECK(retried->payload["changes"][0]["new"] == "ACME-NEW");
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "running");
  CHECK(inst.frames.at("root").state == "gate");
  CHECK(inst.frames.at("root").context["found"]["echo"]["what"] == "ACME-NEW");
  // The edited call ran under a new idempotency key (a different request is not a replay).
  std::set<std::string> keys;
  auto after = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(after);
  for (const auto& e : *after)
    if (e.type == EventType::ActivityScheduled && e.state == "lookup")
      keys.insert(e.payload["idempotency_key"].get<std::string>());
  CHECK(keys.size() == 2);
  // The whole history, retry included, replays on its own definition.
  covenant::workflows::JqEvaluator jq;
  auto stored = fx.instance(id);
  auto r = rt::replay(*after, *op_compiled(kFailing), jq, &stored);
  INFO((r.divergence ? r.divergence->reason : ""));
  CHECK_FALSE(r.divergence);
  // The steps, re-decided: the failed call with its input and error, the edited one with its
  // result.
  auto runs = rt::steps(*after, *op_compiled(kFailing), jq);
  REQUIRE(runs);
  REQUIRE(runs->size() == 2);
  CHECK((*runs)[0].input["what"] == "ACME-OLD");
  REQUIRE((*runs)[0].attempts.size() == 1);
  CHECK_FALSE((*runs)[0].attempts[0].ok);
  CHECK((*runs)[0].attempts[0].error == "InvalidInput");
  CHECK((*runs)[1].input["what"] == "ACME-NEW");
  REQUIRE((*runs)[1].attempts.size() == 1);
  CHECK((*runs)[1].attempts[0].result["echo"]["what"] == "ACME-NEW");
  // A running instance has nothing to run again.
  auto twice = fx.runtime_->retry_step(covenant::engine::store::Scope::all(), id,
                                       {"lookup", nullptr, "again", "ops"});
  REQUIRE_FALSE(twice);
  CHECK_THAT(twice.error().message, Catch::Contains("only a failed step runs again"));
}

ENGINE_TEST("A financial step's input is never edited by a retry", retry_financial) {
  fx.deploy(kFailing);
  fx.system.fail_next("money.charge", 1, "CardDeclined", false);
  auto id =
      fx.start("fixable", {{"account", "A"}, {"amount", 100}}, {"C-4", "alice", "", "default"});
  fx.drain();
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      {"gate", "bob", {"finance"}, true, "ok", digest_of_gate(fx, id), "", ""}));
  fx.drain();
  REQUIRE(fx.instance(id).status == "failed");
  auto r =
      fx.runtime_->retry_step(covenant::engine::store::Scope::all(), id,
                              {"charge", {{"amount", 1}, {"customer", "acme"}}, "cheaper", "ops"});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("writes money"));
  CHECK(fx.instance(id).status == "failed");
  // Unchanged, it runs again — and its spent approval sends it back to the gate, not to a
  // second write on one approval.
  REQUIRE(fx.runtime_->retry_step(covenant::engine::store::Scope::all(), id,
                                  {"charge", nullptr, "card updated", "ops"}));
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.frames.at("root").state == "gate");
  CHECK(fx.system.writes("money.charge") == 0);
}
