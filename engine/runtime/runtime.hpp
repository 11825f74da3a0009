// Runtime: the transactional shell around decide(). Every entry point (a start, a bulk start,
// an activity's outcome, a worker's batch of outcomes, a timer, an event, a cancellation, an
// approval decision) is a unit of work carried by one function, transact: lock the instances
// it touches → decide each transition → seal its events (numbered and hash-chained) → stage
// every write in one store::WriteBatch → flush → commit. If any step fails, the transaction
// rolls back and nothing partial is stored; lost races (busy, serialization, version) are
// retried a few times; a bug in deciding is caught at its one exception boundary; metrics are
// counted and workers woken in one place, after the commit.
// Thread-safe: any number of threads may call it at once.
#pragma once

#include "engine/activity_executor.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/metrics.hpp"
#include "engine/runtime/decide.hpp"
#include "engine/runtime/instance_cache.hpp"
#include "engine/runtime/side_records.hpp"
#include "engine/store/store.hpp"

#include <functional>
#include <memory>
#include <mutex>

namespace covenant::engine::runtime {

struct StartOptions {
  std::string business_key;  // e.g. the contract id
  std::string started_by;    // the principal; separation of duties keeps them from approving
  std::string start_key;     // idempotency: a repeated start with the same key returns the same id
  std::string ns = "default";
  // A business key names one running instance per workflow: a start under a key a running
  // instance holds is refused (Conflict, naming it) unless this is set.
  bool allow_duplicate_business_key = false;
};

// What start did: the instance's id, and whether it was started before under the same
// start key (a replay: nothing new was written).
struct Started {
  std::string id;
  bool replayed = false;
};

class Runtime {
 public:
  // `metrics` (optional, not owned) counts transitions and recorded events.
  Runtime(store::Store& store, const Clock& clock, IdSource& ids, Metrics* metrics = nullptr);

  // Starts the latest version of `workflow`.
  // Errors: NotFound (no such workflow), InvalidArgument (input not a JSON object, or nested
  // past workflows::kMaxJsonDepth).
  Result<Started> start(const std::string& workflow, const nlohmann::json& input,
                        const StartOptions& opts);
  // Starts one instance of the latest version of `workflow` per input, in one transaction
  // (a bulk start: imports, renewal sweeps). All or nothing. `opts.start_key` must be empty
  // (a key names one instance). Returns the ids in input order. Errors as start.
  Result<std::vector<std::string>> start_many(const std::string& workflow,
                                              const std::vector<nlohmann::json>& inputs,
                                              const StartOptions& opts);
  // `by`: the principal sending it (recorded; they may not approve this instance after).
  // `corrections`: what a person corrected in the payload's data (a review), recorded as
  // ValueCorrected events: [{field, old, new, reason, evidence}].
  // Operations on an instance by id act only inside `scope` (the caller's namespace; the
  // engine's own callers pass Scope::all()): an instance outside it is NotFound.
  Result<void> signal(const store::Scope& scope, const std::string& id, const std::string& event,
                      const nlohmann::json& payload, const std::string& by = "",
                      const nlohmann::json& corrections = nullptr);
  // The same, with every field of the input (a fence on the waiting state's occurrence).
  Result<void> signal(const store::Scope& scope, const std::string& id, const SignalInput& in);
  Result<void> cancel(const store::Scope& scope, const std::string& id, const std::string& reason,
                      const std::string& by);
  // `before` runs first in the transaction (return false to skip the decision: e.g. a
  // repeated decision id); `after` runs once the decision is written, before the commit.
  Result<void> decide_approval(
      const store::Scope& scope, const std::string& id, const ApprovalInput& in,
      const std::function<Result<bool>(store::Tx&)>& before = {},
      const std::function<Result<void>(store::Tx&, const Instance&)>& after = {});

  // Moves a running instance to version `to` (covenant migrate): `in` names the version it
  // must be on and the state map; its pending timers are read in the transaction. Errors:
  // FailedPrecondition (it cannot move now, and why: Decider::migrate), NotFound.
  Result<void> migrate(const store::Scope& scope, const std::string& id, MigrateInput in,
                       std::shared_ptr<const workflows::CompiledWorkflow> to);
  // Runs a failed instance's failed step again (fix and retry), its input edited or not: the
  // instance is rebuilt from its history as it was before the failure and goes on running.
  // Errors: FailedPrecondition (it is not failed at a step, its writes were compensated,
  // another running instance holds its business key now, a financial step's input edited).
  Result<void> retry_step(const store::Scope& scope, const std::string& id,
                          const RetryStepInput& in);

  // Fires a due timer exactly once (a timer already fired or cancelled is skipped).
  Result<void> fire_timer(const store::TimerRow& t);
  // Records a task attempt's outcome: its effect (when ok, by idempotency key), the task done,
  // and the transition, in one transaction.
  Result<void> complete_task(const store::TaskRow& t, const ActivityResult& r);

  // Records many task attempts' outcomes in one transaction (group commit): the instances
  // are locked together, each outcome is decided in order, and the writes go out one
  // statement per table (store::WriteBatch). The result is the same as complete_task on each
  // in turn; if the batch cannot commit as a whole (a race, a bug in one decision), each
  // outcome is recorded in its own transaction instead, so one bad task never holds back
  // the others. With `lease`, the new tasks due now go straight to that worker (up to
  // lease->max; store::EagerLease) and come back in `leased`, for it to run without a claim.
  struct Completion {
    store::TaskRow task;
    ActivityResult result;
  };
  struct Completed {
    int failed = 0;                      // outcomes not recorded (logged to stderr)
    std::vector<store::TaskRow> leased;  // new tasks leased to the worker
    bool left_ready = false;  // new tasks due now were left for claiming (no room, or no batch)
  };
  Completed complete_tasks(const std::vector<Completion>& batch,
                           const store::EagerLease* lease = nullptr);

  // `fn` is called after every commit that added tasks or timers, so in-process workers
  // wake at once instead of at their next poll. Returns an id for remove_new_work_listener.
  int add_new_work_listener(std::function<void()> fn);
  void remove_new_work_listener(int id);

  // The compiled workflow of a stored definition version (cached). Inside a transaction,
  // pass it: reading through a second session could wait on the pool.
  Result<std::shared_ptr<const workflows::CompiledWorkflow>> workflow(const std::string& ns,
                                                                      const std::string& digest,
                                                                      store::Tx* tx = nullptr);

  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  Metrics* metrics() { return metrics_; }

 private:
  // One transition of a unit of work: an input for an instance (or for a new one: a start).
  struct Step {
    Step(std::string id, Input in, const store::TaskRow* t = nullptr)
        : instance_id(std::move(id)), input(std::move(in)), task(t) {}
    std::string instance_id;  // "" for a start
    Input input;
    // An activity's outcome: its task is closed under its fence (WorkQueue::finish) and,
    // when ok, its effect recorded, with the transition.
    const store::TaskRow* task = nullptr;
    // Runs first for this step, inside the transaction; false skips it (a timer fired by
    // someone else, a repeated decision id).
    std::function<Result<bool>(store::Tx&)> before;
    // Runs once the step's transition is staged, before the commit.
    std::function<Result<void>(store::Tx&, const Instance&)> after;
    // Decides with this version instead of the instance's own (a migration's target).
    std::shared_ptr<const workflows::CompiledWorkflow> decide_with;
    // Runs on the locked instance and the input just before deciding (a retried step
    // restores the instance from before its failure; a migration reads its timers).
    std::function<Result<void>(store::Tx&, Instance&, Input&)> prepare;
    // What came of it, set by transact: a start's new instance, a late outcome.
    std::string started;
    bool late = false;
  };
  // Transitions committed together or not at all.
  struct Unit {
    std::vector<Step> steps;
    // Starts: the compiled workflow every start step runs, and their options.
    std::shared_ptr<const workflows::CompiledWorkflow> workflow;
    const StartOptions* start = nullptr;
    // New tasks due now go to this worker (store::EagerLease).
    const store::EagerLease* lease = nullptr;
    // An instance that is gone makes its step moot (a task outcome) instead of NotFound.
    bool missing_is_moot = false;
    // Whose instances the unit may touch: a start's namespace; every namespace for the
    // engine's own steps (outcomes, timers). An instance outside it is not found.
    store::Scope scope = store::Scope::all();
  };
  struct Committed {
    std::string replayed;  // a start key started this instance before: nothing was written
    std::vector<store::TaskRow> leased;
    bool left_ready = false;
    bool wake = false;  // work was added that others may take
    int transitions = 0;
    std::vector<history::EventType> events;
    std::map<std::string, Metrics::NamespaceWork> by_ns;  // for /metrics
  };
  // The one unit-of-work function: lock → decide → seal → stage → flush → commit, retried
  // on lost races (Unavailable, Conflict) up to kAttempts times.
  Result<Committed> transact(Unit& u);
  Result<Committed> transact_once(Unit& u);
  // One step on an existing instance, in a unit of its own.
  Result<void> advance(const store::Scope& scope, const std::string& id, const Input& in,
                       const std::function<Result<bool>(store::Tx&)>& before = {},
                       const std::function<Result<void>(store::Tx&, const Instance&)>& after = {});
  // Numbers and chains `d`'s events (their payloads move into `out`).
  void seal(Instance& inst, Decision& d, std::int64_t now_us,
            std::vector<history::Event>& out) const;
  // An outcome that failed its fence (WorkQueue::finish): logged, counted, dropped.
  void late(const store::TaskRow& t);
  std::unique_ptr<workflows::JqEvaluator> borrow_jq();
  void give_back(std::unique_ptr<workflows::JqEvaluator> jq);
  // A jq evaluator from the pool for a scope (given back when it ends).
  class JqLease {
   public:
    explicit JqLease(Runtime& rt) : rt_(rt), jq_(rt.borrow_jq()) {}
    ~JqLease() { rt_.give_back(std::move(jq_)); }
    JqLease(const JqLease&) = delete;
    JqLease& operator=(const JqLease&) = delete;
    workflows::JqEvaluator& operator*() { return *jq_; }

   private:
    Runtime& rt_;
    std::unique_ptr<workflows::JqEvaluator> jq_;
  };
  // The compiled latest version of `name`; NotFound when none is deployed.
  Result<std::shared_ptr<const workflows::CompiledWorkflow>> latest_workflow(
      const std::string& ns, const std::string& name);
  Instance new_instance(const std::string& workflow_name, const std::string& digest,
                        const StartOptions& opts, std::int64_t now_us);

  void woke(bool new_work);

  // Decoded instances between transitions (used only while their version is the stored one).
  static constexpr std::size_t kCachedInstances = 1024;
  InstanceCache cache_{kCachedInstances};
  store::Store& store_;
  const Clock& clock_;
  IdSource& ids_;
  Metrics* metrics_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const workflows::CompiledWorkflow>>
      workflows_;                                                 // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<workflows::JqEvaluator>> jq_pool_;  // GUARDED_BY(mu_)
  std::map<int, std::function<void()>> new_work_listeners_;       // GUARDED_BY(mu_)
  int next_listener_ = 1;                                         // GUARDED_BY(mu_)
};

}  // namespace covenant::engine::runtime
