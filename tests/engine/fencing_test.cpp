// Fencing (WorkQueue::finish): a worker that outlives its lease — frozen, paused, cut off
// from the database — must not record its late outcome over the attempt another worker now
// holds. Issue 16's finding: worker A froze past its lease, B re-ran the attempt, it failed
// and scheduled attempt 2; A's late outcome then closed the row holding B's retry and the
// instance stayed `running` with nothing left to run, forever. Each case is tried on the
// per-row path (complete_task) and on the batch path (complete_tasks; on PostgreSQL the
// combined statement), on SQLite and PostgreSQL.
#include "engine/scheduler/sweeper.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;
using namespace std::chrono_literals;

constexpr const char* kRetried = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: fenced }
start: call
states:
  call:
    type: task
    activity: work.do
    output: .call
    retry: { max_attempts: 3, initial_interval: 1s, jitter: 0 }
    next: done
  done: { type: succeed }
)";

constexpr std::int64_t kLeaseUs = 30'000'000;

std::vector<ce::store::TaskRow> claim_as(EngineFixture& fx, const std::string& worker) {
  auto t = fx.store_->work.claim(worker, ce::to_micros(fx.clock.now()), kLeaseUs, 10);
  REQUIRE(t);
  return *t;
}

// Records one outcome on the chosen path.
void record_outcome(EngineFixture& fx, bool batch, const ce::store::TaskRow& t,
                    const ce::ActivityResult& r) {
  if (batch)
    REQUIRE(fx.runtime_->complete_tasks({{t, r}}).failed == 0);
  else
    REQUIRE(fx.runtime_->complete_task(t, r));
}

int count(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<int>(std::count(names.begin(), names.end(), name));
}

void late_outcome_after_a_retry(EngineFixture& fx, bool batch) {
  fx.deploy(kRetried);
  auto id = fx.start("fenced");
  auto a = claim_as(fx, "worker-a");
  REQUIRE(a.size() == 1);
  fx.clock.advance(31s);  // A is frozen past its lease
  auto b = claim_as(fx, "worker-b");
  REQUIRE(b.size() == 1);  // B takes the expired lease over
  CHECK(b[0].attempt == 1);
  record_outcome(fx, batch, b[0], ce::ActivityResult::failure("Unavailable", "down", true));
  // A resumes: its success for attempt 1 is late, and attempt 2 now holds the row.
  record_outcome(fx, batch, a[0], ce::ActivityResult::success({{"from", "a"}}));
  CHECK(fx.metrics.late_outcomes() == 1);
  auto names = fx.event_names(id);
  CHECK(count(names, "ActivityCompleted") == 0);
  CHECK(count(names, "RetryScheduled") == 1);
  // Attempt 2 is still there to run: the instance is not stranded.
  fx.clock.advance(2s);
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  CHECK(fx.system.calls("work.do") == 1);  // attempt 2, by the fixture's worker
}

void late_outcome_of_a_taken_over_attempt(EngineFixture& fx, bool batch) {
  fx.deploy(kRetried);
  auto id = fx.start("fenced");
  auto a = claim_as(fx, "worker-a");
  fx.clock.advance(31s);
  auto b = claim_as(fx, "worker-b");
  REQUIRE(b.size() == 1);
  // A answers first, but the attempt is B's now: A's outcome is dropped, B's counts.
  record_outcome(fx, batch, a[0], ce::ActivityResult::success({{"from", "a"}}));
  CHECK(fx.metrics.late_outcomes() == 1);
  CHECK(fx.instance(id).status == "running");
  record_outcome(fx, batch, b[0], ce::ActivityResult::success({{"from", "b"}}));
  auto inst = fx.instance(id);
  CHECK(inst.status == "completed");
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  for (const auto& e : *h)
    if (e.type == ce::history::EventType::ActivityCompleted)
      CHECK(e.payload.dump().find(R"("from":"b")") != std::string::npos);
  CHECK(count(fx.event_names(id), "ActivityCompleted") == 1);
  // And a replay of B's outcome (a worker retrying its commit) is late too: once only.
  record_outcome(fx, batch, b[0], ce::ActivityResult::success({{"from", "b"}}));
  CHECK(count(fx.event_names(id), "ActivityCompleted") == 1);
}

}  // namespace

ENGINE_TEST("A late outcome never closes the retry another worker scheduled (one by one)",
            fencing_retry_row) {
  late_outcome_after_a_retry(fx, false);
}

ENGINE_TEST("A late outcome never closes the retry another worker scheduled (batched)",
            fencing_retry_batch) {
  late_outcome_after_a_retry(fx, true);
}

ENGINE_TEST("The outcome of an attempt whose lease was taken over is dropped (one by one)",
            fencing_takeover_row) {
  late_outcome_of_a_taken_over_attempt(fx, false);
}

ENGINE_TEST("The outcome of an attempt whose lease was taken over is dropped (batched)",
            fencing_takeover_batch) {
  late_outcome_of_a_taken_over_attempt(fx, true);
}

// The sweeper finds what fencing now prevents, should anything else ever strand an instance:
// running with no task, timer, approval or awaited event.
ENGINE_TEST("The sweeper finds a stranded instance, once, and leaves waiting ones alone",
            sweeper_stranded) {
  fx.deploy(kRetried);
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: waits }
start: pause
states:
  pause: { type: wait, event: go, next: done }
  done: { type: succeed }
)");
  auto stuck = fx.start("fenced");
  auto waiting = fx.start("waits");
  auto busy = fx.start("fenced");
  // What the unfenced write did: the row of the only task closed under the instance.
  {
    auto tx = fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    (*tx)->sql() << "UPDATE tasks SET status = 'done' WHERE instance_id = :i", soci::use(stuck);
    REQUIRE((*tx)->commit());
  }
  auto found = ce::scheduler::find_stranded(*fx.store_);
  REQUIRE(found);
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].instance.id == stuck);
  CHECK_FALSE((*found)[0].last_events.empty());
  CHECK((*found)[0].last_events.back().seq == fx.instance(stuck).next_seq - 1);
  ce::scheduler::Sweeper sweeper(*fx.store_, &fx.metrics);
  auto now = ce::to_micros(fx.clock.now());
  REQUIRE(sweeper.sweep(now) == 1);
  CHECK(fx.metrics.stranded() == 1);
  REQUIRE(sweeper.sweep(now) == 1);  // still stranded: counted, not announced again
  auto announced = fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), stuck);
  REQUIRE(announced);
  CHECK(std::count_if(announced->begin(), announced->end(),
                      [](const auto& r) { return r.topic == "instance.stranded"; }) == 1);
  for (const auto& id : {waiting, busy}) {
    auto rows = fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), id);
    REQUIRE(rows);
    for (const auto& r : *rows) CHECK(r.topic != "instance.stranded");
  }
}

// Heartbeats (WorkQueue::extend_leases): a worker extends only the leases it holds, and never
// waits on a task row another transaction holds — that transaction is closing the task or
// taking its expired lease over. Found by the 100,000-parked benchmark on PostgreSQL: a heartbeat
// extending its tasks row by row deadlocked with a batch of outcomes closing the same tasks in
// another order.
namespace {

void heartbeat_extends_own_leases(EngineFixture& fx) {
  fx.deploy(kRetried);
  fx.start("fenced");
  fx.start("fenced");
  auto now = ce::to_micros(fx.clock.now());
  auto a = fx.store_->work.claim("worker-a", now, kLeaseUs, 1);
  auto b = fx.store_->work.claim("worker-b", now, kLeaseUs, 1);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a->size() == 1);
  REQUIRE(b->size() == 1);
  const auto& ta = a->front();
  const auto& tb = b->front();
  // worker-a names both tasks: only its own is extended.
  REQUIRE(fx.store_->work.extend_leases(
      "worker-a", {{ta.id, ta.instance_id}, {tb.id, tb.instance_id}}, now + 3 * kLeaseUs));
  fx.clock.advance(31s);  // past the first leases, within a's extended one
  auto c = claim_as(fx, "worker-c");
  REQUIRE(c.size() == 1);
  CHECK(c[0].id == tb.id);  // b's lease expired and was taken over; a's held
  // A heartbeat for tasks that are gone (closed) or no longer its own is not an error.
  REQUIRE(fx.store_->work.extend_leases("worker-b", {{tb.id, tb.instance_id}},
                                        ce::to_micros(fx.clock.now()) + kLeaseUs));
  fx.clock.advance(31s);
  CHECK(claim_as(fx, "worker-d").size() == 1);  // c's lease was not extended by b
}

void heartbeat_passes_over_rows_being_closed(EngineFixture& fx) {
  fx.deploy(kRetried);
  fx.start("fenced");
  fx.start("fenced");
  auto tasks = claim_as(fx, "worker-a");
  REQUIRE(tasks.size() == 2);
  auto now = ce::to_micros(fx.clock.now());
  {
    // Another transaction is closing the first task (its outcome being recorded) and has not
    // committed yet. SQLite has one writer: the heartbeat cannot run beside it there.
    if (fx.store_->dialect().backend() != ce::store::Backend::Postgres) return;
    auto closing = fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(closing);
    auto closed = fx.store_->work.finish(**closing, {&tasks[0]});
    REQUIRE(closed);
    REQUIRE(closed->size() == 1);
    auto beat = fx.store_->work.extend_leases(
        "worker-a", {{tasks[0].id, tasks[0].instance_id}, {tasks[1].id, tasks[1].instance_id}},
        now + 3 * kLeaseUs);
    INFO((beat ? std::string("ok") : beat.error().message));
    // Waiting for the row would have ended in the heartbeat's lock timeout (an error), or in
    // a deadlock had the closing transaction then needed a row the heartbeat held.
    REQUIRE(beat);
  }  // the closing transaction rolls back: the first task is leased again, not extended
  fx.clock.advance(31s);
  auto after = claim_as(fx, "worker-b");
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == tasks[0].id);  // the second task's lease was extended; the first not
}

}  // namespace

ENGINE_TEST("A heartbeat extends the leases its worker holds, and only those",
            heartbeat_own_leases) {
  heartbeat_extends_own_leases(fx);
}

ENGINE_TEST("A heartbeat passes over a task another transaction is closing, never waiting",
            heartbeat_skips_locked) {
  heartbeat_passes_over_rows_being_closed(fx);
}
