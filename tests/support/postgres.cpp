#include "tests/support/postgres.hpp"

#include "engine/store/database_url.hpp"
#include "engine/store/session.hpp"

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

TestDatabase::TestDatabase() : server_(postgres_server_url()) {
  static std::atomic<int> counter{0};
  name_ = "covenant_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = admin_session(server_);
  *admin << "DROP DATABASE IF EXISTS " + name_;
  *admin << "CREATE DATABASE " + name_;
  auto slash = server_.rfind('/');
  url_ = server_.substr(0, slash + 1) + name_;
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
