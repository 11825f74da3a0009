// WorkQueue (store.work): tasks (claimed under leases) and durable timers.
#include "engine/store/store.hpp"

#include <algorithm>

namespace covenant::engine::store {
namespace {

// Claiming is one statement per kind of claimable row: tasks whose lease expired (their
// worker died), then ready ones in due order; each reads a partial index (migration 007).
// Rows are named by (instance_id, id), as every statement on the work tables names them: on a
// table split by instance the pair finds the row's part.
constexpr const char* kClaimedColumns =
    " RETURNING id, task_key, instance_id, frame, state, occurrence, compensation, activity, "
    "input, attempt, timeout_us, due_us, recorded, namespace";
// `%T` is the table claimed from: `tasks`, or one partition of it (a worker's own).
constexpr const char* kClaimExpired =
    "UPDATE %T SET status = 'leased', lease_owner = :w, lease_until_us = :u WHERE "
    "(instance_id, id) IN (SELECT instance_id, id FROM %T WHERE status = 'leased' AND "
    "lease_until_us < :now ORDER BY lease_until_us LIMIT :n";
constexpr const char* kClaimReady =
    "UPDATE %T SET status = 'leased', lease_owner = :w, lease_until_us = :u WHERE "
    "(instance_id, id) IN (SELECT instance_id, id FROM %T WHERE status = 'ready' AND due_us "
    "<= :now ORDER BY due_us, id LIMIT :n";

std::string on_table(const char* sql, const std::string& table) {
  std::string out = sql;
  for (auto at = out.find("%T"); at != std::string::npos; at = out.find("%T", at))
    out.replace(at, 2, table);
  return out;
}
constexpr const char* kReleaseLeases =
    "UPDATE tasks SET status = 'ready', lease_owner = '', lease_until_us = 0 WHERE status = "
    "'leased' AND lease_owner = :w";
constexpr const char* kDueTimers =
    "SELECT id, timer_key, instance_id, frame, state, occurrence, kind, fire_us FROM timers "
    "WHERE status = 'pending' AND fire_us <= :now ORDER BY fire_us, id LIMIT :n";
// A fired timer is deleted: the table holds only pending ones (migration 011); the history
// records the firing.
constexpr const char* kTakeTimer =
    "DELETE FROM timers WHERE instance_id = :i AND id = :id AND status = 'pending'";
constexpr const char* kInstanceTimers =
    "SELECT id, timer_key, instance_id, frame, state, occurrence, kind, fire_us FROM timers "
    "WHERE instance_id = :i AND status = 'pending' ORDER BY fire_us, id";
constexpr const char* kNextTask = "SELECT MIN(due_us) FROM tasks WHERE status = 'ready'";
constexpr const char* kNextLease = "SELECT MIN(lease_until_us) FROM tasks WHERE status = 'leased'";
constexpr const char* kNextTimer = "SELECT MIN(fire_us) FROM timers WHERE status = 'pending'";

// A claim statement, prepared once per session.
struct Claim : Prepared {
  std::string worker, input, recorded;
  soci::indicator recorded_ind = soci::i_null;
  long long until = 0, now = 0, tid = 0, timeout = 0, due = 0;
  int n = 0, comp = 0;
  TaskRow t;
  Claim(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(worker));
    st.exchange(soci::use(until));
    st.exchange(soci::use(now));
    st.exchange(soci::use(n));
    st.exchange(soci::into(tid));
    st.exchange(soci::into(t.key));
    st.exchange(soci::into(t.instance_id));
    st.exchange(soci::into(t.frame));
    st.exchange(soci::into(t.state));
    st.exchange(soci::into(t.occurrence));
    st.exchange(soci::into(comp));
    st.exchange(soci::into(t.activity));
    st.exchange(soci::into(input));
    st.exchange(soci::into(t.attempt));
    st.exchange(soci::into(timeout));
    st.exchange(soci::into(due));
    st.exchange(soci::into(recorded, recorded_ind));
    st.exchange(soci::into(t.ns));
    prepare(sql);
  }
};

// A statement over one JSON parameter that returns row ids.
struct IdsReturned : Prepared {
  std::string text;
  long long id = 0;
  IdsReturned(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(text));
    st.exchange(soci::into(id));
    prepare(sql);
  }
};
const Dialect::Columns kLeaseColumns = {{"i", false}, {"id", true}};
const Dialect::Columns kFenceColumns = {{"i", false}, {"id", true}, {"at", true}, {"w", false}};

}  // namespace

Result<std::vector<TaskRow>> WorkQueue::claim(const std::string& worker, std::int64_t now_us,
                                              std::int64_t lease_us, int limit,
                                              const std::vector<int>& own_partitions) {
  // Where to look: a worker's own partitions of a split table first, and the whole table
  // (every partition: taking over work of workers that are gone or behind) only when they
  // hold nothing claimable. On a table that is not split, the whole table.
  std::vector<std::string> own;
  if (!own_partitions.empty()) {
    auto split = db_.partitions();
    if (!split) return tl::unexpected(split.error());
    for (int k : own_partitions) {
      if (*split == 0) break;
      if (k < 0 || k >= *split)
        return fail(ErrorCode::InvalidArgument, "the work tables have " + std::to_string(*split) +
                                                    " partitions: there is no partition " +
                                                    std::to_string(k));
      own.push_back("tasks_p" + std::to_string(k));
    }
  }
  auto tx = db_.begin(Scope::all(), true,
                      false);  // a lost claim is claimed again: no need to wait for the disk
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<std::vector<TaskRow>>("claim tasks", [&]() -> Result<std::vector<TaskRow>> {
    long long now = now_us, until = now_us + lease_us;
    std::vector<TaskRow> out;
    auto from = [&](const std::string& table) {
      for (const char* sql : {kClaimExpired, kClaimReady}) {
        int n = limit - static_cast<int>(out.size());
        if (n <= 0) break;
        claim_from(**tx, on_table(sql, table), worker, now, until, n, out);
      }
    };
    for (const auto& table : own) from(table);
    if (own.empty() || out.empty()) from("tasks");
    std::sort(out.begin(), out.end(), [](const TaskRow& a, const TaskRow& b) {
      return std::tie(a.due_us, a.id) < std::tie(b.due_us, b.id);
    });
    return out;
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

// Runs one claim statement (on `tasks` or one partition), adding what it leased to `out`.
void WorkQueue::claim_from(Tx& tx, const std::string& claim, const std::string& worker,
                           long long now, long long until, int n, std::vector<TaskRow>& out) {
  auto& p = tx.prepared<Claim>(claim, [&](soci::session& s) {
    return std::make_unique<Claim>(s, claim + db_.dialect_.claim_rows() + ")" + kClaimedColumns);
  });
  try {
    p.worker = worker;
    p.until = until;
    p.now = now;
    p.n = n;
    p.st.execute();
    while (p.st.fetch()) {
      TaskRow t = p.t;
      t.id = p.tid;
      t.compensation = p.comp != 0;
      t.input = nlohmann::json::parse(p.input);
      t.timeout_us = p.timeout;
      t.due_us = p.due;
      t.lease_owner = worker;
      if (p.recorded_ind == soci::i_ok) t.recorded = nlohmann::json::parse(p.recorded);
      out.push_back(std::move(t));
    }
  } catch (...) {
    if (db_.dialect_.backend() == Backend::Sqlite) tx.forget(claim);
    throw;
  }
}

Result<void> WorkQueue::extend_leases(const std::string& worker,
                                      const std::map<std::int64_t, std::string>& tasks,
                                      std::int64_t until_us) {
  if (tasks.empty()) return {};
  // A heartbeat must not queue behind a long lock wait: it gives up soon and tries again at
  // the next beat, well within the lease (SQLite: this process's writers; PostgreSQL: row
  // locks).
  auto tx = db_.begin(Scope::all(), true, true, std::chrono::seconds(2));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("extend leases", [&]() -> Result<void> {
    if (const char* sql = db_.dialect_.short_lock_wait()) (*tx)->sql() << sql;
    // One statement for the worker's tasks, never waiting on a row another transaction holds:
    // that transaction is closing the task (its outcome being recorded) or re-claiming an
    // expired lease, and either way the lease needs no extending. Waiting, row by row, in an
    // order of its own is how a heartbeat deadlocked with a batch of outcomes closing the same
    // tasks in another order.
    JsonRows rows;
    for (const auto& [task_id, instance_id] : tasks) rows.row().add(instance_id).add(task_id);
    std::string text = rows.text();
    long long until = until_us;
    (*tx)->sql() << "UPDATE tasks SET lease_until_us = :u WHERE (instance_id, id) IN (SELECT "
                    "t.instance_id, t.id FROM tasks t JOIN " +
                        db_.dialect_.json_rows("rows", kLeaseColumns) +
                        " ON t.instance_id = x.i AND t.id = x.id WHERE t.lease_owner = :w AND "
                        "t.status = 'leased'" +
                        db_.dialect_.lock_skipping("t") + ")",
        soci::use(until), soci::use(text), soci::use(worker);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<int> WorkQueue::release_leases(const std::string& worker) {
  auto tx = db_.begin(Scope::all());
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<int>("release leases", [&]() -> Result<int> {
    soci::statement st = ((*tx)->sql().prepare << kReleaseLeases, soci::use(worker));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  });
  if (!r) return r;
  if (auto n = notify(**tx); !n) return tl::unexpected(n.error());
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<std::vector<TimerRow>> WorkQueue::due_timers(std::int64_t now_us, int limit) {
  auto tx = db_.begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<TimerRow>>("due timers", [&]() -> Result<std::vector<TimerRow>> {
    std::vector<TimerRow> out;
    TimerRow t;
    long long id = 0, at = 0, now = now_us;
    soci::statement st =
        ((*tx)->sql().prepare << kDueTimers, soci::use(now), soci::use(limit), soci::into(id),
         soci::into(t.key), soci::into(t.instance_id), soci::into(t.frame), soci::into(t.state),
         soci::into(t.occurrence), soci::into(t.kind), soci::into(at));
    st.execute();
    while (st.fetch()) {
      t.id = id;
      t.fire_us = at;
      out.push_back(t);
    }
    return out;
  });
}

Result<std::vector<TimerRow>> WorkQueue::timers_of(Tx& tx, const std::string& instance_id) {
  return db_.guard<std::vector<TimerRow>>(
      "an instance's timers", [&]() -> Result<std::vector<TimerRow>> {
        std::vector<TimerRow> out;
        TimerRow t;
        long long id = 0, at = 0;
        soci::statement st =
            (tx.sql().prepare << kInstanceTimers, soci::use(instance_id), soci::into(id),
             soci::into(t.key), soci::into(t.instance_id), soci::into(t.frame), soci::into(t.state),
             soci::into(t.occurrence), soci::into(t.kind), soci::into(at));
        st.execute();
        while (st.fetch()) {
          t.id = id;
          t.fire_us = at;
          out.push_back(t);
        }
        return out;
      });
}

Result<bool> WorkQueue::take_timer(Tx& tx, const TimerRow& timer) {
  return db_.guard<bool>("fire timer", [&]() -> Result<bool> {
    long long id = timer.id;
    soci::statement st =
        (tx.sql().prepare << kTakeTimer, soci::use(timer.instance_id), soci::use(id));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

Result<std::optional<std::int64_t>> WorkQueue::next_due_us() {
  auto tx = db_.begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<std::int64_t>>(
      "next due", [&]() -> Result<std::optional<std::int64_t>> {
        std::optional<std::int64_t> best;
        for (const char* sql : {kNextTask, kNextLease, kNextTimer}) {
          long long v = 0;
          soci::indicator ind = soci::i_null;
          (*tx)->sql() << sql, soci::into(v, ind);
          if (ind == soci::i_ok && (!best || v < *best)) best = v;
        }
        return best;
      });
}

Result<std::set<std::int64_t>> WorkQueue::finish(Tx& tx, const std::vector<const TaskRow*>& tasks) {
  std::set<std::int64_t> out;
  if (tasks.empty()) return out;
  auto r =
      db_.guard<std::set<std::int64_t>>("finish tasks", [&]() -> Result<std::set<std::int64_t>> {
        JsonRows rows;
        for (const TaskRow* t : tasks)
          rows.row().add(t->instance_id).add(t->id).add(t->attempt).add(t->lease_owner);
        // A finished task is deleted, not updated (migration 011): no new row version and no
        // index entries, where an update of its status wrote both. The history keeps the record.
        auto& p = tx.prepared<IdsReturned>("work.finish_tasks", [&](soci::session& s) {
          std::string fence =
              "tasks.instance_id = x.i AND tasks.id = x.id AND tasks.attempt = x.at AND "
              "tasks.lease_owner = x.w "
              "AND tasks.status = 'leased'";
          return std::make_unique<IdsReturned>(
              s, db_.dialect_.backend() == Backend::Postgres
                     ? "DELETE FROM tasks USING " + db_.dialect_.json_rows("rows", kFenceColumns) +
                           " WHERE " + fence + " RETURNING tasks.id"
                     : "DELETE FROM tasks WHERE id IN (SELECT tasks.id FROM tasks JOIN " +
                           db_.dialect_.json_rows("rows", kFenceColumns) + " ON " + fence +
                           ") RETURNING id");
        });
        p.text = rows.text();
        p.st.execute();
        while (p.st.fetch()) out.insert(p.id);
        return out;
      });
  if (!r && db_.dialect_.backend() == Backend::Sqlite) tx.forget("work.finish_tasks");
  return r;
}

}  // namespace covenant::engine::store
