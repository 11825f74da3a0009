// Numbered schema migrations per dialect (engine/store/migrations/<dialect>/NNN_name.sql),
// built into the binary and applied at start-up, each in its own transaction, and recorded
// in schema_migrations. Append-only: never edit an applied migration.
#pragma once

#include <string>
#include <vector>

namespace covenant::engine::store {

struct Migration {
  const char* dialect;  // "sqlite" or "postgres"
  int number;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& embedded_migrations();

}  // namespace covenant::engine::store
