#include "engine/store/session.hpp"

#include "engine/store/store.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <filesystem>
#include <fstream>

using namespace covenant::engine::store;

namespace {

void round_trip(soci::session& s) {
  s << "CREATE TABLE money (id INTEGER PRIMARY KEY, amount_minor BIGINT NOT NULL, currency TEXT)";
  long long amount = 9007199254740993LL;  // 2^53 + 1: not representable as a double
  std::string currency = "USD";
  int id = 1;
  s << "INSERT INTO money (id, amount_minor, currency) VALUES (:id, :a, :c)", soci::use(id),
      soci::use(amount), soci::use(currency);
  long long back = 0;
  std::string cur;
  s << "SELECT amount_minor, currency FROM money WHERE id = :id", soci::use(id), soci::into(back),
      soci::into(cur);
  CHECK(back == amount);
  CHECK(cur == "USD");
}

}  // namespace

TEST_CASE("An SQLite session is in WAL mode with full synchronous commits", "[sqlite]") {
  covenant::testing::TempDir dir;
  auto s = open_session({Backend::Sqlite, (dir.path() / "c.db").string()});
  REQUIRE(s);
  std::string mode;
  **s << "PRAGMA journal_mode", soci::into(mode);
  CHECK(mode == "wal");
  int sync = 0;
  **s << "PRAGMA synchronous", soci::into(sync);
  CHECK(sync == 2);  // FULL
  round_trip(**s);
}

TEST_CASE("Opening a database that cannot exist fails with a message", "[sqlite]") {
  auto s = open_session({Backend::Sqlite, "/nonexistent-dir/for/sure/c.db"});
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("cannot open the database") != std::string::npos);
  CHECK(s.error().code == covenant::engine::ErrorCode::Unavailable);
}

TEST_CASE("A damaged SQLite file is reported as Corrupted, plainly, not as Unavailable",
          "[sqlite]") {
  covenant::testing::TempDir dir;
  auto path = dir.path() / "covenant.db";
  {
    auto store = covenant::engine::store::Store::open("sqlite:" + path.string());
    REQUIRE(store);
  }
  // Not a database at all: text where the header should be.
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << std::string(8192, 'x');
  }
  auto store = covenant::engine::store::Store::open("sqlite:" + path.string());
  REQUIRE_FALSE(store);
  CHECK(store.error().code == covenant::engine::ErrorCode::Corrupted);
  CHECK(store.error().message.find("is damaged or is not a SQLite database") != std::string::npos);
  CHECK(store.error().message.find("restore it from a backup") != std::string::npos);
  CHECK(store.error().message.find("sqlite3") == std::string::npos);  // no driver internals
}

TEST_CASE("Without create, a missing or empty database is refused and not created", "[sqlite]") {
  using covenant::engine::ErrorCode;
  using covenant::engine::store::Store;
  covenant::testing::TempDir dir;
  auto typo = dir.path() / "covenent.db";
  auto missing = Store::open("sqlite:" + typo.string(), 2, false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::FailedPrecondition);
  CHECK(missing.error().message.find("there is no database file at") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(typo));  // nothing was created by the refusal
  { std::ofstream empty(typo); }
  auto bare = Store::open("sqlite:" + typo.string(), 2, false);
  REQUIRE_FALSE(bare);
  CHECK(bare.error().message.find("has no Covenant schema") != std::string::npos);
  REQUIRE(Store::open("sqlite:" + typo.string(), 2, true));  // told to create it
  CHECK(Store::open("sqlite:" + typo.string(), 2, false));   // and now it has one
}

TEST_CASE("Without create, a PostgreSQL database with no Covenant schema is refused",
          "[postgres]") {
  covenant::testing::TestDatabase db;
  auto bare = covenant::engine::store::Store::open(db.url(), 2, false);
  REQUIRE_FALSE(bare);
  CHECK(bare.error().code == covenant::engine::ErrorCode::FailedPrecondition);
  CHECK(covenant::engine::store::Store::open(db.url(), 2, true));
  CHECK(covenant::engine::store::Store::open(db.url(), 2, false));
}

TEST_CASE("A PostgreSQL session on the throwaway server round-trips int64 money", "[postgres]") {
  covenant::testing::TestDatabase db;
  auto url = parse_database_url(db.url());
  REQUIRE(url);
  auto s = open_session(*url);
  REQUIRE(s);
  std::string version;
  **s << "SHOW server_version", soci::into(version);
  CHECK(version.rfind("15", 0) == 0);
  round_trip(**s);
}
