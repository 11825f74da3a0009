// Group commit and eager dispatch (Runtime::complete_tasks, store::WriteBatch, Worker::run):
// a batch records exactly what one transaction per outcome records, hands the next tasks to
// the committing worker, and a worker restarted under its name takes its leases back.
#include "engine/history/hash_chain.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <algorithm>
#include <thread>

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;

constexpr const char* kThreeSteps = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: three }
start: a
states:
  a: { type: task, activity: work.open, output: .a, next: b }
  b:
    type: task
    activity: work.open
    output: .b
    retry: { max_attempts: 3, initial_interval: 1s }
    next: c
  c: { type: task, activity: work.open, output: .c, next: done }
  done: { type: succeed }
)";

// The history with the instance id left out: (type, state, payload) per event.
std::vector<std::string> shape(EngineFixture& fx, const std::string& id) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  std::vector<std::string> out;
  std::string prev;
  for (const auto& e : *h) {
    CHECK(e.prev_hash == prev);  // one unbroken chain
    CHECK(e.hash == ce::history::event_hash(e));
    prev = e.hash;
    json p = e.payload;
    // Both depend on the instance id by design: the digest of an input that carries earlier
    // results (their keys name the instance), and the retry's jitter (seeded by the key).
    if (p.is_object()) p.erase("input_digest"), p.erase("delay_us");
    std::string payload = p.dump();
    for (auto at = payload.find(id); at != std::string::npos; at = payload.find(id))
      payload.replace(at, id.size(), "ID");
    out.push_back(std::string(ce::history::name(e.type)) + " " + e.state + " " + payload);
  }
  return out;
}

std::vector<ce::store::TaskRow> claim(EngineFixture& fx, const std::string& worker, int n = 100) {
  auto t = fx.store_->work.claim(worker, ce::to_micros(fx.clock.now()), 60'000'000, n);
  REQUIRE(t);
  return *t;
}

std::vector<ce::runtime::Runtime::Completion> run_all(EngineFixture& fx,
                                                      const std::vector<ce::store::TaskRow>& ts) {
  std::vector<ce::runtime::Runtime::Completion> out;
  for (const auto& t : ts) {
    ce::ActivityCall call{t.activity, t.input, t.key, t.attempt, t.instance_id, {}, t.ns};
    out.push_back({t, fx.system.execute(call)});
  }
  return out;
}

}  // namespace

ENGINE_TEST("Outcomes recorded in one batch leave the histories one transaction each leaves",
            batch_equivalence) {
  fx.deploy(kThreeSteps);
  fx.system.fail_next("work.open", 0, "", true);
  std::vector<std::string> one_by_one, batched;
  for (int i = 0; i < 3; ++i) one_by_one.push_back(fx.start("three", {{"n", i}}));
  for (int i = 0; i < 3; ++i) batched.push_back(fx.start("three", {{"n", i}}));
  // A transient failure on the way (step b of the first claimed instance of each half).
  for (int round = 0; round < 10; ++round) {
    auto tasks = claim(fx, "w");
    if (tasks.empty()) {
      fx.clock.advance(std::chrono::seconds(2));  // the retries fall due
      tasks = claim(fx, "w");
      if (tasks.empty()) break;
    }
    std::vector<ce::runtime::Runtime::Completion> single, batch;
    for (auto& c : run_all(fx, tasks)) {
      if (c.task.state == "b" && c.task.attempt == 1 &&
          (c.task.instance_id == one_by_one[0] || c.task.instance_id == batched[0]))
        c.result = ce::ActivityResult::failure("Busy", "try again", true);
      bool first_half =
          std::find(one_by_one.begin(), one_by_one.end(), c.task.instance_id) != one_by_one.end();
      (first_half ? single : batch).push_back(std::move(c));
    }
    for (const auto& c : single) REQUIRE(fx.runtime_->complete_task(c.task, c.result));
    REQUIRE(fx.runtime_->complete_tasks(batch).failed == 0);
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(fx.instance(one_by_one[i]).status == "completed");
    CHECK(fx.instance(batched[i]).status == "completed");
    auto a = shape(fx, one_by_one[i]), b = shape(fx, batched[i]);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(a[k] == b[k]);
  }
}

ENGINE_TEST("A batch hands the tasks it schedules to the committing worker, up to its room",
            batch_eager_dispatch) {
  fx.deploy(kThreeSteps);
  for (int i = 0; i < 3; ++i) fx.start("three", {{"n", i}});
  auto first = claim(fx, "w1");
  REQUIRE(first.size() == 3);
  ce::store::EagerLease lease{"w1", 0, ce::to_micros(fx.clock.now()) + 60'000'000, 2};
  auto done = fx.runtime_->complete_tasks(run_all(fx, first), &lease);
  REQUIRE(done.failed == 0);
  REQUIRE(done.leased.size() == 2);  // room for two: the third is left ready for anyone
  for (const auto& t : done.leased) {
    CHECK(t.state == "b");
    CHECK(t.id > 0);
    CHECK(t.attempt == 1);
  }
  auto others = claim(fx, "w2");
  REQUIRE(others.size() == 1);  // not the two leased to w1
  CHECK(others[0].state == "b");
  // The leased tasks complete like claimed ones.
  REQUIRE(fx.runtime_->complete_tasks(run_all(fx, done.leased)).failed == 0);
  REQUIRE(fx.runtime_->complete_tasks(run_all(fx, others)).failed == 0);
  fx.drain();
  CHECK(fx.metrics.events(ce::history::EventType::WorkflowCompleted) == 3);
}

ENGINE_TEST("A worker restarted under its name takes back the tasks it had leased",
            batch_release_leases) {
  fx.deploy(kThreeSteps);
  fx.start("three");
  REQUIRE(claim(fx, "w1").size() == 1);
  CHECK(claim(fx, "w2").empty());  // leased for a minute
  auto released = fx.store_->work.release_leases("w1");
  REQUIRE(released);
  CHECK(*released == 1);
  CHECK(claim(fx, "w2").size() == 1);
}

ENGINE_TEST("start_many starts every instance in one transaction, and refuses a start key",
            batch_start_many) {
  fx.deploy(kThreeSteps);
  auto ids = fx.runtime_->start_many("three", {{{"n", 1}}, {{"n", 2}}, {{"n", 3}}}, {});
  REQUIRE(ids);
  REQUIRE(ids->size() == 3);
  for (const auto& id : *ids) CHECK(fx.instance(id).status == "running");
  fx.drain();
  for (const auto& id : *ids) CHECK(fx.instance(id).status == "completed");
  ce::runtime::StartOptions keyed;
  keyed.start_key = "k";
  auto refused = fx.runtime_->start_many("three", {json::object()}, keyed);
  REQUIRE(!refused);
  CHECK(refused.error().code == ce::ErrorCode::InvalidArgument);
  auto bad = fx.runtime_->start_many("three", {json::object(), json::array()}, {});
  REQUIRE(!bad);
  CHECK(bad.error().message.find("object") != std::string::npos);
  auto unknown = fx.runtime_->start_many("nope", {json::object()}, {});
  REQUIRE(!unknown);
  CHECK(unknown.error().code == ce::ErrorCode::NotFound);
}

ENGINE_TEST("The worker's pipeline runs every instance to the end, each step recorded once",
            batch_worker_pipeline) {
  fx.deploy(kThreeSteps);
  ce::scheduler::Worker worker(*fx.runtime_, fx.system, {"pipeline", 8});
  std::thread running([&] { worker.run(); });
  std::vector<json> inputs;
  for (int i = 0; i < 40; ++i) inputs.push_back({{"n", i}});
  auto ids = fx.runtime_->start_many("three", inputs, {});
  REQUIRE(ids);
  for (int i = 0; i < 2000 && fx.metrics.events(ce::history::EventType::WorkflowCompleted) < 40;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  worker.stop();
  running.join();
  CHECK(fx.metrics.events(ce::history::EventType::WorkflowCompleted) == 40);
  for (const auto& id : *ids) {
    auto events = fx.event_names(id);
    CHECK(std::count(events.begin(), events.end(), "ActivityCompleted") == 3);
    CHECK(fx.instance(id).status == "completed");
  }
  CHECK(fx.system.calls("work.open") == 120);
  CHECK(worker.counts().eager > 0);  // the later steps went without a claim
}

// A batch that must flush part-way — a branch fails and cancels the task another outcome of
// the same instance has just scheduled in the batch (WriteBatch::can_take) — still commits as
// a whole, with the cancelled task never run, instead of falling back to one transaction per
// outcome.
ENGINE_TEST("A batch whose outcome cancels work the batch scheduled commits as a whole",
            batch_reflush) {
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: split }
start: both
states:
  both:
    type: parallel
    branches:
      - start: a
        states:
          a: { type: task, activity: work.open, next: a2 }
          a2: { type: task, activity: work.open, end: true }
      - start: b
        states: { b: { type: task, activity: work.flaky, end: true } }
    next: done
  done: { type: succeed }
)");
  auto id = fx.start("split", json::object());
  fx.system.fail_next("work.flaky", 1, "Broken", false);
  auto tasks = claim(fx, "w");
  REQUIRE(tasks.size() == 2);
  auto batch = run_all(fx, tasks);
  // The success first: it schedules a2 in the batch; the failure then cancels it.
  std::sort(batch.begin(), batch.end(),
            [](const auto& x, const auto& y) { return x.result.ok && !y.result.ok; });
  REQUIRE(batch.front().result.ok);
  ce::store::EagerLease lease{"w", 0, ce::to_micros(fx.clock.now()) + 60'000'000, 8};
  auto done = fx.runtime_->complete_tasks(batch, &lease);
  CHECK(done.failed == 0);
  CHECK_FALSE(done.left_ready);  // true only when the batch fell back to one by one
  auto inst = fx.instance(id);
  CHECK(inst.status == "failed");
  fx.drain();
  CHECK(fx.system.calls("work.open") == 1);  // a2 was cancelled before anyone ran it
}
