// Namespaces (store.namespaces): quotas and the counts usage is metered from.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kSetQuota =
    "INSERT INTO namespace_quotas (namespace, running_instances, document_bytes, updated_us) "
    "VALUES (:ns, :r, :b, :u) ON CONFLICT (namespace) DO UPDATE SET running_instances = "
    "excluded.running_instances, document_bytes = excluded.document_bytes, updated_us = "
    "excluded.updated_us";
constexpr const char* kQuota =
    "SELECT running_instances, document_bytes FROM namespace_quotas WHERE namespace = :ns";
constexpr const char* kRunning =
    "SELECT COUNT(*) FROM instances WHERE namespace = :ns AND status IN ('running', "
    "'compensating')";
constexpr const char* kStored =
    "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM documents WHERE namespace = :ns";
constexpr const char* kTransitions =
    "SELECT COUNT(*) FROM history WHERE namespace = :ns AND at_us >= :f AND at_us < :t";
constexpr const char* kStarted =
    "SELECT COUNT(*) FROM instances WHERE namespace = :ns AND created_us >= :f AND created_us < :t";
constexpr const char* kDocumentsIn =
    "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM documents WHERE namespace = :ns AND "
    "created_us >= :f AND created_us < :t";
constexpr const char* kRunningByNamespace =
    "SELECT namespace, COUNT(*) FROM instances WHERE status IN ('running', 'compensating') "
    "GROUP BY namespace";
constexpr const char* kKnownNamespaces =
    "SELECT namespace FROM principals UNION SELECT namespace FROM definitions UNION "
    "SELECT namespace FROM namespace_quotas";
constexpr const char* kStoredByNamespace =
    "SELECT namespace, COUNT(*), COALESCE(SUM(bytes), 0) FROM documents GROUP BY namespace";

}  // namespace

Result<void> Namespaces::set_quota(const std::string& ns, const Quota& q, std::int64_t now_us,
                                   const std::string& actor) {
  if (auto bad = check_namespace(ns); !bad) return bad;
  if (q.running_instances < 0 || q.document_bytes < 0)
    return fail(ErrorCode::InvalidArgument, "a quota is 0 (no limit) or more");
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("set a quota", [&]() -> Result<void> {
    long long running = q.running_instances, bytes = q.document_bytes, now = now_us;
    (*tx)->sql() << kSetQuota, soci::use(ns), soci::use(running), soci::use(bytes), soci::use(now);
    append_namespace_event(**tx, ns, now_us, actor, "quota.set",
                           nlohmann::json{{"running_instances", q.running_instances},
                                          {"document_bytes", q.document_bytes}}
                               .dump());
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<Quota> Namespaces::quota(const std::string& ns) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Quota>("read a quota", [&]() -> Result<Quota> {
    long long running = 0, bytes = 0;
    (*tx)->sql() << kQuota, soci::use(ns), soci::into(running), soci::into(bytes);
    if (!(*tx)->sql().got_data()) return Quota{};
    return Quota{running, bytes};
  });
}

Result<Holdings> Namespaces::holdings(const std::string& ns) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Holdings>("count what a namespace holds", [&]() -> Result<Holdings> {
    long long running = 0, docs = 0, bytes = 0;
    (*tx)->sql() << kRunning, soci::use(ns), soci::into(running);
    (*tx)->sql() << kStored, soci::use(ns), soci::into(docs), soci::into(bytes);
    return Holdings{running, docs, bytes};
  });
}

Result<UsageCounts> Namespaces::counts(const std::string& ns, std::int64_t from_us,
                                       std::int64_t to_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<UsageCounts>("count a namespace's usage", [&]() -> Result<UsageCounts> {
    long long f = from_us, t = to_us, transitions = 0, started = 0, docs = 0, bytes = 0;
    (*tx)->sql() << kTransitions, soci::use(ns), soci::use(f), soci::use(t),
        soci::into(transitions);
    (*tx)->sql() << kStarted, soci::use(ns), soci::use(f), soci::use(t), soci::into(started);
    (*tx)->sql() << kDocumentsIn, soci::use(ns), soci::use(f), soci::use(t), soci::into(docs),
        soci::into(bytes);
    return UsageCounts{transitions, started, docs, bytes};
  });
}

Result<std::map<std::string, Holdings>> Namespaces::all_holdings() {
  auto tx = db_.begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  using Out = std::map<std::string, Holdings>;
  return db_.guard<Out>("count what each namespace holds", [&]() -> Result<Out> {
    Out out;
    std::string ns;
    long long a = 0, b = 0;
    {
      soci::statement st = ((*tx)->sql().prepare << kKnownNamespaces, soci::into(ns));
      st.execute();
      while (st.fetch()) out[ns];
    }
    {
      soci::statement st =
          ((*tx)->sql().prepare << kRunningByNamespace, soci::into(ns), soci::into(a));
      st.execute();
      while (st.fetch()) out[ns].running_instances = a;
    }
    soci::statement st =
        ((*tx)->sql().prepare << kStoredByNamespace, soci::into(ns), soci::into(a), soci::into(b));
    st.execute();
    while (st.fetch()) {
      out[ns].documents = a;
      out[ns].document_bytes = b;
    }
    return out;
  });
}

std::optional<Quota> Namespaces::locked_quota(Tx& tx, const std::string& ns) {
  long long running = 0, bytes = 0;
  tx.sql() << std::string(kQuota) + db_.dialect().lock_row(), soci::use(ns), soci::into(running),
      soci::into(bytes);
  if (!tx.sql().got_data()) return std::nullopt;
  return Quota{running, bytes};
}

Result<void> Namespaces::check_running(Tx& tx, const std::string& ns) {
  return db_.guard<void>("check a quota", [&]() -> Result<void> {
    auto q = locked_quota(tx, ns);
    if (!q || q->running_instances == 0) return {};
    long long running = 0;
    tx.sql() << kRunning, soci::use(ns), soci::into(running);
    if (running > q->running_instances)
      return fail(ErrorCode::ResourceExhausted,
                  "namespace '" + ns + "' may run " + std::to_string(q->running_instances) +
                      " instances at once (its quota): finish or cancel some first",
                  ns);
    return {};
  });
}

Result<void> Namespaces::check_documents(Tx& tx, const std::string& ns) {
  return db_.guard<void>("check a quota", [&]() -> Result<void> {
    auto q = locked_quota(tx, ns);
    if (!q || q->document_bytes == 0) return {};
    long long docs = 0, bytes = 0;
    tx.sql() << kStored, soci::use(ns), soci::into(docs), soci::into(bytes);
    if (bytes > q->document_bytes)
      return fail(ErrorCode::ResourceExhausted,
                  "namespace '" + ns + "' may store " + std::to_string(q->document_bytes) +
                      " bytes of documents (its quota); this one would take it to " +
                      std::to_string(bytes),
                  ns);
    return {};
  });
}

}  // namespace covenant::engine::store
