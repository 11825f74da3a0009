#include "engine/store/database_url.hpp"

#include <catch2/catch.hpp>

using covenant::engine::store::Backend;
using covenant::engine::store::parse_database_url;

TEST_CASE("SQLite URLs and plain paths name a file") {
  auto a = parse_database_url("sqlite:///var/lib/covenant/c.db");
  REQUIRE(a);
  CHECK(a->backend == Backend::Sqlite);
  CHECK(a->connect == "/var/lib/covenant/c.db");
  auto b = parse_database_url("sqlite:data/c.db");
  REQUIRE(b);
  CHECK(b->connect == "data/c.db");
  auto c = parse_database_url("covenant.db");
  REQUIRE(c);
  CHECK(c->backend == Backend::Sqlite);
  CHECK(c->connect == "covenant.db");
}

TEST_CASE("PostgreSQL URLs become libpq key=value strings") {
  auto u =
      parse_database_url("postgresql://alice:s%40cret@127.0.0.1:5433/covenant?sslmode=disable");
  REQUIRE(u);
  CHECK(u->backend == Backend::Postgres);
  CHECK(u->connect ==
        "user='alice' password='s@cret' host='127.0.0.1' port='5433' dbname='covenant' "
        "sslmode='disable'");
  auto quoted = parse_database_url("postgres://o'neil@db/x");
  REQUIRE(quoted);
  CHECK(quoted->connect == "user='o\\'neil' host='db' dbname='x'");
}

TEST_CASE("Bad database URLs say what is wrong") {
  CHECK(parse_database_url("").error() == "the database URL is empty");
  CHECK(parse_database_url("mysql://x/y").error().find("unsupported database scheme 'mysql'") !=
        std::string::npos);
  CHECK(parse_database_url("postgresql://h:port/db").error().find("bad port") != std::string::npos);
  auto bad_pw = parse_database_url("postgresql://u:%zz@h/db");
  REQUIRE_FALSE(bad_pw);
  CHECK(bad_pw.error().find("password") != std::string::npos);
  CHECK(bad_pw.error().find("%zz") == std::string::npos);  // never echo a password
  CHECK_FALSE(parse_database_url("sqlite://"));
  CHECK_FALSE(parse_database_url("postgresql://h/db?novalue"));
}

TEST_CASE("A database URL in a log line never shows its password") {
  using covenant::engine::store::redact_database_url;
  CHECK(redact_database_url("postgresql://app:s3cr%40t@db:5432/cov") ==
        "postgresql://app:***@db:5432/cov");
  CHECK(redact_database_url("postgres://app@db/cov") == "postgres://app@db/cov");
  CHECK(redact_database_url("postgresql://db/cov?user=app&password=hunter2&sslmode=require") ==
        "postgresql://db/cov?user=app&password=***&sslmode=require");
  CHECK(redact_database_url("postgresql://db/cov?password=x") ==
        "postgresql://db/cov?password=***");
  CHECK(redact_database_url("sqlite:covenant.db") == "sqlite:covenant.db");
  // an @ after the path is not user info
  CHECK(redact_database_url("postgresql://db/c@v") == "postgresql://db/c@v");
}
