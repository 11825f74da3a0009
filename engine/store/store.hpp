// Store: everything Covenant keeps, on SQLite or PostgreSQL through SOCI. All SQL lives in
// engine/store, as named constants bound with use()/into(); what differs between the
// databases sits in dialect.hpp. Methods say what the domain means.
//
// The Store is the database: its session pool, transactions (Tx), migrations, partitions and
// the one write form of transitions (a WriteBatch: add_work, flush). What it keeps is read and
// written through one object per aggregate, each over the same transactions:
//   store.definitions  workflow definitions by digest and version    (definitions.hpp)
//   store.instances    instances and their history                   (instances.hpp)
//   store.work         tasks and timers: claims, leases, fencing     (work_queue.hpp)
//   store.approvals    approval rows, callback tokens, decisions,
//                      delegations                                    (approvals.hpp)
//   store.outbox       webhooks waiting to be sent                    (outbox.hpp)
//   store.documents    evidence documents and their versions          (documents.hpp)
//   store.audit        history pages, chain heads, checkpoints        (audit_log.hpp)
//   store.principals   principals and their token hashes              (principals.hpp)
//   store.keys         each namespace's signing keys and its own log  (keys.hpp)
//   store.namespaces   quotas, holdings and usage counts              (namespaces.hpp)
//   store.intake       deliveries from CLM systems, and their outcome (intake.hpp)
//   store.usage        metered usage per contract                     (usage_records.hpp)
//   store.contracts    the book of contracts, amendments fenced       (contracts.hpp)
//   store.obligations  the obligations register per contract          (obligations.hpp)
//   store.views        what the views across the book read: each
//                      contract's index and monitors' findings        (book_views.hpp)
//   store.handoffs     when each instance reached each handoff
//                      milestone (signed … invoiced)                  (handoffs.hpp)
// Thread-safety: a Store is shared by all threads; it hands each transaction its own
// session from a pool. A Tx belongs to one thread.
#pragma once

#include "engine/error.hpp"
#include "engine/history/event.hpp"
#include "engine/model/decision.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/approvals.hpp"
#include "engine/store/audit_log.hpp"
#include "engine/store/book_views.hpp"
#include "engine/store/contracts.hpp"
#include "engine/store/definitions.hpp"
#include "engine/store/dialect.hpp"
#include "engine/store/documents.hpp"
#include "engine/store/handoffs.hpp"
#include "engine/store/instances.hpp"
#include "engine/store/intake.hpp"
#include "engine/store/keys.hpp"
#include "engine/store/namespaces.hpp"
#include "engine/store/obligations.hpp"
#include "engine/store/outbox.hpp"
#include "engine/store/principals.hpp"
#include "engine/store/tx.hpp"
#include "engine/store/usage_records.hpp"
#include "engine/store/work_queue.hpp"
#include "engine/store/write_batch.hpp"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace covenant::engine::store {

// Counts for /metrics.
struct Stats {
  std::map<std::string, std::int64_t> instances_by_status;
  std::int64_t approvals_open = 0;
  std::map<std::string, std::int64_t> outbox_by_status;
  std::int64_t tasks_ready = 0, timers_pending = 0;
  std::int64_t oldest_open_approval_us =
      0;  // when the longest-waiting open approval opened; 0: none
};

class Store {
 public:
  // Opens the database at `url`, applies pending migrations. Errors: InvalidArgument (a bad
  // URL), Unavailable (cannot connect or open the file), Internal (a failed migration).
  // With `create` false, a database that has no Covenant schema yet (an empty or missing
  // SQLite file: a mistyped path) is refused with FailedPrecondition instead of created.
  static Result<std::unique_ptr<Store>> open(const std::string& url, int pool_size = 4,
                                             bool create = true);
  ~Store();

  const Dialect& dialect() const { return dialect_; }
  const std::string& url() const { return url_; }
  int schema_version();

  // PostgreSQL: splits the history and the work tables (tasks, timers) into `partitions` hash
  // partitions of instance_id, in one transaction, rows kept (store_partition.cpp). Refused
  // on SQLite (FailedPrecondition), for a count outside 2..kMaxPartitions (InvalidArgument),
  // and when they are split already. The statements are the same on split tables.
  static constexpr int kMaxPartitions = 1024;
  Result<void> partition_by_instance(int partitions);
  // How many partitions the history has (0: not split; always 0 on SQLite).
  Result<int> partitions();

  // A transaction in `scope` (scope.hpp): a write transaction (SQLite: takes the write lock at
  // once), or a read-only one.
  // `durable` false: a write whose loss in a crash is harmless (Dialect::relaxed_*).
  // `wait`: how long a SQLite write waits for this process's other writers (Unavailable
  // after it).
  Result<std::unique_ptr<Tx>> begin(const Scope& scope, bool write = true, bool durable = true,
                                    std::chrono::milliseconds wait = std::chrono::seconds(30));

  // The one write form of transitions (store_batch.cpp): their writes staged in a WriteBatch,
  // one statement per table (write_batch.hpp). add_work adds a decision's tasks and timers,
  // flushing first when order requires it; flush writes everything pending and empties the
  // batch. An instance update whose stored version moved on fails the flush with Conflict.
  Result<void> add_work(Tx& tx, WriteBatch& b, const std::string& instance_id,
                        const model::Decision& d, std::int64_t now_us);
  Result<void> flush(Tx& tx, WriteBatch& b);
  // Database-wide counts for /metrics (store_stats.cpp).
  Result<Stats> stats();

  // The aggregates (see the top of this file). Each reads and writes only its own tables,
  // through this Store's transactions.
  Definitions definitions{*this};
  Instances instances{*this};
  WorkQueue work{*this};
  Approvals approvals{*this};
  Outbox outbox{*this};
  Documents documents{*this};
  AuditLog audit{*this};
  Principals principals{*this};
  Keys keys{*this};
  Namespaces namespaces{*this};
  Intake intake{*this};
  UsageRecords usage{*this};
  Contracts contracts{*this};
  Obligations obligations{*this};
  BookViews views{*this};
  Handoffs handoffs{*this};

  // Runs `fn` and turns a driver exception into an Error sorted by the dialect.
  template <class T, class F>
  Result<T> guard(const char* what, F&& fn) {
    try {
      return fn();
    } catch (const soci::soci_error& e) {
      ErrorCode code = dialect_.classify(e);
      if (code == ErrorCode::Corrupted) return corrupted();
      return fail(code, std::string(what) + ": " + e.get_error_message());
    } catch (const std::exception& e) {
      return fail(ErrorCode::Internal, std::string(what) + ": " + e.what());
    }
  }

 private:
  friend class Tx;
  friend class Definitions;
  friend class Instances;
  friend class WorkQueue;
  friend class Approvals;
  friend class Outbox;
  friend class Documents;
  friend class AuditLog;
  friend class Principals;
  Store(std::string url, DatabaseUrl parsed);
  // The plain answer for damaged data (no driver internals): what it is and what to do.
  tl::unexpected<Error> corrupted() const;
  // Whether the database holds Covenant's schema (its migrations table).
  Result<bool> has_schema();
  // flush's two forms: one statement per table, or PostgreSQL's one combined statement.
  Result<void> flush_tables(Tx& tx, WriteBatch& b);
  Result<void> flush_combined(Tx& tx, WriteBatch& b);
  Result<void> migrate();
  // begin's work: `before` runs ahead of BEGIN and `after_end` once the transaction has ended
  // (settings that cannot change inside a transaction), `after_begin` right after BEGIN.
  Result<std::unique_ptr<Tx>> open_tx(const Scope& scope, bool write,
                                      std::chrono::milliseconds wait, const char* before,
                                      const char* after_begin, const char* after_end);
  // PostgreSQL: the session's covenant.namespace setting, which the row-level security
  // policies read (migration 018).
  void set_scope(soci::session& s, const Scope& scope);
  std::unique_ptr<soci::session> acquire();
  void drop_statements(soci::session* s);  // before a session is discarded
  void release(std::unique_ptr<soci::session> s);

  std::string url_;
  DatabaseUrl parsed_;
  Dialect dialect_;
  // How many partitions the work tables have, once read (-1: not read yet). Splitting is done
  // with the workers stopped (docs/store-schema.md), so a running process need not see it.
  std::atomic<int> partitions_{-1};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<soci::session>> idle_;  // GUARDED_BY(mu_)
  int open_sessions_ = 0;                             // GUARDED_BY(mu_)
  int pool_size_ = 4;
  // SQLite has one writer at a time. Threads of this process queue here for their turn
  // instead of in SQLite's busy handler, which sleeps in steps of milliseconds; other
  // processes still meet the busy timeout.
  std::timed_mutex sqlite_writer_;
  // Prepared statements per pooled session (destroyed before the sessions: declared after).
  std::mutex statements_mu_;
  std::map<soci::session*, std::unique_ptr<StatementCache>>
      statements_;  // GUARDED_BY(statements_mu_)
  // PostgreSQL: each pooled session's covenant.namespace, as last set.
  std::map<soci::session*, std::string> scope_settings_;  // GUARDED_BY(statements_mu_)
};

}  // namespace covenant::engine::store
