#include "engine/store/dialect.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace covenant::engine::store {

std::string Dialect::json_rows(const char* param, const Columns& columns) const {
  std::string sql = "(SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    auto [name, integer] = columns[i];
    std::string at = std::to_string(i);
    if (i) sql += ", ";
    if (backend_ == Backend::Sqlite)
      sql += "json_extract(value, '$[" + at + "]')";  // integers stay integers
    else if (integer)
      sql += "CAST(e->>" + at + " AS BIGINT)";
    else
      sql += "e->>" + at;
    sql += std::string(" AS ") + name;
  }
  if (backend_ == Backend::Sqlite)
    sql += std::string(" FROM json_each(:") + param + ")) AS x";
  else
    sql += std::string(" FROM jsonb_array_elements(CAST(:") + param + " AS jsonb)) AS e) AS x";
  return sql;
}

std::string Dialect::in_rows(const char* column, const char* param, bool integer) const {
  if (backend_ == Backend::Sqlite)
    return std::string(column) +
           " IN (SELECT json_extract(value, '$[0]') FROM json_each(:" + param + "))";
  return std::string(column) + " = ANY(ARRAY(SELECT " +
         (integer ? "CAST(e->>0 AS BIGINT)" : "e->>0") +
         " FROM jsonb_array_elements(CAST(:" + param + " AS jsonb)) AS e))";
}

ErrorCode Dialect::classify(const soci::soci_error& e) const {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    std::string state = pg->sqlstate();
    if (state == "40001" || state == "40P01" || state == "55P03") return ErrorCode::Unavailable;
    if (state == "23505") return ErrorCode::Conflict;
    if (state.rfind("08", 0) == 0) return ErrorCode::Unavailable;  // connection exceptions
    if (state == "57P01" || state == "57P02" || state == "57P03")  // the server shut down
      return ErrorCode::Unavailable;
    if (state == "XX001" || state == "XX002") return ErrorCode::Corrupted;  // data, index
    return ErrorCode::Internal;
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    int rc = lite->result() & 0xff;
    if (rc == 5 || rc == 6) return ErrorCode::Unavailable;  // SQLITE_BUSY, SQLITE_LOCKED
    if (lite->result() == 2067 || lite->result() == 1555) return ErrorCode::Conflict;  // UNIQUE, PK
    if (rc == 19) return ErrorCode::Conflict;               // SQLITE_CONSTRAINT
    if (rc == 11 || rc == 26) return ErrorCode::Corrupted;  // SQLITE_CORRUPT, SQLITE_NOTADB
    return ErrorCode::Internal;
  }
  std::string msg = e.get_error_message();
  if (msg.find("database is locked") != std::string::npos) return ErrorCode::Unavailable;
  return ErrorCode::Internal;
}

}  // namespace covenant::engine::store
