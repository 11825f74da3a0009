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
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // postgresql:// URL of this test's own database.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace covenant::testing
