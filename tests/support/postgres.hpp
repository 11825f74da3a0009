// Access to the throwaway PostgreSQL server that scripts/with-test-postgres starts.
// TestDatabase creates a fresh, uniquely named database for one test and drops it after,
// so PostgreSQL tests never share state. Tests tagged [postgres] need COVENANT_TEST_PG;
// without it they fail with a message saying how to run them (`make test` sets it).
#pragma once

#include <string>

namespace covenant::testing {

// The server's URL from COVENANT_TEST_PG. Fails the current test when it is not set.
std::string postgres_server_url();

class TestDatabase {
 public:
  // An empty database (a test that loads its own schema, an upgrade fixture, say).
  TestDatabase();
  // A database with Covenant's schema applied — and, `partitioned`, its history and work
  // tables split by instance — copied from a template made once per server and schema (the
  // migrations' digest names it), so a test does not pay for the migrations again.
  enum class Schema { Current, Partitioned };
  explicit TestDatabase(Schema schema);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // postgresql:// URL of this test's own database, as the application role `covenant_app`
  // (an ordinary role owning the database: row-level security applies to it).
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace covenant::testing
