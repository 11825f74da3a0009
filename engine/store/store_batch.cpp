// Store: batched writes (write_batch.hpp) and the batched reads a worker's batch needs.
#include "engine/store/history_rows.hpp"
#include "engine/store/json_text.hpp"
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

using model::Instance;

using Columns = Dialect::Columns;
const Columns kInstanceInsertColumns = {
    {"id", false}, {"ns", false}, {"wf", false},   {"dg", false}, {"bk", false},  {"st", false},
    {"by", false}, {"sk", false}, {"inp", false},  {"rt", false}, {"out", false}, {"err", false},
    {"ver", true}, {"seq", true}, {"hash", false}, {"cr", true},  {"up", true},   {"ku", true}};
const Columns kInstanceUpdateColumns = {{"id", false}, {"expected", true}, {"st", false},
                                        {"rt", false}, {"out", false},     {"err", false},
                                        {"ver", true}, {"seq", true},      {"hash", false},
                                        {"up", true},  {"dg", false}};
const Columns kHistoryColumns = {{"i", false},  {"s", true},   {"a", true},
                                 {"ph", false}, {"ev", false}, {"ns", false}};
const Columns kTaskColumns = {{"k", false},  {"i", false},  {"f", false},  {"s", false},
                              {"o", true},   {"c", true},   {"a", false},  {"inp", false},
                              {"at", true},  {"tmo", true}, {"due", true}, {"now", true},
                              {"st", false}, {"lo", false}, {"lu", true},  {"ns", false}};
const Columns kTimerColumns = {{"k", false}, {"i", false},  {"f", false},
                               {"s", false}, {"o", true},   {"kind", false},
                               {"at", true}, {"now", true}, {"ns", false}};
const Columns kIdColumn = {{"id", true}};

// A prepared statement with one text parameter (a JSON array of rows).
struct TextParam : Prepared {
  std::string text;
  TextParam(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(text));
    prepare(sql);
  }
};

// The task upsert, returning each row's id, key and status.
struct TaskUpsert : Prepared {
  std::string text, key, status;
  long long id = 0;
  TaskUpsert(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(text));
    st.exchange(soci::into(id));
    st.exchange(soci::into(key));
    st.exchange(soci::into(status));
    prepare(sql);
  }
};

// PostgreSQL: a worker's usual batch (instances, history, next tasks) as one statement of
// data-modifying CTEs: one round trip instead of three. (The tasks it records
// outcomes of were closed first, fenced: WorkQueue::finish.)
struct CombinedWrite : Prepared {
  std::string u, h, t, key, status;
  long long id = 0;
  CombinedWrite(soci::session& s, const std::string& sql) : Prepared(s) {
    for (auto* p : {&u, &h, &t}) st.exchange(soci::use(*p));
    st.exchange(soci::into(id));
    st.exchange(soci::into(key));
    st.exchange(soci::into(status));
    prepare(sql);
  }
};

std::string text_or_empty(const JsonRows& rows) { return rows.empty() ? "[]" : rows.text(); }

// A task's or timer's instance and key: what a cancellation names.
const Columns kKeyColumns = {{"i", false}, {"k", false}};

// Deletes the rows of `table` named by (instance, key) pairs (kKeyColumns) that meet `live`:
// each pair is matched on the (instance_id, key) index, on the instance's own partition.
std::string delete_by_key(const Dialect& d, const char* table, const char* key, const char* live) {
  std::string t = table;
  if (d.backend() == Backend::Postgres)
    return "DELETE FROM " + t + " USING " + d.json_rows("rows", kKeyColumns) + " WHERE " + t +
           ".instance_id = x.i AND " + t + "." + key + " = x.k AND " + live;
  return "DELETE FROM " + t + " WHERE " + live + " AND (instance_id, " + key +
         ") IN (SELECT i, k FROM " + d.json_rows("rows", kKeyColumns) + ")";
}

}  // namespace

JsonRows& JsonRows::row() {
  text_ += count_++ == 0 ? "[[" : "],[";
  first_field_ = true;
  return *this;
}

JsonRows& JsonRows::add(std::string_view text) {
  if (!first_field_) text_ += ',';
  first_field_ = false;
  append_json_string(text_, text);
  return *this;
}

JsonRows& JsonRows::add(std::int64_t number) {
  if (!first_field_) text_ += ',';
  first_field_ = false;
  text_ += std::to_string(number);
  return *this;
}

void JsonRows::clear() {
  text_.clear();
  count_ = 0;
  first_field_ = true;
}

const std::string& WriteBatch::ns_of(const std::string& instance_id) const {
  auto it = ns_of_.find(instance_id);
  if (it == ns_of_.end())
    throw std::logic_error("a batch writes for instance " + instance_id +
                           " before the instance itself (its namespace is not known)");
  return it->second;
}

void WriteBatch::insert_instance(const Instance& i, const std::string& start_key, bool key_unique) {
  ns_of_[i.id] = i.ns;
  started_ns_.insert(i.ns);
  // start_key "" is stored as NULL (several instances may have none): see Store::flush.
  new_instances_.row()
      .add(i.id)
      .add(i.ns)
      .add(i.workflow)
      .add(i.digest)
      .add(i.business_key)
      .add(i.status)
      .add(i.started_by)
      .add(start_key)
      .add(i.input.dump())
      .add(model::runtime_to_json(i).dump())
      .add(i.output.dump())
      .add(i.error)
      .add(i.version)
      .add(i.next_seq)
      .add(i.last_hash)
      .add(i.created_us)
      .add(i.updated_us)
      .add(key_unique ? 1 : 0);
}

void WriteBatch::update_instance(const Instance& i, std::int64_t expected_version) {
  ns_of_[i.id] = i.ns;
  JsonRows fields;
  fields.row()
      .add(i.status)
      .add(model::runtime_to_json(i).dump())
      .add(i.output.dump())
      .add(i.error)
      .add(i.version)
      .add(i.next_seq)
      .add(i.last_hash)
      .add(i.updated_us)
      .add(i.digest);                // the version it runs: moved only by covenant migrate
  std::string text = fields.text();  // "[[…]]": keep the fields between the brackets
  text = text.substr(2, text.size() - 4);
  auto [it, added] = updates_.try_emplace(i.id, expected_version, std::string());
  it->second.second = std::move(text);
}

void WriteBatch::append(const std::vector<history::Event>& events) {
  // One row per transition and instance: a run of events of one instance at one time.
  std::string text;
  for (std::size_t from = 0, to = 0; from < events.size(); from = to) {
    const history::Event& first = events[from];
    for (to = from + 1; to < events.size() && events[to].instance_id == first.instance_id &&
                        events[to].at_us == first.at_us && events[to].seq == events[to - 1].seq + 1;
         ++to) {
    }
    text.clear();
    history_rows::encode(text, events.data() + from, events.data() + to);
    events_.row()
        .add(first.instance_id)
        .add(events[to - 1].seq)
        .add(first.at_us)
        .add(first.prev_hash)
        .add(text)
        .add(ns_of(first.instance_id));
  }
}

bool WriteBatch::can_take(const std::string& instance_id, const model::Decision& d) const {
  bool cancels = d.cancel_all || !d.cancel_tasks.empty() || !d.cancel_timers.empty();
  if (cancels && instances_with_work_.count(instance_id)) return false;
  for (const auto& t : d.tasks)
    if (task_keys_.count(t.key)) return false;
  return true;
}

void WriteBatch::take(const std::string& instance_id, const model::Decision& d,
                      std::int64_t now_us) {
  const std::string& ns = ns_of(instance_id);
  if (d.cancel_all) cancel_all_.row().add(instance_id);
  for (const auto& k : d.cancel_tasks) cancel_tasks_.row().add(instance_id).add(k);
  for (const auto& k : d.cancel_timers) cancel_timers_.row().add(instance_id).add(k);
  for (const auto& t : d.tasks) {
    bool eager = !lease_.worker.empty() && leasing_ < lease_.max && t.due_us <= lease_.now_us;
    if (eager)
      ++leasing_;
    else if (t.due_us <= lease_.now_us)
      ++left_ready_;
    tasks_.row()
        .add(t.key)
        .add(instance_id)
        .add(t.frame)
        .add(t.state)
        .add(t.occurrence)
        .add(t.compensation ? 1 : 0)
        .add(t.activity)
        .add(t.input.dump())
        .add(t.attempt)
        .add(t.timeout_us)
        .add(t.due_us)
        .add(now_us)
        .add(eager ? "leased" : "ready")
        .add(eager ? lease_.worker : std::string())
        .add(eager ? lease_.until_us : std::int64_t{0})
        .add(ns);
    task_keys_.insert(t.key);
  }
  for (const auto& t : d.timers)
    timers_.row()
        .add(t.key)
        .add(instance_id)
        .add(t.frame)
        .add(t.state)
        .add(t.occurrence)
        .add(t.kind)
        .add(t.fire_us)
        .add(now_us)
        .add(ns);
  if (!d.tasks.empty() || !d.timers.empty()) instances_with_work_.insert(instance_id);
}

bool WriteBatch::empty() const {
  return new_instances_.empty() && updates_.empty() && events_.empty() && cancel_all_.empty() &&
         cancel_tasks_.empty() && cancel_timers_.empty() && tasks_.empty() && timers_.empty() &&
         approvals_.empty() && outbox_.empty() && handoffs_.empty();
}

void WriteBatch::clear() {
  for (JsonRows* r : {&new_instances_, &events_, &cancel_all_, &cancel_tasks_, &cancel_timers_,
                      &tasks_, &timers_})
    r->clear();
  updates_.clear();
  started_ns_.clear();
  approvals_.clear();
  outbox_.clear();
  handoffs_.clear();
  instances_with_work_.clear();
  task_keys_.clear();
  // leased_ids_, left_ready_, leasing_ and ns_of_ describe the whole batch: kept across flushes.
}

void WriteBatch::save_handoff(const std::string& ns, const HandoffRow& row) {
  auto [it, fresh] = handoffs_.try_emplace(row.instance_id, ns, row);
  if (!fresh) merge_handoff(it->second.second, row);
}

Result<void> Store::add_work(Tx& tx, WriteBatch& b, const std::string& instance_id,
                             const model::Decision& d, std::int64_t now_us) {
  if (!b.can_take(instance_id, d))
    if (auto f = flush(tx, b); !f) return f;
  b.take(instance_id, d, now_us);
  return {};
}

// True when the batch may go out as one CombinedWrite: only the kinds of rows it covers, and
// nothing else.
bool combinable(const Dialect& d, const WriteBatch& b) {
  if (d.backend() != Backend::Postgres || b.updates_.empty()) return false;
  if (!b.new_instances_.empty() || !b.cancel_all_.empty() || !b.cancel_tasks_.empty() ||
      !b.cancel_timers_.empty() || !b.timers_.empty())
    return false;
  return true;
}

std::string update_rows(const WriteBatch& b);

Result<void> Store::flush_combined(Tx& tx, WriteBatch& b) {
  auto r = guard<void>("write a batch", [&]() -> Result<void> {
    const Dialect& d = dialect_;
    auto& p = tx.prepared<CombinedWrite>("batch.combined", [&](soci::session& s) {
      return std::make_unique<CombinedWrite>(
          s,
          "WITH upd AS (UPDATE instances SET status = x.st, runtime = x.rt, "
          "output = x.out, error = x.err, version = x.ver, next_seq = x.seq, last_hash = x.hash, "
          "updated_us = x.up, definition_digest = x.dg FROM " +
              d.json_rows("u", kInstanceUpdateColumns) +
              " WHERE instances.id = x.id AND instances.version = x.expected RETURNING 1), "
              "hist AS (INSERT INTO history (instance_id, seq, at_us, prev_hash, events, "
              "namespace) "
              "SELECT i, s, a, ph, ev, ns FROM " +
              d.json_rows("h", kHistoryColumns) +
              "), ins AS (INSERT INTO tasks "
              "(task_key, instance_id, frame, state, occurrence, compensation, activity, input, "
              "attempt, timeout_us, due_us, status, lease_owner, lease_until_us, created_us, "
              "namespace) SELECT k, i, f, s, o, c, a, inp, at, tmo, due, st, lo, lu, now, ns "
              "FROM " +
              d.json_rows("t", kTaskColumns) +
              " WHERE true ON CONFLICT (instance_id, task_key) DO UPDATE SET input = "
              "excluded.input, "
              "attempt "
              "= excluded.attempt, due_us = excluded.due_us, status = excluded.status, "
              "lease_owner = excluded.lease_owner, lease_until_us = excluded.lease_until_us, "
              "recorded = NULL RETURNING id, task_key, status) SELECT id, task_key, status FROM "
              "ins UNION ALL "
              "SELECT -1, CAST(COUNT(*) AS TEXT), '' FROM upd");
    });
    p.u = update_rows(b);
    p.h = text_or_empty(b.events_);
    p.t = text_or_empty(b.tasks_);
    p.st.execute();
    long long updated = -1;
    while (p.st.fetch()) {
      if (p.id == -1)
        updated = std::stoll(p.key);
      else if (p.status == "leased")
        b.leased_ids_[p.key] = p.id;
    }
    if (updated != static_cast<long long>(b.updates_.size()))
      return fail(ErrorCode::Conflict, "an instance of the batch changed concurrently");
    return {};
  });
  b.clear();
  return r;
}

std::string update_rows(const WriteBatch& b) {
  // id, expected version, then the fields kept as JSON text.
  std::string text = "[";
  bool first = true;
  for (const auto& [id, u] : b.updates_) {
    if (!first) text += ',';
    first = false;
    text += '[';
    append_json_string(text, id);
    text += ',' + std::to_string(u.first) + ',' + u.second + ']';
  }
  return text + ']';
}

Result<void> Store::flush(Tx& tx, WriteBatch& b) {
  // Approval rows and webhooks go last, one statement each (a transition writes few of them).
  std::vector<ApprovalRow> approval_rows = std::move(b.approvals_);
  std::vector<OutboxRow> webhooks = std::move(b.outbox_);
  auto handoff_rows = std::move(b.handoffs_);
  b.handoffs_.clear();
  std::set<std::string> started = std::move(b.started_ns_);
  b.started_ns_.clear();
  Result<void> r = combinable(dialect_, b) ? flush_combined(tx, b) : flush_tables(tx, b);
  for (const auto& ns : started)  // a start past the namespace's quota undoes the batch
    if (r) r = namespaces.check_running(tx, ns);
  for (const auto& a : approval_rows)
    if (r) r = approvals.save(tx, a);
  if (r) r = outbox.enqueue(tx, webhooks);
  for (const auto& [id, h] : handoff_rows)
    if (r) r = handoffs.save(tx, h.first, h.second);
  return r;
}

Result<void> Store::flush_tables(Tx& tx, WriteBatch& b) {
  std::string current;  // the statement running, forgotten if it throws (SQLite must re-prepare)
  auto r = guard<void>("write a batch", [&]() -> Result<void> {
    const Dialect& d = dialect_;
    auto statement = [&](const char* key, auto&& sql) -> TextParam& {
      current = key;
      return tx.prepared<TextParam>(
          key, [&](soci::session& s) { return std::make_unique<TextParam>(s, sql()); });
    };
    auto run = [&](const JsonRows& rows, const char* key, auto&& sql) {
      if (rows.empty()) return;
      auto& p = statement(key, sql);
      p.text = rows.text();
      p.st.execute(true);
    };
    run(b.new_instances_, "batch.insert_instances", [&] {
      return "INSERT INTO instances (id, namespace, workflow, definition_digest, business_key, "
             "status, started_by, start_key, input, runtime, output, error, version, "
             "next_seq, last_hash, created_us, updated_us, key_unique) SELECT id, ns, wf, dg, bk, "
             "st, by, NULLIF(sk, ''), inp, rt, out, err, ver, seq, hash, cr, up, ku FROM " +
             d.json_rows("rows", kInstanceInsertColumns);
    });
    if (!b.updates_.empty()) {
      std::string text = update_rows(b);
      auto& p = statement("batch.update_instances", [&] {
        return "UPDATE instances SET status = x.st, runtime = x.rt, output = "
               "x.out, error = x.err, version = x.ver, next_seq = x.seq, last_hash = x.hash, "
               "updated_us = x.up, definition_digest = x.dg FROM " +
               d.json_rows("rows", kInstanceUpdateColumns) +
               " WHERE instances.id = x.id AND instances.version = x.expected";
      });
      p.text = std::move(text);
      p.st.execute(true);
      if (p.st.get_affected_rows() != static_cast<long long>(b.updates_.size()))
        return fail(ErrorCode::Conflict, "an instance of the batch changed concurrently");
    }
    run(b.events_, "batch.insert_history", [&] {
      return "INSERT INTO history (instance_id, seq, at_us, prev_hash, events, namespace) SELECT "
             "i, s, a, ph, ev, ns FROM " +
             d.json_rows("rows", kHistoryColumns);
    });
    run(b.cancel_all_, "batch.cancel_instance_tasks", [&] {
      return "DELETE FROM tasks WHERE status IN ('ready', 'leased') AND " +
             d.in_rows("instance_id", "rows", false);
    });
    run(b.cancel_all_, "batch.cancel_instance_timers", [&] {
      return "DELETE FROM timers WHERE status = 'pending' AND " +
             d.in_rows("instance_id", "rows", false);
    });
    run(b.cancel_tasks_, "batch.cancel_tasks", [&] {
      return delete_by_key(d, "tasks", "task_key", "tasks.status IN ('ready', 'leased')");
    });
    run(b.cancel_timers_, "batch.cancel_timers",
        [&] { return delete_by_key(d, "timers", "timer_key", "timers.status = 'pending'"); });
    if (!b.tasks_.empty()) {
      // New tasks, or a retry of a known key; those leased to the worker come back with
      // their ids (RETURNING names them all: filter by status).
      current = "batch.upsert_tasks";
      auto& p = tx.prepared<TaskUpsert>(current, [&](soci::session& s) {
        return std::make_unique<TaskUpsert>(
            s,
            "INSERT INTO tasks (task_key, instance_id, frame, state, occurrence, compensation, "
            "activity, input, attempt, timeout_us, due_us, status, lease_owner, lease_until_us, "
            "created_us, namespace) SELECT k, i, f, s, o, c, a, inp, at, tmo, due, st, lo, lu, "
            "now, ns FROM " +
                d.json_rows("rows", kTaskColumns) +
                " WHERE true ON CONFLICT (instance_id, task_key) DO UPDATE SET input = "
                "excluded.input, "
                "attempt = excluded.attempt, due_us = excluded.due_us, status = "
                "excluded.status, lease_owner = excluded.lease_owner, lease_until_us = "
                "excluded.lease_until_us, recorded = NULL RETURNING id, task_key, status");
      });
      p.text = b.tasks_.text();
      p.st.execute();
      while (p.st.fetch())
        if (p.status == "leased") b.leased_ids_[p.key] = p.id;
    }
    run(b.timers_, "batch.insert_timers", [&] {
      return "INSERT INTO timers (timer_key, instance_id, frame, state, occurrence, kind, "
             "fire_us, status, created_us, namespace) SELECT k, i, f, s, o, kind, at, 'pending', "
             "now, ns FROM " +
             d.json_rows("rows", kTimerColumns) +
             " WHERE true ON CONFLICT (instance_id, timer_key) DO NOTHING";
    });
    current.clear();
    return {};
  });
  if (!r && !current.empty() && dialect_.backend() == Backend::Sqlite) tx.forget(current);
  b.clear();
  return r;
}

}  // namespace covenant::engine::store
