// Instances (store.instances): instances and their history.
#include "engine/history/hash_chain.hpp"
#include "engine/store/history_rows.hpp"
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

// Any running instance, whether it was started under the rule or before it (key_unique 0):
// a plain start is refused while one runs (instances_by_business_key finds them).
constexpr const char* kRunningWithBusinessKey =
    "SELECT id FROM instances WHERE business_key = :k AND workflow = :w AND namespace = :n AND "
    "status IN ('running', 'compensating') ORDER BY created_us, id LIMIT 1";

using model::Instance;

constexpr const char* kStartKey =
    "SELECT id FROM instances WHERE namespace = :ns AND start_key = :k";

constexpr const char* kInstanceColumns =
    "SELECT id, namespace, workflow, definition_digest, business_key, status, started_by, input, "
    "runtime, output, error, version, next_seq, last_hash, created_us, updated_us FROM instances ";
// Instances by filter (each optional), oldest first after a keyset cursor (created_us, id).
// A parameter compared with a literal 0 is cast: PostgreSQL would take it for an integer and
// refuse a time in microseconds.
constexpr const char* kInstanceFilter =
    "WHERE (:all = 1 OR namespace = :ns) AND (:s1 = '' OR status = :s2) AND (:w1 = '' OR workflow "
    "= :w2) AND (:k1 = '' OR "
    "business_key = :k2) AND (:v1 = '' OR definition_digest = :v2) AND (:g = 0 OR EXISTS "
    "(SELECT 1 FROM approvals a WHERE a.instance_id = instances.id AND a.status = 'open')) "
    "AND created_us >= :from AND (CAST(:to1 AS BIGINT) = 0 OR created_us < :to2) "
    "AND (CAST(:u1 AS BIGINT) = 0 OR updated_us < :u2) AND (created_us > :a1 OR (created_us = :a2 "
    "AND id > :aid)) ORDER BY created_us, id "
    "LIMIT :n";
// Rows holding an event after `after`: each holds at least one, so `n` rows hold n events.
constexpr const char* kHistory =
    "SELECT seq, at_us, prev_hash, events FROM history WHERE instance_id = :i AND (:all = 1 OR "
    "namespace = :ns) AND seq > :after ORDER BY seq LIMIT :n";

struct InstanceRow {
  std::string id, ns, workflow, digest, business_key, status, started_by, input, runtime, output,
      error, last_hash;
  long long version = 0, next_seq = 0, created = 0, updated = 0;
};

soci::details::prepare_temp_type& bind(soci::details::prepare_temp_type& p, InstanceRow& r) {
  return p, soci::into(r.id), soci::into(r.ns), soci::into(r.workflow), soci::into(r.digest),
         soci::into(r.business_key), soci::into(r.status), soci::into(r.started_by),
         soci::into(r.input), soci::into(r.runtime), soci::into(r.output), soci::into(r.error),
         soci::into(r.version), soci::into(r.next_seq), soci::into(r.last_hash),
         soci::into(r.created), soci::into(r.updated);
}

Instance to_instance(const InstanceRow& r) {
  Instance i;
  i.id = r.id;
  i.ns = r.ns;
  i.workflow = r.workflow;
  i.digest = r.digest;
  i.business_key = r.business_key;
  i.status = r.status;
  i.started_by = r.started_by;
  i.input = nlohmann::json::parse(r.input);
  model::runtime_from_json(nlohmann::json::parse(r.runtime), i);
  i.output = nlohmann::json::parse(r.output);
  i.error = r.error;
  i.version = r.version;
  i.next_seq = r.next_seq;
  i.last_hash = r.last_hash;
  i.created_us = r.created;
  i.updated_us = r.updated;
  return i;
}

// Instances' ids and versions, read (and locked) by one JSON parameter of ids.
struct VersionReader : Prepared {
  std::string text, id, ns;
  long long version = 0;
  VersionReader(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(text));
    st.exchange(soci::into(id));
    st.exchange(soci::into(version));
    st.exchange(soci::into(ns));
    prepare(sql);
  }
};

}  // namespace

Result<std::optional<std::string>> Instances::running_with_business_key(
    Tx& tx, const std::string& ns, const std::string& workflow, const std::string& business_key) {
  if (!tx.scope().covers(ns)) return std::nullopt;
  return db_.guard<std::optional<std::string>>("find the instance running under a business key",
                                               [&]() -> Result<std::optional<std::string>> {
                                                 std::string id;
                                                 soci::indicator ind = soci::i_null;
                                                 tx.sql() << kRunningWithBusinessKey,
                                                     soci::use(business_key), soci::use(workflow),
                                                     soci::use(ns), soci::into(id, ind);
                                                 if (!tx.sql().got_data() || ind == soci::i_null)
                                                   return std::nullopt;
                                                 return id;
                                               });
}

Result<std::optional<std::string>> Instances::for_start_key(Tx& tx, const std::string& ns,
                                                            const std::string& key) {
  if (!tx.scope().covers(ns)) return std::nullopt;
  return db_.guard<std::optional<std::string>>(
      "start key", [&]() -> Result<std::optional<std::string>> {
        std::string id;
        tx.sql() << kStartKey, soci::use(ns), soci::use(key), soci::into(id);
        if (!tx.sql().got_data()) return std::nullopt;
        return id;
      });
}

namespace {

// Instances matching a WHERE with one text parameter, prepared once per session.
struct InstanceReader : Prepared {
  std::string param;
  InstanceRow r;
  InstanceReader(soci::session& s, const std::string& sql) : Prepared(s) {
    st.exchange(soci::use(param));
    st.exchange(soci::into(r.id));
    st.exchange(soci::into(r.ns));
    st.exchange(soci::into(r.workflow));
    st.exchange(soci::into(r.digest));
    st.exchange(soci::into(r.business_key));
    st.exchange(soci::into(r.status));
    st.exchange(soci::into(r.started_by));
    st.exchange(soci::into(r.input));
    st.exchange(soci::into(r.runtime));
    st.exchange(soci::into(r.output));
    st.exchange(soci::into(r.error));
    st.exchange(soci::into(r.version));
    st.exchange(soci::into(r.next_seq));
    st.exchange(soci::into(r.last_hash));
    st.exchange(soci::into(r.created));
    st.exchange(soci::into(r.updated));
    prepare(sql);
  }
};

}  // namespace

Result<std::vector<Instance>> Instances::running_without_work(int limit) {
  auto tx = db_.begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<
      std::vector<Instance>>("running without work", [&]() -> Result<std::vector<Instance>> {
    return read(
        **tx, "instances.without_work_" + std::to_string(limit),
        "WHERE (status = :p OR status = 'compensating') AND NOT EXISTS (SELECT 1 FROM tasks WHERE "
        "tasks.instance_id = "
        "instances.id AND tasks.status IN ('ready', 'leased')) AND NOT EXISTS (SELECT 1 FROM "
        "timers WHERE timers.instance_id = instances.id AND timers.status = 'pending') AND NOT "
        "EXISTS (SELECT 1 FROM approvals WHERE approvals.instance_id = instances.id AND "
        "approvals.status = 'open') ORDER BY updated_us, id LIMIT " +
            std::to_string(limit),
        "running");
  });
}

std::vector<Instance> Instances::read(Tx& tx, const std::string& key, const std::string& where,
                                      const std::string& param) {
  auto& p = tx.prepared<InstanceReader>(key, [&](soci::session& s) {
    return std::make_unique<InstanceReader>(s, std::string(kInstanceColumns) + where);
  });
  std::vector<Instance> out;
  try {
    p.param = param;
    p.st.execute();
    while (p.st.fetch()) out.push_back(to_instance(p.r));
  } catch (...) {
    if (db_.dialect_.backend() == Backend::Sqlite) tx.forget(key);
    throw;
  }
  return out;
}

Result<std::optional<Instance>> Instances::get(const Scope& scope, const std::string& id) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<Instance>>(
      "read instance", [&]() -> Result<std::optional<Instance>> {
        InstanceRow r;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kInstanceColumns) +
                                              "WHERE id = :id AND (:all = 1 OR namespace = :ns)");
        bind(p, r), soci::use(id), soci::use(all), soci::use(scope.ns());
        soci::statement st(p);
        st.execute(true);
        if (!st.got_data()) return std::nullopt;
        return to_instance(r);
      });
}

Result<std::vector<Instance>> Instances::find(const Scope& scope, const InstanceFilter& f) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<Instance>>("list instances", [&]() -> Result<std::vector<Instance>> {
    std::vector<Instance> out;
    InstanceRow r;
    std::string status = f.status, workflow = f.workflow, key = f.business_key, version = f.version,
                after = f.after_id;
    long long from = f.created_from_us, to = f.created_to_us, after_us = f.after_us,
              idle = f.updated_before_us;
    int limit = f.limit, gate = f.open_gate ? 1 : 0, all = scope.all_flag();
    auto p = ((*tx)->sql().prepare << std::string(kInstanceColumns) + kInstanceFilter);
    bind(p, r), soci::use(all), soci::use(scope.ns()), soci::use(status), soci::use(status),
        soci::use(workflow), soci::use(workflow), soci::use(key), soci::use(key),
        soci::use(version), soci::use(version), soci::use(gate), soci::use(from), soci::use(to),
        soci::use(to), soci::use(idle), soci::use(idle), soci::use(after_us), soci::use(after_us),
        soci::use(after), soci::use(limit);
    soci::statement st(p);
    st.execute();
    while (st.fetch()) out.push_back(to_instance(r));
    return out;
  });
}

Result<std::vector<history::Event>> Instances::history(const Scope& scope, const std::string& id,
                                                       std::int64_t after_seq, int limit) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<history::Event>>(
      "read history", [&]() -> Result<std::vector<history::Event>> {
        std::vector<history::Event> out;
        long long seq = 0, at = 0, after = after_seq;
        int all = scope.all_flag();
        std::string prev, events;
        soci::statement st =
            ((*tx)->sql().prepare << kHistory, soci::use(id), soci::use(all), soci::use(scope.ns()),
             soci::use(after), soci::use(limit), soci::into(seq), soci::into(at), soci::into(prev),
             soci::into(events));
        st.execute();
        while (st.fetch() && out.size() < static_cast<std::size_t>(limit)) {
          auto damage =
              history_rows::decode(seq, prev, events, [&](history_rows::DecodedEvent&& d) {
                if (d.seq <= after_seq || out.size() >= static_cast<std::size_t>(limit)) return;
                history::Event e;
                e.instance_id = id;
                e.seq = d.seq;
                e.type = history::event_type_from_number(d.type).value_or(
                    history::EventType::WorkflowStarted);
                e.at_us = at;
                e.frame = std::move(d.frame);
                e.state = std::move(d.state);
                e.payload = std::move(d.payload);
                e.prev_hash = std::move(d.prev_hash);
                e.hash = std::move(d.hash);
                out.push_back(std::move(e));
              });
          if (!damage.empty())
            return fail(ErrorCode::Corrupted, "the history of instance " + id +
                                                  " is damaged in the row ending at event " +
                                                  std::to_string(seq) + ": " + damage);
        }
        return out;
      });
}

Result<std::map<std::string, std::int64_t>> Instances::lock(Tx& tx,
                                                            const std::vector<std::string>& ids) {
  auto r = db_.guard<std::map<std::string, std::int64_t>>(
      "lock instances", [&]() -> Result<std::map<std::string, std::int64_t>> {
        JsonRows rows;
        for (const auto& id : ids) rows.row().add(id);
        auto& p = tx.prepared<VersionReader>("batch.lock_instances", [&](soci::session& s) {
          return std::make_unique<VersionReader>(
              s, "SELECT id, version, namespace FROM instances WHERE " +
                     db_.dialect_.in_rows("id", "rows", false) + " ORDER BY id" +
                     db_.dialect_.lock_row());
        });
        p.text = rows.text();
        p.st.execute();
        std::map<std::string, std::int64_t> out;
        while (p.st.fetch())
          if (tx.scope().covers(p.ns)) out.emplace(p.id, p.version);
        return out;
      });
  if (!r && db_.dialect_.backend() == Backend::Sqlite) tx.forget("batch.lock_instances");
  return r;
}

Result<std::map<std::string, Instance>> Instances::load(Tx& tx, const std::vector<std::string>& ids,
                                                        bool lock) {
  return db_.guard<std::map<std::string, Instance>>(
      "read instances", [&]() -> Result<std::map<std::string, Instance>> {
        JsonRows rows;
        for (const auto& id : ids) rows.row().add(id);
        std::map<std::string, Instance> out;
        std::string where = "WHERE " + db_.dialect_.in_rows("id", "rows", false);
        if (lock) where += " ORDER BY id" + std::string(db_.dialect_.lock_row());
        for (auto& inst : read(tx, lock ? "batch.lock_and_load_instances" : "batch.load_instances",
                               where, rows.text()))
          if (tx.scope().covers(inst.ns)) out.emplace(inst.id, std::move(inst));
        return out;
      });
}

}  // namespace covenant::engine::store
