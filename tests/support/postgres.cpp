#include "tests/support/postgres.hpp"

#include "engine/store/database_url.hpp"
#include "engine/store/migrations.hpp"
#include "engine/store/session.hpp"
#include "engine/store/store.hpp"
#include "workflows/sha256.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace covenant::testing {
namespace {

std::unique_ptr<soci::session> admin_session(const std::string& server_url) {
  auto url = engine::store::parse_database_url(server_url);
  if (!url) FAIL("COVENANT_TEST_PG is not a usable URL: " << url.error());
  auto s = engine::store::open_session(*url);
  if (!s) FAIL("cannot reach the test PostgreSQL server: " << s.error().message);
  return std::move(*s);
}

}  // namespace

std::string postgres_server_url() {
  const char* url = std::getenv("COVENANT_TEST_PG");
  if (!url || !*url)
    FAIL(
        "COVENANT_TEST_PG is not set: run PostgreSQL tests with `make test` or "
        "`scripts/with-test-postgres ctest --test-dir build -L postgres`");
  return url;
}

namespace {

std::string database_url(const std::string& server, const std::string& name) {
  return server.substr(0, server.rfind('/') + 1) + name;
}

// The role tests connect as: an ordinary one that owns its databases, as Covenant is run in
// production (a superuser would pass over the row-level security of migration 018).
constexpr const char* kAppRole = "covenant_app";

// `name` on the server as the application role.
std::string app_url(const std::string& server, const std::string& name) {
  std::string url = database_url(server, name);
  auto scheme = url.find("://") + 3;
  auto at = url.find('@', scheme);
  auto host = at == std::string::npos ? scheme : at + 1;
  return url.substr(0, scheme) + kAppRole + "@" + url.substr(host);
}

void ensure_app_role(soci::session& admin) {
  admin << "SELECT pg_advisory_lock(7147)";
  int n = 0;
  std::string role = kAppRole;
  admin << "SELECT COUNT(*) FROM pg_roles WHERE rolname = :r", soci::use(role), soci::into(n);
  if (n == 0) admin << std::string("CREATE ROLE ") + kAppRole + " LOGIN NOSUPERUSER NOBYPASSRLS";
  admin << "SELECT pg_advisory_unlock(7147)";
}

// The template's name: the schema it holds (the migrations' digest) and whether it is split.
std::string template_name(TestDatabase::Schema schema) {
  std::string all;
  for (const auto& m : engine::store::embedded_migrations())
    if (std::string(m.dialect) == "postgres") all += std::string(m.name) + '\n' + m.sql;
  std::string digest = workflows::sha256_hex(all).substr(0, 16);
  return "covenant_app_template_" + digest +
         (schema == TestDatabase::Schema::Partitioned ? "_partitioned" : "");
}

// Makes the template once per server: under an advisory lock, so test processes running side
// by side neither build it twice nor copy it half made.
void ensure_template(soci::session& admin, const std::string& server, const std::string& name,
                     TestDatabase::Schema schema) {
  admin << "SELECT pg_advisory_lock(7146)";
  try {
    int n = 0;
    admin << "SELECT COUNT(*) FROM pg_database WHERE datname = :n", soci::use(name), soci::into(n);
    if (n == 0) {
      std::string building = name + "_building";
      admin << "DROP DATABASE IF EXISTS " + building + " WITH (FORCE)";
      admin << "CREATE DATABASE " + building + " OWNER " + kAppRole;
      {
        auto store = engine::store::Store::open(app_url(server, building), 1);
        if (!store) FAIL("cannot make the test template: " << store.error().message);
        if (schema == TestDatabase::Schema::Partitioned)
          if (auto p = (*store)->partition_by_instance(4); !p)
            FAIL("cannot partition the test template: " << p.error().message);
      }
      admin << "ALTER DATABASE " + building + " RENAME TO " + name;
    }
  } catch (...) {
    admin << "SELECT pg_advisory_unlock(7146)";
    throw;
  }
  admin << "SELECT pg_advisory_unlock(7146)";
}

}  // namespace

TestDatabase::TestDatabase() : server_(postgres_server_url()) {
  static std::atomic<int> counter{0};
  name_ = "covenant_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = admin_session(server_);
  ensure_app_role(*admin);
  *admin << "DROP DATABASE IF EXISTS " + name_;
  *admin << "CREATE DATABASE " + name_ + " OWNER " + kAppRole;
  url_ = app_url(server_, name_);
}

TestDatabase::TestDatabase(Schema schema) : server_(postgres_server_url()) {
  static std::atomic<int> counter{0};
  name_ = "covenant_test_" + std::to_string(getpid()) + "_s" + std::to_string(counter++);
  auto admin = admin_session(server_);
  std::string from = template_name(schema);
  ensure_app_role(*admin);
  ensure_template(*admin, server_, from, schema);
  *admin << "DROP DATABASE IF EXISTS " + name_;
  *admin << "CREATE DATABASE " + name_ + " OWNER " + kAppRole + " TEMPLATE " + from;
  url_ = app_url(server_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    auto admin = admin_session(server_);
    *admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
  } catch (...) {
    // A failed clean-up must not turn into std::terminate; the server is thrown away anyway.
  }
}

}  // namespace covenant::testing
