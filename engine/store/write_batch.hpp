// WriteBatch: the rows transitions write, staged in memory and written with one statement per
// table (Store::flush, store_batch.cpp). It is the store's one write form for transitions:
// Runtime::transact stages every transition of a unit of work here — one start, many, one
// outcome or a worker's group of outcomes — so each table has one SQL form per dialect, and
// many instances' transitions share one transaction and one round trip per table. Each
// table's rows travel as one JSON array parameter that the database unpacks (json_each on
// SQLite, json_array_elements on PostgreSQL; PostgreSQL's usual batch goes as one statement).
//
// Order is kept where it matters: a flush writes instances, then history, cancellations,
// new tasks and timers, and last approval rows and webhooks, which is the order one transition
// writes them in. A decision that cancels work of an instance whose new work is still pending
// here, or that re-schedules a task key pending here, makes Store::add_work flush first, so later
// writes never overtake earlier ones. Not thread-safe: one batch belongs to one transaction on
// one thread.
#pragma once

#include "engine/history/event.hpp"
#include "engine/model/decision.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/dialect.hpp"
#include "engine/store/handoffs.hpp"
#include "engine/store/records.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace covenant::engine::store {

// One table's pending rows as the JSON text of an array of arrays.
class JsonRows {
 public:
  // Starts a row; then add fields in column order.
  JsonRows& row();
  JsonRows& add(std::string_view text);
  JsonRows& add(std::int64_t number);
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  // The array's text ("[[…],[…]]").
  std::string text() const { return text_ + "]]"; }
  void clear();

 private:
  std::string text_;
  std::size_t count_ = 0;
  bool first_field_ = true;
};

// Tasks a batch may hand straight to the worker committing it (eager dispatch): inserted as
// leased to `worker` until `until_us` instead of ready, at most `max` of them, and only those
// due by `now_us`. The worker runs them after the commit without a claim; if it dies, their
// leases expire and any worker claims them.
struct EagerLease {
  std::string worker;
  std::int64_t now_us = 0, until_us = 0;
  int max = 0;
};

class WriteBatch {
 public:
  WriteBatch() = default;
  explicit WriteBatch(EagerLease lease) : lease_(std::move(lease)) {}
  // `key_unique`: the instance holds its business key alone among the workflow's running
  // instances (migration 016's index refuses a second).
  void insert_instance(const model::Instance& inst, const std::string& start_key,
                       bool key_unique = false);
  // The last state given for an instance is the one written; `expected_version` is the
  // version it had when locked (the first one given for it counts).
  void update_instance(const model::Instance& inst, std::int64_t expected_version);
  // Events, and below the work of a decision, of instances inserted or updated in this batch
  // (std::logic_error otherwise): their rows are written in the instance's namespace.
  void append(const std::vector<history::Event>& events);
  // True when `d`'s writes may join this batch; false when the batch must be flushed first
  // (d cancels work of an instance with new work pending here, or re-schedules a pending key).
  bool can_take(const std::string& instance_id, const model::Decision& d) const;
  void take(const std::string& instance_id, const model::Decision& d, std::int64_t now_us);
  // Approval rows to save (insert, or update by id) and webhooks to enqueue: written after
  // the rows above, in the order given.
  void save_approval(ApprovalRow a) { approvals_.push_back(std::move(a)); }
  void enqueue(OutboxRow row) { outbox_.push_back(std::move(row)); }
  // An instance's handoff times reached in a transition (several of one instance merge):
  // upserted after the approval rows.
  void save_handoff(const std::string& ns, const HandoffRow& row);
  bool empty() const;
  void clear();
  // After a flush: the tasks leased to the worker (by key, with their row ids), and how many
  // new tasks due now were left ready for anyone (the lease's `max` was reached).
  const std::map<std::string, std::int64_t>& leased() const { return leased_ids_; }
  int left_ready() const { return left_ready_; }

 private:
  friend class Store;
  friend bool combinable(const Dialect& d, const WriteBatch& b);
  friend std::string update_rows(const WriteBatch& b);
  JsonRows new_instances_, events_, cancel_all_, cancel_tasks_, cancel_timers_, tasks_, timers_;
  // Instance updates by id: (expected version, the row's fields as JSON text after the id).
  std::map<std::string, std::pair<std::int64_t, std::string>> updates_;
  std::vector<ApprovalRow> approvals_;
  std::vector<OutboxRow> outbox_;
  std::map<std::string, std::pair<std::string, HandoffRow>> handoffs_;  // by instance: (ns, row)
  std::set<std::string> instances_with_work_, task_keys_;
  // Each instance's namespace, from its insert or update: the rows written for it take it.
  std::map<std::string, std::string> ns_of_;
  // The namespaces this batch starts instances in: their quotas are checked at the flush.
  std::set<std::string> started_ns_;
  const std::string& ns_of(const std::string& instance_id) const;
  EagerLease lease_;
  int leasing_ = 0;  // tasks of this batch inserted as leased
  std::map<std::string, std::int64_t> leased_ids_;
  int left_ready_ = 0;
};

}  // namespace covenant::engine::store
