#include "engine/store/session.hpp"

#include "tests/support/postgres.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

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
  CHECK(s.error().find("cannot open the database") != std::string::npos);
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
