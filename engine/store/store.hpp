// Store: everything Covenant keeps, on SQLite or PostgreSQL through SOCI. All SQL lives in
// engine/store (store*.cpp), as named constants bound with use()/into(); what differs
// between the databases sits in dialect.hpp. Methods say what the domain means.
// Thread-safety: a Store is shared by all threads; it hands each transaction its own
// session from a pool. A Tx belongs to one thread.
#pragma once

#include "engine/error.hpp"
#include "engine/history/event.hpp"
#include "engine/model/decision.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/dialect.hpp"
#include "engine/store/write_batch.hpp"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace covenant::engine::store {

struct DefinitionRecord {
  std::string digest, name;
  int version = 0;
  std::string source, canonical;
  std::int64_t created_us = 0;
  bool created = false;  // put_definition: true when this call added it
};

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
  // pass (Store::finish_tasks).
  std::string lease_owner;
  // A result recorded for the task while it was still live, by a version before migration 013
  // (the call succeeded, the outcome was not written): the worker passes it on instead of
  // calling again. Covenant now records a result only with the outcome that closes the task
  // (its ActivityCompleted event), so new tasks never carry one.
  std::optional<nlohmann::json> recorded;
};

struct TimerRow {
  std::int64_t id = 0;
  std::string key, instance_id, frame, state;
  int occurrence = 0;
  std::string kind;
  std::int64_t fire_us = 0;
};

struct PrincipalRow {
  std::string name;
  std::vector<std::string> roles;
  std::int64_t created_us = 0, revoked_us = 0;
};

// A per-approver callback token (its SHA-256; the token itself is never stored).
struct ApprovalTokenRow {
  std::string token_hash, approval_id, principal, on_behalf_of;
  std::int64_t expires_us = 0, used_us = 0, created_us = 0;
};

// A decision delivered with a client-chosen id, and the answer it got.
struct DecisionRow {
  std::string decision_id, approval_id, principal;
  nlohmann::json request, response;
  std::int64_t created_us = 0;
};

// `delegate` may decide for `delegator` from starts_us (inclusive) to ends_us (exclusive),
// once in force: created by the delegator, or approved by a second admin (needs_approval).
struct DelegationRow {
  std::int64_t id = 0;
  std::string delegator, delegate;
  std::int64_t starts_us = 0, ends_us = 0;
  std::string created_by;
  std::int64_t created_us = 0, revoked_us = 0;
  bool needs_approval = false;
  std::string approved_by;
  std::int64_t approved_us = 0;
  std::string revoked_by;
  bool in_force() const { return !needs_approval || !approved_by.empty(); }
};

// Instances listed oldest first; all filters optional (empty or 0: any).
// Counts for /metrics.
struct Stats {
  std::map<std::string, std::int64_t> instances_by_status;
  std::int64_t approvals_open = 0;
  std::map<std::string, std::int64_t> outbox_by_status;
  std::int64_t tasks_ready = 0, timers_pending = 0;
};

// Evidence storage (store_documents.cpp): a document's bytes live once by SHA-256; each contract
// lists the distinct documents it was given as numbered versions.
struct DocumentRow {
  std::string sha256, media_type;
  std::int64_t bytes = 0;
  int pages = 0;
  std::string text;  // the text read from the document; term offsets point into it
  std::int64_t created_us = 0;
};

struct DocumentVersionRow {
  std::string contract_id;
  int version = 0;
  std::string sha256, source;
  std::int64_t created_us = 0;
  bool added = false;  // put_document: true when this call added the version
};

// Audit reads (store_audit.cpp): history rows as stored (the payload as its text, so a
// tampered row is still readable), with their instance's workflow and business key.
struct HistoryRow {
  std::string instance_id;
  std::int64_t seq = 0;
  int type = 0;
  std::string type_name;
  std::int64_t at_us = 0;
  std::string frame, state, payload, prev_hash, hash;
  std::string workflow, business_key;
  // Set when the stored row (one transition's events) cannot be read as events: the reason.
  // `seq` is then the row's last event's, `payload` the row's text as stored.
  std::string damage;
};

// Which history rows, in which order. Empty strings and 0 mean "any".
struct HistoryQuery {
  std::string instance_id, business_key, type_name;
  // Instances whose resolve.customer step resolved this customer (CRM external id or legal name).
  std::string customer;
  std::int64_t from_us = 0, to_us = 0;  // [from, to)
  bool by_instance = false;             // order by (instance, seq); else by (time, instance, seq)
};

// Where a page ends, to ask for the next one (keyset: stable under concurrent appends).
struct HistoryCursor {
  std::int64_t at_us = -1;  // -1: from the start
  std::string instance_id;
  std::int64_t seq = 0;
};

// An instance's own record of its chain's end, to catch a truncated history.
struct ChainHead {
  std::string instance_id, business_key;
  std::int64_t next_seq = 1;
  std::string last_hash;
};

// A signed daily checkpoint (engine/audit/checkpoint.hpp has the document's form).
struct CheckpointRow {
  std::string day;                    // YYYY-MM-DD (UTC)
  std::string document;               // canonical JSON: {day, heads, previous}
  std::string digest;                 // SHA-256 of the document
  std::string signature, public_key;  // Ed25519, base64; the key as PEM
  std::int64_t created_us = 0;
};

struct InstanceFilter {
  std::string status, workflow, business_key;
  std::int64_t created_from_us = 0, created_to_us = 0;  // [from, to)
  std::int64_t after_us = 0;                            // keyset cursor: (created_us, id)
  std::string after_id;
  int limit = 100;
};

class Store;

// A statement prepared once on a session and executed again with new values: a subclass binds
// its parameters and results to its own members in its constructor (Tx::prepared). SQLite
// skips parsing and planning; PostgreSQL skips the PREPARE/DEALLOCATE round trips.
struct Prepared {
  explicit Prepared(soci::session& s) : st(s) {}
  virtual ~Prepared() = default;
  // Binds what was exchanged and prepares `sql`: the subclass's constructor calls it last.
  void prepare(const std::string& sql) {
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
  }
  soci::statement st;
};
using StatementCache = std::map<std::string, std::unique_ptr<Prepared>>;

// One database transaction. Rolls back when destroyed uncommitted (an exception or an early
// return leaves nothing partial behind).
class Tx {
 public:
  Tx(Store& store, std::unique_ptr<soci::session> s,
     std::unique_lock<std::timed_mutex> writing = {});
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  soci::session& sql() { return *session_; }
  Result<void> commit();
  // The statement `key` prepared on this transaction's session: made by `make(session)` on
  // first use, then kept with the session for later transactions. `key` must name one SQL
  // text. If running it throws, call forget(key).
  template <class T, class Make>
  T& prepared(const std::string& key, Make&& make) {
    StatementCache& cache = statements();
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, make(*session_)).first;
    return static_cast<T&>(*it->second);
  }
  void forget(const std::string& key) { statements().erase(key); }

 private:
  Store& store_;
  std::unique_ptr<soci::session> session_;
  bool open_ = true;
  std::unique_lock<std::timed_mutex> writing_;  // SQLite: this process's turn to write
  const char* after_end_ = nullptr;             // run once the transaction has ended
  StatementCache* statements_ = nullptr;
  StatementCache& statements();
  friend class Store;
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

  // A write transaction (SQLite: takes the write lock at once), or a read-only one.
  // `durable` false: a write whose loss in a crash is harmless (Dialect::relaxed_*).
  // `wait`: how long a SQLite write waits for this process's other writers (Unavailable
  // after it).
  Result<std::unique_ptr<Tx>> begin(bool write = true, bool durable = true,
                                    std::chrono::milliseconds wait = std::chrono::seconds(30));

  // Definitions: immutable, by digest; a new digest under a known name is a new version.
  Result<DefinitionRecord> put_definition(const std::string& name, const std::string& digest,
                                          const std::string& source, const std::string& canonical,
                                          std::int64_t now_us);
  Result<DefinitionRecord> definition(const std::string& digest);
  Result<DefinitionRecord> definition(Tx& tx, const std::string& digest);
  Result<DefinitionRecord> latest_definition(const std::string& name);
  Result<std::vector<DefinitionRecord>> definitions();

  // Instances and history (store_instances.cpp). They are written only through a WriteBatch.
  // The instance id already started under `start_key`, if any.
  Result<std::optional<std::string>> instance_for_start_key(Tx& tx, const std::string& start_key);
  Result<std::optional<model::Instance>> instance(const std::string& id);
  Result<std::vector<model::Instance>> instances(const InstanceFilter& f);
  // Running instances with no ready or leased task, no pending timer and no open approval,
  // least recently updated first: waiting for an event, or stranded (runtime::stranded).
  Result<std::vector<model::Instance>> running_without_work(int limit);
  Result<std::vector<history::Event>> history(const std::string& instance_id,
                                              std::int64_t after_seq = 0, int limit = 1000000);

  // The one write form of transitions (store_batch.cpp): their writes staged in a WriteBatch,
  // one statement per table (write_batch.hpp). add_work adds a decision's tasks and timers,
  // flushing first when order requires it; flush writes everything pending and empties the
  // batch. An instance update whose stored version moved on fails the flush with Conflict.
  Result<void> add_work(Tx& tx, WriteBatch& b, const std::string& instance_id,
                        const model::Decision& d, std::int64_t now_us);
  Result<void> flush(Tx& tx, WriteBatch& b);
  // Locks the instances with these ids (those that exist), in id order (two transactions
  // never wait on each other in a cycle), and returns their versions.
  Result<std::map<std::string, std::int64_t>> lock_instances(Tx& tx,
                                                             const std::vector<std::string>& ids);
  // Reads the instances with these ids (those that exist): locking them as lock_instances
  // does when `lock`, or in a transaction that has locked them already.
  Result<std::map<std::string, model::Instance>> load_instances(Tx& tx,
                                                                const std::vector<std::string>& ids,
                                                                bool lock = false);

  // Work: tasks and timers (store_work.cpp).
  // Leases up to `limit` claimable tasks (expired leases first, then ready ones in due order)
  // to `worker`. `own_partitions`: on work tables split by instance (partition_by_instance),
  // the partitions this worker reads first; the whole table only when they hold nothing
  // claimable (taking over from workers that are gone or behind). Ignored on tables that are
  // not split; a partition that does not exist is InvalidArgument.
  Result<std::vector<TaskRow>> claim_tasks(const std::string& worker, std::int64_t now_us,
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
  Result<std::set<std::int64_t>> finish_tasks(Tx& tx, const std::vector<const TaskRow*>& tasks);
  Result<std::vector<TimerRow>> due_timers(std::int64_t now_us, int limit);
  // Marks a pending timer fired; false if it was fired or cancelled already.
  Result<bool> take_timer(Tx& tx, const TimerRow& timer);
  // The earliest time a task or timer is due, if any.
  Result<std::optional<std::int64_t>> next_due_us();

  // Principals (store_principals.cpp). Tokens never reach the store, only their hashes.
  Result<void> add_principal(const std::string& name, const std::vector<std::string>& roles,
                             const std::string& token_hash, std::int64_t now_us);
  Result<std::optional<PrincipalRow>> principal_by_token_hash(const std::string& token_hash);
  Result<std::optional<PrincipalRow>> principal(const std::string& name);
  Result<void> revoke_principal(const std::string& name, std::int64_t now_us);
  Result<std::vector<PrincipalRow>> principals();

  // Approvals, callback tokens, decisions, delegations (store_approvals.cpp).
  Result<void> save_approval(Tx& tx, const ApprovalRow& a);
  Result<std::optional<ApprovalRow>> approval(const std::string& id);
  // Open approvals any of `roles` may decide (all when `roles` is empty), oldest first,
  // after the cursor (opened_us, id).
  Result<std::vector<ApprovalRow>> open_approvals(const std::vector<std::string>& roles,
                                                  std::int64_t after_us,
                                                  const std::string& after_id, int limit);
  Result<std::vector<ApprovalRow>> approvals_of_instance(const std::string& instance_id);
  Result<void> add_approval_token(const ApprovalTokenRow& t);
  Result<std::optional<ApprovalTokenRow>> approval_token(const std::string& token_hash);
  // Marks an unused token used; false if it was used already.
  Result<bool> use_approval_token(Tx& tx, const std::string& token_hash, std::int64_t now_us);
  Result<std::optional<DecisionRow>> decision(Tx& tx, const std::string& decision_id);
  Result<void> insert_decision(Tx& tx, const DecisionRow& d);
  Result<std::int64_t> add_delegation(const DelegationRow& d);
  Result<std::vector<DelegationRow>> delegations(const std::string& principal);
  // Unrevoked delegations to `delegate` whose window contains `at_us`.
  Result<std::vector<DelegationRow>> active_delegations(const std::string& delegate,
                                                        std::int64_t at_us);
  Result<void> revoke_delegation(std::int64_t id, std::int64_t now_us, const std::string& by = "");
  // Puts a delegation that waits for a second admin in force. Errors: NotFound;
  // FailedPrecondition (it needs no approval, is approved already, or is revoked).
  Result<void> approve_delegation(std::int64_t id, const std::string& by, std::int64_t now_us);

  Result<Stats> stats();

  // The webhook outbox (store_outbox.cpp).
  Result<void> enqueue(Tx& tx, const std::vector<OutboxRow>& rows);
  // Pending rows due by `now_us`, each pushed `lease_us` into the future so that another
  // notifier does not take it while it is being sent.
  Result<std::vector<OutboxRow>> claim_outbox(std::int64_t now_us, std::int64_t lease_us,
                                              int limit);
  Result<void> update_outbox(const OutboxRow& row);
  Result<std::vector<OutboxRow>> outbox(const std::string& instance_id);

  // Evidence documents. put_document stores the bytes unless stored already and makes the
  // document the contract's next version unless it is its current one already (then that
  // version comes back with added = false): repeating an ingest changes nothing.
  Result<DocumentVersionRow> put_document(const DocumentRow& doc, std::string_view content,
                                          const std::string& contract_id, const std::string& source,
                                          std::int64_t now_us);
  Result<std::optional<DocumentRow>> document(const std::string& sha256);
  Result<std::optional<std::string>> document_content(const std::string& sha256);
  Result<std::vector<DocumentVersionRow>> document_versions(const std::string& contract_id);

  // Audit: one page of history rows after `after`, and the instances' chain heads by id.
  Result<std::vector<HistoryRow>> history_page(const HistoryQuery& q, const HistoryCursor& after,
                                               int limit);
  Result<std::vector<ChainHead>> chain_heads(const std::string& after_id, int limit);
  // Every instance's last event before `before_us`: (instance, seq, hash), by instance.
  Result<std::vector<std::tuple<std::string, std::int64_t, std::string>>> heads_before(
      std::int64_t before_us);
  // The hash of one event, nullopt when there is no such row.
  Result<std::optional<std::string>> event_hash_at(const std::string& instance_id,
                                                   std::int64_t seq);
  // Checkpoints: Conflict when the day has one already.
  Result<void> add_checkpoint(const CheckpointRow& c);
  Result<std::vector<CheckpointRow>> checkpoints();

  // Wakes idle workers when this transaction commits (PostgreSQL NOTIFY; a no-op on SQLite).
  Result<void> notify_work(Tx& tx);

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
  Store(std::string url, DatabaseUrl parsed);
  // The plain answer for damaged data (no driver internals): what it is and what to do.
  tl::unexpected<Error> corrupted() const;
  // Whether the database holds Covenant's schema (its migrations table).
  Result<bool> has_schema();
  // flush's two forms: one statement per table, or PostgreSQL's one combined statement.
  Result<void> flush_tables(Tx& tx, WriteBatch& b);
  Result<void> flush_combined(Tx& tx, WriteBatch& b);
  Result<void> migrate();
  // Instances matching `where` (SQL after FROM, one text parameter), through the statement
  // prepared under `key`; throws soci_error.
  std::vector<model::Instance> read_instances(Tx& tx, const std::string& key,
                                              const std::string& where, const std::string& param);
  void claim_from(Tx& tx, const std::string& claim, const std::string& worker, long long now,
                  long long until, int n, std::vector<TaskRow>& out);
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
};

}  // namespace covenant::engine::store
