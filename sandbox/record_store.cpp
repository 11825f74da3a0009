#include "sandbox/record_store.hpp"

#include "engine/store/database_url.hpp"
#include "engine/store/session.hpp"

namespace covenant::sandbox {
namespace {

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS sandbox_records (system TEXT NOT NULL, kind TEXT NOT NULL, "
    "id TEXT NOT NULL, external_id TEXT NOT NULL, body TEXT NOT NULL, seq INTEGER NOT NULL, "
    "PRIMARY KEY (system, kind, id))",
    "CREATE INDEX IF NOT EXISTS sandbox_records_by_external ON sandbox_records (system, kind, "
    "external_id)",
    "CREATE TABLE IF NOT EXISTS sandbox_idempotency (system TEXT NOT NULL, idem_key TEXT NOT "
    "NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY "
    "(system, idem_key))",
    "CREATE TABLE IF NOT EXISTS sandbox_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
};
constexpr const char* kSelect =
    "SELECT system, kind, id, external_id, body, seq FROM sandbox_records ";

template <class Stmt>
std::vector<Record> fetch(Stmt&& prep) {
  std::vector<Record> out;
  Record r;
  std::string body;
  long long seq = 0;
  soci::statement st = (prep, soci::into(r.system), soci::into(r.kind), soci::into(r.id),
                        soci::into(r.external_id), soci::into(body), soci::into(seq));
  st.execute();
  while (st.fetch()) {
    r.body = nlohmann::json::parse(body);
    r.seq = seq;
    out.push_back(r);
  }
  return out;
}

}  // namespace

void RecordTx::put(const Record& r) {
  std::string body = r.body.dump();
  int exists = 0;
  sql_ << "SELECT COUNT(*) FROM sandbox_records WHERE system = :s AND kind = :k AND id = :i",
      soci::use(r.system), soci::use(r.kind), soci::use(r.id), soci::into(exists);
  if (exists) {
    sql_ << "UPDATE sandbox_records SET body = :b, external_id = :e WHERE system = :s AND kind = "
            ":k AND id = :i",
        soci::use(body), soci::use(r.external_id), soci::use(r.system), soci::use(r.kind),
        soci::use(r.id);
    return;
  }
  long long seq = next("record-seq");
  sql_ << "INSERT INTO sandbox_records (system, kind, id, external_id, body, seq) VALUES (:s, :k, "
          ":i, :e, :b, :q)",
      soci::use(r.system), soci::use(r.kind), soci::use(r.id), soci::use(r.external_id),
      soci::use(body), soci::use(seq);
}

std::optional<Record> RecordTx::get(const std::string& system, const std::string& kind,
                                    const std::string& id) {
  auto rows =
      fetch((sql_.prepare << std::string(kSelect) + "WHERE system = :s AND kind = :k AND id = :i",
             soci::use(system), soci::use(kind), soci::use(id)));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<Record> RecordTx::by_external_id(const std::string& system, const std::string& kind,
                                               const std::string& external_id) {
  if (external_id.empty()) return std::nullopt;
  auto rows = fetch((
      sql_.prepare << std::string(kSelect) + "WHERE system = :s AND kind = :k AND external_id = :e",
      soci::use(system), soci::use(kind), soci::use(external_id)));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<Record> RecordTx::list(const std::string& system, const std::string& kind) {
  return fetch((sql_.prepare << std::string(kSelect) +
                                    "WHERE system = :s AND (:k1 = '' OR kind = :k2) ORDER BY seq",
                soci::use(system), soci::use(kind), soci::use(kind)));
}

std::optional<RememberedAnswer> RecordTx::answer(const std::string& system,
                                                 const std::string& key) {
  RememberedAnswer a;
  soci::indicator ind = soci::i_null;
  sql_ << "SELECT request_hash, status, body FROM sandbox_idempotency WHERE system = :s AND "
          "idem_key = :k",
      soci::use(system), soci::use(key), soci::into(a.request_hash, ind), soci::into(a.status),
      soci::into(a.body);
  if (!sql_.got_data()) return std::nullopt;
  return a;
}

void RecordTx::remember(const std::string& system, const std::string& key,
                        const RememberedAnswer& a) {
  sql_ << "INSERT INTO sandbox_idempotency (system, idem_key, request_hash, status, body) VALUES "
          "(:s, :k, :h, :st, :b)",
      soci::use(system), soci::use(key), soci::use(a.request_hash), soci::use(a.status),
      soci::use(a.body);
}

std::int64_t RecordTx::next(const std::string& name) {
  long long v = 0;
  sql_ << "SELECT value FROM sandbox_counters WHERE name = :n", soci::use(name), soci::into(v);
  if (!sql_.got_data()) {
    sql_ << "INSERT INTO sandbox_counters (name, value) VALUES (:n, 1)", soci::use(name);
    return 1;
  }
  ++v;
  sql_ << "UPDATE sandbox_counters SET value = :v WHERE name = :n", soci::use(v), soci::use(name);
  return v;
}

void RecordTx::clear() {
  sql_ << "DELETE FROM sandbox_records";
  sql_ << "DELETE FROM sandbox_idempotency";
  sql_ << "DELETE FROM sandbox_counters";
}

engine::Result<std::unique_ptr<RecordStore>> RecordStore::open(const std::string& url) {
  auto parsed = engine::store::parse_database_url(url);
  if (!parsed) return engine::fail(engine::ErrorCode::InvalidArgument, parsed.error(), url);
  auto session = engine::store::open_session(*parsed);
  if (!session) return tl::unexpected(session.error());
  try {
    for (const char* sql : kSchema) **session << sql;
  } catch (const soci::soci_error& e) {
    return engine::fail(engine::ErrorCode::Internal,
                        std::string("creating the sandbox tables: ") + e.what());
  }
  return std::unique_ptr<RecordStore>(new RecordStore(std::move(*session)));
}

engine::Result<void> RecordStore::run(const std::function<void(RecordTx&)>& fn) {
  std::lock_guard lock(mu_);
  try {
    *session_ << "BEGIN";
    RecordTx tx(*session_);
    fn(tx);
    *session_ << "COMMIT";
    return {};
  } catch (const soci::soci_error& e) {
    try {
      *session_ << "ROLLBACK";
    } catch (const soci::soci_error&) {  // the connection is gone; nothing to roll back
    }
    return engine::fail(engine::ErrorCode::Internal, std::string("sandbox store: ") + e.what());
  } catch (...) {
    *session_ << "ROLLBACK";
    throw;
  }
}

}  // namespace covenant::sandbox
