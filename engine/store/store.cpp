// Store: opening, the session pool, transactions and migrations.
#include "engine/store/store.hpp"

#include "engine/store/migrations.hpp"
#include "engine/store/session.hpp"

#include <filesystem>

namespace covenant::engine::store {
namespace {

constexpr const char* kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
    "NULL, applied_us BIGINT NOT NULL)";
constexpr const char* kAppliedMigrations =
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_us) VALUES (:v, :n, 0)";

// Splits a migration at ';' ending a line (see the migrations' header comment).
std::vector<std::string> statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t nl = sql.find('\n', pos);
    std::string line = sql.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? sql.size() : nl + 1;
    if (line.rfind("--", 0) == 0) continue;
    cur += line + "\n";
    if (!line.empty() && line.back() == ';') {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" \n\t") != std::string::npos) out.push_back(cur);
  return out;
}

}  // namespace

Tx::Tx(Store& store, Scope scope, std::unique_ptr<soci::session> s,
       std::unique_lock<std::timed_mutex> writing)
    : store_(store),
      scope_(std::move(scope)),
      session_(std::move(s)),
      writing_(std::move(writing)) {}

Tx::~Tx() {
  if (open_) {
    try {
      *session_ << "ROLLBACK";
    } catch (const std::exception&) {
      // The connection is broken; dropping the session below discards it.
      store_.drop_statements(session_.get());
      session_.reset();
    }
  }
  if (session_ && after_end_) {
    try {
      *session_ << after_end_;
    } catch (const std::exception&) {
      store_.drop_statements(session_.get());
      session_.reset();  // a session that cannot be set back is not reused
    }
  }
  if (session_)
    store_.release(std::move(session_));
  else {
    std::lock_guard lock(store_.mu_);
    --store_.open_sessions_;
    store_.cv_.notify_one();
  }
}

StatementCache& Tx::statements() {
  if (!statements_) {
    std::lock_guard lock(store_.statements_mu_);
    auto& slot = store_.statements_[session_.get()];
    if (!slot) slot = std::make_unique<StatementCache>();
    statements_ = slot.get();
  }
  return *statements_;
}

void Store::drop_statements(soci::session* s) {
  std::lock_guard lock(statements_mu_);
  statements_.erase(s);
  scope_settings_.erase(s);
}

Result<void> Tx::commit() {
  auto r = store_.guard<void>("commit", [&]() -> Result<void> {
    *session_ << "COMMIT";
    return {};
  });
  open_ = !r.has_value() ? open_ : false;
  if (!open_ && writing_.owns_lock()) writing_.unlock();
  return r;
}

Store::Store(std::string url, DatabaseUrl parsed)
    : url_(std::move(url)), parsed_(std::move(parsed)), dialect_(parsed_.backend) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& url, int pool_size, bool create) {
  auto parsed = parse_database_url(url);
  if (!parsed) return fail(ErrorCode::InvalidArgument, parsed.error(), "database URL");
  auto refused = [&](const std::string& why) {
    return fail(ErrorCode::FailedPrecondition,
                why +
                    ": is the database URL right? To start a new database, deploy a "
                    "definition to it first (covenant deploy) or pass --create-db",
                "database");
  };
  if (!create && parsed->backend == Backend::Sqlite && !std::filesystem::exists(parsed->connect))
    return refused("there is no database file at " + parsed->connect);
  std::unique_ptr<Store> store(new Store(url, *parsed));
  store->pool_size_ = std::max(2, pool_size);  // a transaction may read alongside a claim
  auto first = open_session(*parsed);
  if (!first) return tl::unexpected(first.error());
  store->idle_.push_back(std::move(*first));
  store->open_sessions_ = 1;
  if (!create) {
    auto has = store->has_schema();
    if (!has) return tl::unexpected(has.error());
    if (!*has) return refused("the database " + parsed->connect + " has no Covenant schema");
  }
  if (auto m = store->migrate(); !m) return tl::unexpected(m.error());
  return store;
}

tl::unexpected<Error> Store::corrupted() const {
  if (dialect_.backend() == Backend::Sqlite) return tl::unexpected(damaged_sqlite(parsed_.connect));
  return fail(ErrorCode::Corrupted,
              "PostgreSQL reports damaged data or a damaged index: see the server's log, "
              "restore or reindex (retrying will not help)",
              "database");
}

Result<bool> Store::has_schema() {
  auto tx = begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<bool>("schema check", [&]() -> Result<bool> {
    int n = 0;
    std::string table = "schema_migrations";
    (*tx)->sql() << dialect_.has_table(), soci::use(table), soci::into(n);
    return n > 0;
  });
}

std::unique_ptr<soci::session> Store::acquire() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
    if (open_sessions_ < pool_size_) {
      ++open_sessions_;
      lock.unlock();
      auto s = open_session(parsed_);
      if (s) return std::move(*s);
      lock.lock();
      --open_sessions_;
      return nullptr;
    }
    cv_.wait(lock);
  }
}

void Store::release(std::unique_ptr<soci::session> s) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(s));
  cv_.notify_one();
}

Result<std::unique_ptr<Tx>> Store::begin(const Scope& scope, bool write, bool durable,
                                         std::chrono::milliseconds wait) {
  bool relaxed = write && !durable;
  return open_tx(scope, write, wait, relaxed ? dialect_.relaxed_before_begin() : nullptr,
                 relaxed ? dialect_.relaxed_after_begin() : nullptr,
                 relaxed ? dialect_.relaxed_after_end() : nullptr);
}

Result<std::unique_ptr<Tx>> Store::open_tx(const Scope& scope, bool write,
                                           std::chrono::milliseconds wait, const char* before,
                                           const char* after_begin, const char* after_end) {
  std::unique_lock<std::timed_mutex> writing;
  if (write && dialect_.backend() == Backend::Sqlite) {
    writing = std::unique_lock(sqlite_writer_, std::defer_lock);
    if (!writing.try_lock_for(wait))
      return fail(ErrorCode::Unavailable,
                  "the database is busy (waited " + std::to_string(wait.count()) + " ms to write)",
                  url_);
  }
  auto s = acquire();
  if (!s) return fail(ErrorCode::Unavailable, "cannot open a database session", url_);
  auto tx = std::make_unique<Tx>(*this, scope, std::move(s), std::move(writing));
  auto r = guard<void>("begin", [&]() -> Result<void> {
    if (dialect_.backend() == Backend::Postgres) set_scope(tx->sql(), scope);
    if (before) {
      tx->sql() << before;
      tx->after_end_ = after_end;
    }
    tx->sql() << (write ? dialect_.begin() : "BEGIN");
    if (after_begin) tx->sql() << after_begin;
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  return tx;
}

void Store::set_scope(soci::session& s, const Scope& scope) {
  // A session keeps its setting between transactions (set outside them, so a rollback does not
  // undo it): set only when it changes. The name is safe to quote as it is (valid_namespace).
  {
    std::lock_guard lock(statements_mu_);
    auto it = scope_settings_.find(&s);
    if (it != scope_settings_.end() && it->second == scope.ns()) return;
  }
  s << "SET covenant.namespace = '" + scope.ns() + "'";
  std::lock_guard lock(statements_mu_);
  scope_settings_[&s] = scope.ns();
}

// The first line of a SQLite migration that must run with foreign keys off.
constexpr std::string_view kForeignKeysOff = "-- covenant: foreign keys off";

Result<void> Store::migrate() {
  int applied = 0;
  {
    auto tx = begin(Scope::all());
    if (!tx) return tl::unexpected(tx.error());
    auto r = guard<void>("schema_migrations", [&]() -> Result<void> {
      (*tx)->sql() << kCreateMigrations;
      (*tx)->sql() << kAppliedMigrations, soci::into(applied);
      return {};
    });
    if (!r) return r;
    if (auto c = (*tx)->commit(); !c) return c;
  }
  for (const auto& m : embedded_migrations()) {
    if (std::string(m.dialect) != dialect_.name() || m.number <= applied) continue;
    // A SQLite migration that rebuilds a table others refer to runs with foreign keys off (they
    // cannot be switched inside a transaction: SQLite's documented way to change a table's
    // keys), and is checked before it commits.
    bool keys_off = dialect_.backend() == Backend::Sqlite &&
                    std::string_view(m.sql).rfind(kForeignKeysOff, 0) == 0;
    auto tx = keys_off ? open_tx(Scope::all(), true, std::chrono::seconds(30),
                                 "PRAGMA foreign_keys=OFF", nullptr, "PRAGMA foreign_keys=ON")
                       : begin(Scope::all());
    if (!tx) return tl::unexpected(tx.error());
    auto r = guard<void>("migration", [&]() -> Result<void> {
      for (const auto& stmt : statements(m.sql)) (*tx)->sql() << stmt;
      if (keys_off) {
        std::string table;
        soci::indicator ind = soci::i_null;
        (*tx)->sql() << "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
            soci::into(table, ind);
        if ((*tx)->sql().got_data())
          return fail(ErrorCode::Internal, "a row of " + table + " refers to no row after it");
      }
      int number = m.number;
      std::string name = m.name;
      (*tx)->sql() << kRecordMigration, soci::use(number), soci::use(name);
      return {};
    });
    if (!r) {
      r.error().message = std::string("migration ") + m.name + " failed: " + r.error().message;
      return r;
    }
    if (auto c = (*tx)->commit(); !c) return c;
  }
  return {};
}

int Store::schema_version() {
  auto tx = begin(Scope::all(), false);
  if (!tx) return -1;
  int v = -1;
  auto r = guard<void>("schema_version", [&]() -> Result<void> {
    (*tx)->sql() << kAppliedMigrations, soci::into(v);
    return {};
  });
  return r ? v : -1;
}

}  // namespace covenant::engine::store
