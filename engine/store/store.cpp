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

Tx::Tx(Store& store, std::unique_ptr<soci::session> s, std::unique_lock<std::timed_mutex> writing)
    : store_(store), session_(std::move(s)), writing_(std::move(writing)) {}

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
  auto tx = begin(false);
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

Result<std::unique_ptr<Tx>> Store::begin(bool write, bool durable, std::chrono::milliseconds wait) {
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
  auto tx = std::make_unique<Tx>(*this, std::move(s), std::move(writing));
  auto r = guard<void>("begin", [&]() -> Result<void> {
    bool relaxed = write && !durable;
    if (relaxed && dialect_.relaxed_before_begin()) {
      tx->sql() << dialect_.relaxed_before_begin();
      tx->after_end_ = dialect_.relaxed_after_end();
    }
    tx->sql() << (write ? dialect_.begin() : "BEGIN");
    if (relaxed && dialect_.relaxed_after_begin()) tx->sql() << dialect_.relaxed_after_begin();
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  return tx;
}

Result<void> Store::migrate() {
  int applied = 0;
  {
    auto tx = begin();
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
    auto tx = begin();
    if (!tx) return tl::unexpected(tx.error());
    auto r = guard<void>("migration", [&]() -> Result<void> {
      for (const auto& stmt : statements(m.sql)) (*tx)->sql() << stmt;
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
  auto tx = begin(false);
  if (!tx) return -1;
  int v = -1;
  auto r = guard<void>("schema_version", [&]() -> Result<void> {
    (*tx)->sql() << kAppliedMigrations, soci::into(v);
    return {};
  });
  return r ? v : -1;
}

}  // namespace covenant::engine::store
