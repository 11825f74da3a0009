// Replay: a recorded history re-decided against a definition. The same definition (or one
// changed only where behaviour does not look) replays every event; a changed input, a renamed
// state, a gate that asks other people, a retry policy that gives up sooner: each diverges at
// the first event the new definition would have written differently, and a history that was
// tampered with or cut short is reported, never replayed past.
#include "engine/runtime/replay.hpp"

#include "tests/engine/engine_fixture.hpp"

using namespace std::chrono_literals;
using covenant::engine::history::EventType;
namespace rt = covenant::engine::runtime;

namespace {

const std::string kWorkflow = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: replayed }
start: fetch
states:
  fetch:
    type: parallel
    branches:
      - start: left
        states: { left: { type: task, activity: work.do, input: { what: left }, end: true } }
      - start: right
        states: { right: { type: task, activity: work.do, input: { what: right }, end: true } }
    output: .sources
    next: gate
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    timeout: 48h
    next: charge
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    retry: { max_attempts: 3, initial_interval: 5s, jitter: 0.5 }
    next: pause
  pause: { type: wait, duration: 1d, next: confirm }
  confirm: { type: wait, event: confirmed, output: .confirmation, timeout: 7d, next: done }
  done: { type: succeed }
)";

std::shared_ptr<const covenant::workflows::CompiledWorkflow> compiled(const std::string& yaml) {
  covenant::testing::TestCatalog catalog;
  auto c = covenant::workflows::compile(yaml, "replay.yaml", catalog);
  if (!c.workflow) {
    std::string all;
    for (const auto& d : c.diagnostics) all += covenant::workflows::format(d) + "\n";
    FAIL("does not compile:\n" << all);
  }
  return c.workflow;
}

std::string changed(std::string yaml, const std::string& from, const std::string& to) {
  auto at = yaml.find(from);
  REQUIRE(at != std::string::npos);
  return yaml.replace(at, from.size(), to);
}

// Runs one instance through every kind of input: branch outcomes, an approval, a failed
// attempt and its retry, a timer, an event with a person's correction.
std::string run_through(covenant::testing::EngineFixture& fx) {
  fx.serial();
  fx.deploy(kWorkflow);
  auto id = fx.start("replayed", {{"amount", 125000}}, {"C-9", "alice", "", "default"});
  fx.drain();
  std::string digest;
  auto opened = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(opened);
  for (const auto& e : *opened)
    if (e.type == EventType::ApprovalRequested) digest = e.payload["digest"];
  fx.clock.advance(2h);
  REQUIRE(
      fx.runtime_->decide_approval(covenant::engine::store::Scope::all(), id,
                                   covenant::engine::model::ApprovalInput{
                                       "gate", "bob", {"finance"}, true, "ok", digest, "", ""}));
  fx.system.fail_next("money.charge", 1, "Unavailable", true);
  fx.drain();
  fx.clock.advance(10s);
  fx.drain();
  fx.clock.advance(24h);
  fx.drain();
  nlohmann::json corrections = nlohmann::json::array(
      {{{"field", "date"}, {"old", "2027-01-01"}, {"new", "2027-01-17"}, {"reason", "typo"}}});
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "confirmed",
                              {{"date", "2027-01-17"}}, "carol", corrections));
  REQUIRE(fx.instance(id).status == "completed");
  return id;
}

rt::ReplayResult replay_against(covenant::testing::EngineFixture& fx, const std::string& id,
                                const std::string& yaml) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  covenant::workflows::JqEvaluator jq;
  return rt::replay(*h, *compiled(yaml), jq);
}

std::int64_t seq_of(covenant::testing::EngineFixture& fx, const std::string& id, EventType type,
                    const std::string& state) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  for (const auto& e : *h)
    if (e.type == type && e.state == state) return e.seq;
  FAIL("no " << covenant::engine::history::name(type) << " at " << state);
  return 0;
}

}  // namespace

ENGINE_TEST("A history replays event for event against its own definition", replay_same) {
  auto id = run_through(fx);
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  auto r = replay_against(fx, id, kWorkflow);
  INFO((r.divergence ? r.divergence->reason : ""));
  CHECK_FALSE(r.divergence);
  CHECK(r.events == static_cast<std::int64_t>(h->size()));
  CHECK(r.transitions >= 8);  // start, 2 branches, approval, failure, retry, timer, event
  CHECK(r.instance_id == id);
}

ENGINE_TEST("A change that does not alter behaviour replays (a new digest is no divergence)",
            replay_equivalent) {
  auto id = run_through(fx);
  auto other = changed(kWorkflow, "metadata: { name: replayed }",
                       "metadata: { name: replayed, description: reworded only }");
  REQUIRE(compiled(other)->digest() != compiled(kWorkflow)->digest());
  auto r = replay_against(fx, id, other);
  CHECK_FALSE(r.divergence);
}

ENGINE_TEST("A changed activity input diverges at the step that schedules it", replay_input) {
  auto id = run_through(fx);
  auto r = replay_against(fx, id, changed(kWorkflow, "customer: acme", "customer: acme-corp"));
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == seq_of(fx, id, EventType::ActivityScheduled, "charge"));
  CHECK_THAT(r.divergence->reason, Catch::Contains("payload.input_digest"));
}

ENGINE_TEST("A renamed state diverges where the history entered it", replay_renamed) {
  auto id = run_through(fx);
  auto yaml = changed(changed(kWorkflow, "next: confirm", "next: confirmation"),
                      "  confirm: { type: wait", "  confirmation: { type: wait");
  auto r = replay_against(fx, id, yaml);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == seq_of(fx, id, EventType::StateEntered, "confirm"));
  CHECK(r.divergence->reason == "a different step");
  CHECK_THAT(r.divergence->decided, Catch::Contains("confirmation"));
}

ENGINE_TEST("A gate that asks other people diverges where it opened", replay_gate) {
  auto id = run_through(fx);
  auto r = replay_against(fx, id, changed(kWorkflow, "role: finance", "role: cfo"));
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == seq_of(fx, id, EventType::ApprovalRequested, "gate"));
  CHECK_THAT(r.divergence->reason, Catch::Contains("payload.approvers"));
}

ENGINE_TEST("A retry policy that gives up sooner diverges at the failed attempt", replay_retry) {
  auto id = run_through(fx);
  auto r = replay_against(fx, id, changed(kWorkflow, "max_attempts: 3", "max_attempts: 1"));
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == seq_of(fx, id, EventType::RetryScheduled, "charge"));
}

ENGINE_TEST("A history that was cut or altered is reported, not replayed past", replay_tampered) {
  auto id = run_through(fx);
  auto h = *fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  covenant::workflows::JqEvaluator jq;
  auto wf = compiled(kWorkflow);
  // Altered: the approver's decision recorded under a digest nobody saw.
  auto altered = h;
  for (auto& e : altered)
    if (e.type == EventType::ApprovalDecided) e.payload["digest"] = std::string(64, '0');
  auto r = rt::replay(altered, *wf, jq);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == seq_of(fx, id, EventType::ApprovalDecided, "gate"));
  CHECK_THAT(r.divergence->reason, Catch::Contains("refuses this input"));
  // Cut: an event of a transition missing (the first StateEntered).
  auto cut = h;
  cut.erase(cut.begin() + 1);
  r = rt::replay(cut, *wf, jq);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == 3);
  // Empty, and of another workflow.
  CHECK(rt::replay({}, *wf, jq).divergence);
  auto other = h;
  other.front().payload["workflow"] = "someone-else";
  r = rt::replay(other, *wf, jq);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == 1);
}

ENGINE_TEST("A cancelled instance replays its cancellation", replay_cancelled) {
  fx.deploy(kWorkflow);
  auto id = fx.start("replayed", {{"amount", 10}}, {"C-1", "alice", "", "default"});
  fx.drain();
  REQUIRE(
      fx.runtime_->cancel(covenant::engine::store::Scope::all(), id, "customer withdrew", "dave"));
  auto r = replay_against(fx, id, kWorkflow);
  CHECK_FALSE(r.divergence);
  CHECK(r.events ==
        static_cast<std::int64_t>(
            fx.store_->instances.history(covenant::engine::store::Scope::all(), id)->size()));
}

ENGINE_TEST("A running instance diverges when the new definition would wait for something else",
            replay_pending) {
  fx.deploy(kWorkflow);
  auto id = fx.start("replayed", {{"amount", 10}}, {"C-1", "alice", "", "default"});
  fx.drain();
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  auto stored = fx.instance(id);
  REQUIRE(stored.frames.at("root").status == "approval");
  covenant::workflows::JqEvaluator jq;
  auto same = rt::replay(*h, *compiled(kWorkflow), jq, &stored);
  CHECK_FALSE(same.divergence);
  // Nothing recorded differs yet, but the gate would ask for someone else's decision.
  auto r =
      rt::replay(*h, *compiled(changed(kWorkflow, "timeout: 48h", "timeout: 72h")), jq, &stored);
  REQUIRE(r.divergence);
  CHECK_THAT(r.divergence->reason, Catch::Contains("deadline"));
  auto other = stored;
  other.frames.at("root").event = "confirmed.v2";
  r = rt::replay(*h, *compiled(kWorkflow), jq, &other);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == static_cast<std::int64_t>(h->size()) + 1);
  CHECK_THAT(r.divergence->reason, Catch::Contains("waiting.root.event"));
}
