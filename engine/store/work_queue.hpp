// The work queue: tasks and timers (work_queue.cpp), of every namespace (the engine's own work:
// its transactions are in Scope::all()). Transitions add and cancel work through
// a WriteBatch (Store::add_work, Store::flush); workers claim, extend, finish and release here.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace covenant::engine::store {

struct TaskRow {
  std::int64_t id = 0;
  std::string key, instance_id, frame, state;
  int occurrence = 0;
  bool compensation = false;
  std::string activity;
  nlohmann::json input;
  int attempt = 1;
  std::int64_t timeout_us = 0, due_us = 0;
  // The worker holding the lease, as claimed: with `attempt`, the fence an outcome must
  // pass (WorkQueue::finish).
  std::string lease_owner;
  // A result recorded for the task while it was still live, by a version before migration 013
  // (the call succeeded, the outcome was not written): the worker passes it on instead of
  // calling again. Covenant now records a result only with the outcome that closes the task
  // (its ActivityCompleted event), so new tasks never carry one.
  std::optional<nlohmann::json> recorded;
  std::string ns;  // its instance's namespace
};

struct TimerRow {
  std::int64_t id = 0;
  std::string key, instance_id, frame, state;
  int occurrence = 0;
  std::string kind;
  std::int64_t fire_us = 0;
};

class WorkQueue {
 public:
  explicit WorkQueue(Store& db) : db_(db) {}
  // Leases up to `limit` claimable tasks (expired leases first, then ready ones in due order)
  // to `worker`. `own_partitions`: on work tables split by instance
  // (Store::partition_by_instance), the partitions this worker reads first; the whole table
  // only when they hold nothing claimable (taking over from workers that are gone or behind).
  // Ignored on tables that are not split; a partition that does not exist is InvalidArgument.
  Result<std::vector<TaskRow>> claim(const std::string& worker, std::int64_t now_us,
                                     std::int64_t lease_us, int limit,
                                     const std::vector<int>& own_partitions = {});
  // Extends the leases `worker` holds on these tasks (task id → its instance).
  Result<void> extend_leases(const std::string& worker,
                             const std::map<std::int64_t, std::string>& tasks,
                             std::int64_t until_us);
  // Makes the tasks leased by `worker` ready again: a worker starting under the name of one
  // that died takes its tasks back at once instead of after their leases expire. Returns
  // how many. Worker names must be unique among running workers.
  Result<int> release_leases(const std::string& worker);
  // Closes the tasks whose outcomes are being recorded, fenced: a row is closed only while
  // it is still leased to the task's `lease_owner` for the same `attempt`. A worker that
  // outlived its lease (frozen, paused, cut off) finds its row re-claimed or holding the next
  // attempt: its outcome is late and must be dropped. Returns the ids closed, one statement.
  Result<std::set<std::int64_t>> finish(Tx& tx, const std::vector<const TaskRow*>& tasks);
  Result<std::vector<TimerRow>> due_timers(std::int64_t now_us, int limit);
  // The pending timers of one instance, in the transaction.
  Result<std::vector<TimerRow>> timers_of(Tx& tx, const std::string& instance_id);
  // Marks a pending timer fired; false if it was fired or cancelled already.
  Result<bool> take_timer(Tx& tx, const TimerRow& timer);
  // The earliest time a task or timer is due, if any.
  Result<std::optional<std::int64_t>> next_due_us();
  // Wakes idle workers when this transaction commits (PostgreSQL NOTIFY; a no-op on SQLite;
  // work_listener.cpp).
  Result<void> notify(Tx& tx);

 private:
  void claim_from(Tx& tx, const std::string& claim, const std::string& worker, long long now,
                  long long until, int n, std::vector<TaskRow>& out);
  Store& db_;
};

}  // namespace covenant::engine::store
