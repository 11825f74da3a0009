// Database URLs, as users write them, and what SOCI needs to open them.
//   sqlite:///var/lib/covenant/covenant.db   sqlite:relative/path.db   a plain file path
//   postgresql://user:password@host:port/dbname?sslmode=disable   (also postgres://)
// SOCI's PostgreSQL backend does not take URLs, so they become libpq "key=value" strings.
// Pure functions; thread-safe.
#pragma once

#include <tl/expected.hpp>

#include <string>

namespace covenant::engine::store {

enum class Backend { Sqlite, Postgres };

struct DatabaseUrl {
  Backend backend;
  std::string connect;  // SQLite: the file path; PostgreSQL: libpq key=value pairs
};

// Fails with a message saying what is wrong with the URL (never echoing a password).
tl::expected<DatabaseUrl, std::string> parse_database_url(const std::string& url);

// The URL with any password replaced by "***" (in the user info and a password= parameter),
// for logs and messages.
std::string redact_database_url(const std::string& url);

}  // namespace covenant::engine::store
