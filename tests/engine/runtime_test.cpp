// The engine's behaviour, state type by state type, on SQLite and PostgreSQL alike.
#include "engine/history/hash_chain.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <set>

using namespace std::chrono_literals;
using covenant::engine::ErrorCode;
using covenant::engine::history::verify_chain;
using nlohmann::json;

namespace {

std::string seven_steps(const std::string& name = "seven") {
  std::string y = "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: " + name +
                  " }\nstart: s1\nstates:\n";
  for (int i = 1; i <= 7; ++i)
    y += "  s" + std::to_string(i) +
         ": { type: task, activity: work.do, input: { what: \"${ .n }\" }, output: .r" +
         std::to_string(i) +
         ", next: " + (i < 7 ? "s" + std::to_string(i + 1) : std::string("done")) + " }\n";
  return y + "  done: { type: succeed }\n";
}

}  // namespace

ENGINE_TEST("A seven-step workflow runs to completion with one effect per step", seven) {
  fx.deploy(seven_steps());
  auto id = fx.start("seven", {{"n", 42}}, {"contract-7", "alice", "", "default"});
  CHECK(fx.instance(id).status == "running");
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  CHECK(fx.system.calls("work.do") == 7);
  CHECK(fx.system.writes("work.do") == 7);
  CHECK(inst.business_key == "contract-7");
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  CHECK_FALSE(verify_chain(*h));
  auto names = fx.event_names(id);
  CHECK(names.front() == "WorkflowStarted");
  CHECK(names.back() == "WorkflowCompleted");
  CHECK(std::count(names.begin(), names.end(), "ActivityCompleted") == 7);
}

ENGINE_TEST("Transient failures are retried with backoff under the same idempotency key", retries) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: flaky }
start: call
states:
  call:
    type: task
    activity: work.do
    retry: { max_attempts: 4, initial_interval: 10s, max_interval: 1m, jitter: 0 }
    next: done
  done: { type: succeed }
)");
  fx.system.fail_next("work.do", 2, "Unavailable", true);
  auto id = fx.start("flaky");
  fx.drain();
  CHECK(fx.system.calls("work.do") == 1);  // the retry waits for its backoff
  fx.clock.advance(10s);
  fx.drain();
  CHECK(fx.system.calls("work.do") == 2);
  fx.clock.advance(19s);
  fx.drain();
  CHECK(fx.system.calls("work.do") == 2);  // 20 s the second time
  fx.clock.advance(1s);
  fx.drain();
  CHECK(fx.system.calls("work.do") == 3);
  CHECK(fx.instance(id).status == "completed");
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "RetryScheduled") == 2);
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  std::set<std::string> keys;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ActivityScheduled)
      keys.insert(e.payload["idempotency_key"].get<std::string>());
  CHECK(keys.size() == 1);
}

ENGINE_TEST("A permanent failure goes to its catch, or fails the instance", catches) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: caught }
start: call
states:
  call:
    type: task
    activity: work.do
    catch: [{ errors: [Declined], next: handle, output: .problem }]
    next: done
  handle: { type: task, activity: work.open, input: "${ .problem }", next: done }
  done: { type: succeed }
)");
  fx.system.fail_next("work.do", 1, "Declined", false);
  auto id = fx.start("caught");
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  CHECK(fx.system.calls("work.open") == 1);

  fx.system.fail_next("work.do", 1, "Exploded", false);
  auto id2 = fx.start("caught");
  fx.drain();
  auto failed = fx.instance(id2);
  CHECK(failed.status == "failed");
  CHECK(failed.error == "Exploded");
}

ENGINE_TEST("A durable wait fires once, on time, even after a restart", waits) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: pause }
start: hold
states:
  hold: { type: wait, duration: 2s, next: after }
  after: { type: task, activity: work.do, next: done }
  done: { type: succeed }
)");
  auto id = fx.start("pause");
  fx.drain();
  fx.clock.advance(1s);
  fx.drain();
  CHECK(fx.system.calls("work.do") == 0);
  fx.reopen();  // a restart in the middle of the wait
  fx.clock.advance(1s);
  fx.drain();
  fx.drain();
  CHECK(fx.system.calls("work.do") == 1);
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "TimerFired") == 1);
  CHECK(fx.instance(id).status == "completed");
}

ENGINE_TEST("An external event resumes a waiting instance, an unexpected one changes nothing",
            events) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: confirm }
start: wait_for_it
states:
  wait_for_it: { type: wait, event: provisioning.confirmed, output: .confirmation, timeout: 5d, on_timeout: late, next: done }
  late: { type: fail, error: Late }
  done: { type: succeed, output: "${ .confirmation }" }
)");
  auto id = fx.start("confirm");
  auto before = fx.event_names(id).size();
  auto wrong = fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "something.else", {});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::FailedPrecondition);
  CHECK(fx.event_names(id).size() == before);
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "provisioning.confirmed",
                              {{"by", "ops"}}));
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  CHECK(inst.output == nlohmann::json{{"by", "ops"}});
  fx.clock.advance(std::chrono::hours(24 * 6));
  fx.drain();  // the cancelled timeout never fires
  CHECK(fx.instance(id).status == "completed");

  auto id2 = fx.start("confirm");
  fx.clock.advance(std::chrono::hours(24 * 5));
  fx.drain();
  CHECK(fx.instance(id2).error == "Late");
}

ENGINE_TEST("Parallel branches join, and a map respects its concurrency limit", fan_out) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: fan }
start: both
states:
  both:
    type: parallel
    branches:
      - start: a
        states: { a: { type: task, activity: work.do, input: { what: left }, end: true } }
      - start: b
        states: { b: { type: task, activity: work.do, input: { what: right }, end: true } }
    output: .pair
    next: each
  each:
    type: map
    items: ${ .things }
    max_concurrency: 2
    iterator:
      start: one
      states:
        one: { type: task, activity: work.open, input: "${ .item }", end: true }
    output: .results
    next: done
  done: { type: succeed, output: "${ {pair: (.pair | length), results: (.results | map(.echo))} }" }
)");
  auto id = fx.start("fan", {{"things", {1, 2, 3, 4, 5}}});
  fx.worker_->run_due();  // both branches in one pass
  CHECK(fx.system.calls("work.do") == 2);
  fx.worker_->run_due();  // the map's first two iterations
  CHECK(fx.system.calls("work.open") == 2);
  fx.drain();
  auto inst = fx.instance(id);
  REQUIRE(inst.status == "completed");
  CHECK(inst.output["pair"] == 2);
  CHECK(inst.output["results"] == nlohmann::json({1, 2, 3, 4, 5}));
}

ENGINE_TEST("A map or parallel entered again in a loop writes each round under its own keys",
            loop_rounds) {
  // Round 2 of a loop is new work: were its children named as round 1's, their writes would
  // carry round 1's idempotency keys and the external system would answer with round 1's
  // effects, so the second invoice would never be written.
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: rounds }
start: each
states:
  each:
    type: map
    items: ${ [.round, .round] }
    iterator:
      start: one
      states:
        one: { type: task, activity: work.open, input: "${ .item }", end: true }
    output: .opened
    next: both
  both:
    type: parallel
    branches:
      - start: a
        states: { a: { type: task, activity: work.do, input: "${ .round }", end: true } }
    next: count
  count:
    type: task
    activity: work.do
    input: "${ .round + 1 }"
    result: "${ .echo }"
    output: .round
    next: again
  again:
    type: choice
    choices: [{ when: "${ .round < 3 }", next: pause }]
    default: done
  pause: { type: wait, duration: 1s, next: each }
  done: { type: succeed, output: "${ .opened | map(.key) }" }
)");
  auto id = fx.start("rounds", {{"round", 1}});
  fx.drain();
  fx.clock.advance(1s);
  fx.drain();
  auto inst = fx.instance(id);
  REQUIRE(inst.status == "completed");
  CHECK(fx.system.writes("work.open") == 4);  // two items in each of two rounds
  CHECK(fx.system.writes("work.do") == 4);    // the parallel's branch and the count, twice
  const auto& keys = inst.output;
  REQUIRE(keys.size() == 2);
  // A key is instance/frame/state#occurrence; the map's frames hang under the root frame.
  const std::string round2 = id + "/" + std::string("root") + "/each#2.";
  CHECK(keys[0].get<std::string>().find(round2 + "0/one#1") == 0);
  CHECK(keys[1].get<std::string>().find(round2 + "1/one#1") == 0);
  // The first round's children keep the names they always had.
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  std::set<std::string> frames;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::BranchStarted)
      frames.insert(e.payload["frame"].get<std::string>());
  CHECK(frames == std::set<std::string>{"root/each.0", "root/each.1", "root/each#2.0",
                                        "root/each#2.1", "root/both.0", "root/both#2.0"});
}

ENGINE_TEST("An approval gate enforces eligibility, separation of duties, digest and quorum",
            approvals) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gated }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance, count: 2 }]
    quorum: 2
    on_reject: stopped
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
  stopped: { type: fail, error: Rejected }
)");
  auto id =
      fx.start("gated", {{"amount", 120000}, {"customer", "acme"}}, {"", "alice", "", "default"});
  fx.drain();
  CHECK(fx.system.calls("money.charge") == 0);
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  std::string digest;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ApprovalRequested)
      digest = e.payload["digest"];
  REQUIRE(digest.size() == 64);
  using covenant::engine::model::ApprovalInput;
  auto by_starter = fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "alice", {"finance"}, true, "", digest, "", ""});
  CHECK(by_starter.error().code == ErrorCode::PermissionDenied);
  auto wrong_role = fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "bob", {"sales"}, true, "", digest, "", ""});
  CHECK(wrong_role.error().code == ErrorCode::PermissionDenied);
  auto stale = fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "bob", {"finance"}, true, "", std::string(64, '0'), "", ""});
  CHECK(stale.error().code == ErrorCode::FailedPrecondition);
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "bob", {"finance"}, true, "ok", digest, "", ""}));
  auto twice = fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "bob", {"finance"}, true, "", digest, "", ""});
  CHECK(twice.error().code == ErrorCode::Conflict);
  fx.drain();
  CHECK(fx.system.calls("money.charge") == 0);  // quorum 2: one is not enough
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      ApprovalInput{"gate", "carol", {"finance"}, true, "", digest, "", ""}));
  fx.drain();
  CHECK(fx.system.writes("money.charge") == 1);
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalDecided") == 2);
  CHECK(std::count(names.begin(), names.end(), "ApprovalGranted") == 1);
  CHECK(std::count(names.begin(), names.end(), "WritebackCommitted") == 1);
  CHECK(fx.instance(id).status == "completed");
}

ENGINE_TEST("An approval that times out escalates, then expires", approval_timeout) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: slow-gate }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    timeout: 48h
    on_timeout: { escalate_to: { role: cfo, timeout: 24h } }
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: 1, customer: c }, next: done }
  done: { type: succeed }
)");
  auto id = fx.start("slow-gate", {{"amount", 5}});
  fx.clock.advance(48h);
  fx.drain();
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalEscalated") == 1);
  CHECK(fx.instance(id).status == "running");
  fx.clock.advance(24h);
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "failed");
  CHECK(inst.error == "ApprovalExpired");
  CHECK(fx.system.calls("money.charge") == 0);
}

ENGINE_TEST("Cancelling stops the instance and drops its pending work", cancels) {
  fx.deploy(seven_steps("to-cancel"));
  auto id = fx.start("to-cancel");
  REQUIRE(
      fx.runtime_->cancel(covenant::engine::store::Scope::all(), id, "customer withdrew", "ops"));
  fx.drain();
  CHECK(fx.system.calls("work.do") == 0);
  auto inst = fx.instance(id);
  CHECK(inst.status == "cancelled");
  auto again = fx.runtime_->cancel(covenant::engine::store::Scope::all(), id, "again", "ops");
  CHECK(again.error().code == ErrorCode::FailedPrecondition);
}

ENGINE_TEST("A failed workflow runs its compensations, last completed first", compensations) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: saga }
start: a
states:
  a: { type: task, activity: work.do, compensate: { activity: work.open, input: { undo: a } }, next: b }
  b: { type: task, activity: work.do, compensate: { activity: work.open, input: { undo: b } }, next: c }
  c: { type: task, activity: work.open, input: { boom: true }, next: done }
  done: { type: succeed }
)");
  fx.system.fail_next("work.open", 1, "Broken", false);  // c fails; the compensations succeed
  auto id = fx.start("saga");
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "failed");
  CHECK(inst.error == "Broken");
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  std::vector<std::string> undone;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::CompensationScheduled)
      undone.push_back(e.payload["activity"]);
  CHECK(undone.size() == 2);
  CHECK(fx.system.calls("work.open") == 3);  // the failing call and two compensations
}

ENGINE_TEST("Running instances stay on the version they started with", versions) {
  std::string v1 = seven_steps("versioned");
  auto d1 = fx.deploy(v1);
  auto id1 = fx.start("versioned");
  std::string v2 = v1;
  v2.replace(v2.find("next: done"), 10, "next: extra");
  v2 += "  extra: { type: task, activity: work.open, next: done }\n";
  auto d2 = fx.deploy(v2);
  CHECK(d1 != d2);
  CHECK(fx.deploy(v1) == d1);  // redeploying the same definition is a no-op
  auto id2 = fx.start("versioned");
  fx.drain();
  CHECK(fx.instance(id1).digest == d1);
  CHECK(fx.instance(id2).digest == d2);
  CHECK(fx.system.calls("work.open") == 1);
  auto defs = fx.store_->definitions.all("default");
  REQUIRE(defs);
  CHECK(defs->size() == 2);
  CHECK(defs->back().version == 2);
}

ENGINE_TEST("History rows cannot be updated or deleted", append_only) {
  fx.deploy(seven_steps("audited"));
  auto id = fx.start("audited");
  auto attempt = [&](const std::string& sql) {
    auto tx = fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    soci::statement st = ((*tx)->sql().prepare << sql);
    st.execute(true);
  };
  CHECK_THROWS_WITH(attempt("UPDATE history SET events = '[]' WHERE instance_id = '" + id + "'"),
                    Catch::Contains("append-only"));
  CHECK_THROWS_WITH(attempt("DELETE FROM history WHERE instance_id = '" + id + "'"),
                    Catch::Contains("append-only"));
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  CHECK_FALSE(verify_chain(*h));
}

ENGINE_TEST("Bad requests get clear errors and change nothing", bad_input) {
  fx.deploy(seven_steps("real"));
  auto unknown = fx.runtime_->start("no-such-workflow", nlohmann::json::object(), {});
  CHECK(unknown.error().code == ErrorCode::NotFound);
  CHECK(unknown.error().message.find("no-such-workflow") != std::string::npos);
  auto not_object = fx.runtime_->start("real", nlohmann::json::array({1, 2}), {});
  CHECK(not_object.error().code == ErrorCode::InvalidArgument);
  auto missing = fx.runtime_->signal(covenant::engine::store::Scope::all(), "inst-nope", "x", {});
  CHECK(missing.error().code == ErrorCode::NotFound);
  auto none = fx.store_->instances.find(covenant::engine::store::Scope::all(), {});
  REQUIRE(none);
  CHECK(none->empty());
}

ENGINE_TEST("A repeated start with the same key returns the same instance", idempotent_start) {
  fx.deploy(seven_steps("once"));
  covenant::engine::runtime::StartOptions opts{"c-1", "alice", "start-key-1", "default"};
  auto a = fx.runtime_->start("once", nlohmann::json::object(), opts);
  auto b = fx.runtime_->start("once", nlohmann::json::object(), opts);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->id == b->id);
  CHECK_FALSE(a->replayed);
  CHECK(b->replayed);
  auto all = fx.store_->instances.find(covenant::engine::store::Scope::all(), {});
  CHECK(all->size() == 1);
}

ENGINE_TEST("A worker that dies after the external call does not write twice", crash_after_call) {
  fx.deploy(seven_steps("crashy"));
  auto id = fx.start("crashy");
  // The first pass claims s1 and performs it, then "dies" before reporting: drop everything.
  auto tasks =
      fx.store_->work.claim("doomed", covenant::engine::to_micros(fx.clock.now()), 30'000'000, 1);
  REQUIRE(tasks->size() == 1);
  fx.system.execute(
      {tasks->front().activity, tasks->front().input, tasks->front().key, 1, id, {}, "default"});
  fx.reopen();
  fx.drain();
  CHECK(fx.system.calls("work.do") == 1);  // nothing runs until the lease expires
  fx.clock.advance(31s);
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  CHECK(fx.system.writes("work.do") == 7);  // s1 called twice, written once
  CHECK(fx.system.calls("work.do") == 8);
}

ENGINE_TEST("Data changed after approval blocks the writeback and asks again", writeback_blocked) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: drift }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: object }
    approvers: [{ role: finance }]
    next: reprice
  reprice: { type: task, activity: work.open, output: .amount, next: charge }
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: acme }, next: done }
  done: { type: succeed }
)");
  auto id = fx.start("drift", {{"amount", {{"minor", 100}}}}, {"", "alice", "", "default"});
  auto digest_of_latest_request = [&] {
    std::string d;
    auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
    for (const auto& e : *h)
      if (e.type == covenant::engine::history::EventType::ApprovalRequested)
        d = e.payload["digest"];
    return d;
  };
  std::string first = digest_of_latest_request();
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      covenant::engine::model::ApprovalInput{"gate", "bob", {"finance"}, true, "", first, "", ""}));
  fx.drain();                                   // reprice changes .amount after the approval
  CHECK(fx.system.calls("money.charge") == 0);  // nothing reached billing
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "WritebackBlocked") == 1);
  CHECK(std::count(names.begin(), names.end(), "ApprovalRequested") == 2);
  auto inst = fx.instance(id);
  CHECK(inst.status == "running");
  CHECK(inst.frames.at("root").state == "gate");
  CHECK(digest_of_latest_request() != first);  // the new request shows the new data
}

namespace {

constexpr const char* kPolicyGate = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: policy-gate }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: money }
      customer: { from: "${ .customer }", type: id }
      exceptions: { from: "${ .exceptions }", type: list }
    approvers:
      - policy: small standard charges
        when: "${ .amount.amount_minor <= 500000 and .amount.currency == \"USD\" and (.exceptions | length) == 0 }"
      - { role: finance }
    on_invalid: fix
    next: charge
  fix: { type: wait, event: fixed, output: .amount, next: gate }
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

}  // namespace

ENGINE_TEST("A policy grants the gate when its condition holds on the subject, recorded as such",
            policy_grant) {
  fx.deploy(kPolicyGate);
  auto small = fx.start("policy-gate",
                        {{"amount", {{"amount_minor", 450000}, {"currency", "USD"}}},
                         {"customer", "acme"},
                         {"exceptions", json::array()}},
                        {"", "alice", "", "default"});
  fx.drain();
  CHECK(fx.instance(small).status == "completed");
  CHECK(fx.system.writes("money.charge") == 1);
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), small);
  REQUIRE(h);
  bool decided = false, granted = false;
  for (const auto& e : *h) {
    if (e.type == covenant::engine::history::EventType::ApprovalDecided) {
      decided = true;
      CHECK(e.payload["approver"] == "policy:small standard charges");
      CHECK(e.payload["condition"].get<std::string>().find("500000") != std::string::npos);
      CHECK(e.payload["inputs"][".amount.amount_minor"] == 450000);
      CHECK(e.payload["digest"].get<std::string>().size() == 64);
    }
    if (e.type == covenant::engine::history::EventType::ApprovalGranted) {
      granted = true;
      CHECK(e.payload["by_policy"] == "small standard charges");
    }
  }
  CHECK(decided);
  CHECK(granted);
  // Above the amount, or with an exception, people decide.
  auto large = fx.start("policy-gate",
                        {{"amount", {{"amount_minor", 900000}, {"currency", "USD"}}},
                         {"customer", "acme"},
                         {"exceptions", json::array()}},
                        {"", "alice", "", "default"});
  auto excepted = fx.start("policy-gate",
                           {{"amount", {{"amount_minor", 100}, {"currency", "USD"}}},
                            {"customer", "acme"},
                            {"exceptions", json::array({"discount over 30%"})}},
                           {"", "alice", "", "default"});
  fx.drain();
  for (const auto& id : {large, excepted}) {
    auto inst = fx.instance(id);
    CHECK(inst.status == "running");
    CHECK(inst.frames.at("root").state == "gate");
  }
  CHECK(fx.system.writes("money.charge") == 1);
}

ENGINE_TEST("A subject that does not conform goes to on_invalid, and a policy never grants on it",
            subject_invalid) {
  fx.deploy(kPolicyGate);
  // No currency: not money. The policy's condition would hold on the number alone.
  auto id = fx.start(
      "policy-gate",
      {{"amount", {{"amount_minor", 100}}}, {"customer", "acme"}, {"exceptions", json::array()}},
      {"", "alice", "", "default"});
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.frames.at("root").state == "fix");
  CHECK(fx.system.writes("money.charge") == 0);
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "SubjectRejected") == 1);
  CHECK(std::count(names.begin(), names.end(), "ApprovalRequested") == 0);
  // RevOps corrects it; the gate opens on the corrected data and the policy grants.
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "fixed",
                              {{"amount_minor", 100}, {"currency", "USD"}}, "rita"));
  fx.drain();
  CHECK(fx.instance(id).status == "completed");
  CHECK(fx.system.writes("money.charge") == 1);
}

ENGINE_TEST(
    "When no approver rule holds on the subject, the gate opens only to its escalation role",
    escalate_at_opening) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: escalating }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: money, required: false }
      customer: { from: "${ .customer }", type: id }
    approvers:
      - { role: billing_ops, when: "${ .amount.amount_minor <= 500000 }" }
    timeout: 48h
    on_timeout:
      escalate_to: { role: cfo, timeout: 24h }
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)");
  auto id = fx.start("escalating", {{"customer", "acme"}}, {"", "alice", "", "default"});
  fx.drain();
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  bool escalated = false;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ApprovalEscalated) {
      escalated = true;
      CHECK(e.payload["role"] == "cfo");
      CHECK(e.payload["reason"] == "no approver rule applies");
    }
  CHECK(escalated);
  auto gate = fx.instance(id).frames.at("root").gate;
  REQUIRE(gate);
  CHECK(gate->rules == std::vector<covenant::engine::model::GateRule>{{"cfo", 1}});
  CHECK(gate->escalated);
  // billing_ops, whose rule read the missing amount, cannot decide; the cfo can.
  auto digest = gate->digest;
  auto ops =
      fx.runtime_->decide_approval(covenant::engine::store::Scope::all(), id,
                                   covenant::engine::model::ApprovalInput{
                                       "gate", "olga", {"billing_ops"}, true, "", digest, "", ""});
  CHECK(ops.error().code == ErrorCode::PermissionDenied);
  REQUIRE(fx.runtime_->decide_approval(
      covenant::engine::store::Scope::all(), id,
      covenant::engine::model::ApprovalInput{"gate", "cleo", {"cfo"}, true, "", digest, "", ""}));
  fx.drain();
  CHECK(fx.system.writes("money.charge") == 1);
}

// The decoded-instance cache hands out an entry only for the version the locked row holds
// (a stale one is dropped, never decided on), hands each out once, and keeps at most its
// capacity, the least recently kept going first.
TEST_CASE("The instance cache serves only the stored version, once, within its capacity") {
  covenant::engine::runtime::InstanceCache cache(2);
  auto inst = [](const std::string& id, std::int64_t version) {
    covenant::engine::model::Instance i;
    i.id = id;
    i.version = version;
    return i;
  };
  cache.put(inst("a", 3));
  CHECK_FALSE(cache.take("a", 4));  // the row moved on: the entry is stale
  CHECK_FALSE(cache.holds("a"));    // and was dropped
  cache.put(inst("a", 4));
  auto a = cache.take("a", 4);
  REQUIRE(a);
  CHECK(a->version == 4);
  CHECK_FALSE(cache.take("a", 4));  // taken: a second transition reads the row
  cache.put(inst("a", 5));
  cache.put(inst("b", 1));
  cache.put(inst("c", 1));  // over capacity: "a" was kept longest ago
  CHECK_FALSE(cache.holds("a"));
  CHECK(cache.holds("b"));
  CHECK(cache.holds("c"));
}
