// What really differs between SQLite and PostgreSQL, and nothing else: how a write
// transaction begins, row locking, SKIP LOCKED, and how driver errors sort into retryable,
// conflict and the rest. This is the one place allowed to ask which database it is.
#pragma once

#include "engine/error.hpp"
#include "engine/store/database_url.hpp"

#include <soci/soci.h>

#include <string>
#include <utility>
#include <vector>

namespace covenant::engine::store {

class Dialect {
 public:
  explicit Dialect(Backend b) : backend_(b) {}
  Backend backend() const { return backend_; }
  const char* name() const { return backend_ == Backend::Sqlite ? "sqlite" : "postgres"; }
  // SQLite takes the write lock up front, so two writers never deadlock upgrading.
  const char* begin() const { return backend_ == Backend::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN"; }
  // For a transaction whose loss in a crash is harmless, such as a claim (the task is just
  // claimed again): its commit does not wait for the disk, and the next durable commit
  // carries it there. PostgreSQL: synchronous_commit off for this transaction (after BEGIN).
  // SQLite: synchronous=NORMAL around it (before BEGIN, FULL again after the end; WAL mode
  // then skips the fsync at commit but still syncs checkpoints, so nothing committed durably
  // before is put at risk).
  const char* relaxed_before_begin() const {
    return backend_ == Backend::Sqlite ? "PRAGMA synchronous=NORMAL" : nullptr;
  }
  const char* relaxed_after_begin() const {
    return backend_ == Backend::Sqlite ? nullptr : "SET LOCAL synchronous_commit TO OFF";
  }
  const char* relaxed_after_end() const {
    return backend_ == Backend::Sqlite ? "PRAGMA synchronous=FULL" : nullptr;
  }
  // Appended to a SELECT that reads a row the transaction will write.
  // Makes the transaction's lock waits short (PostgreSQL; SQLite has one writer at a time).
  const char* short_lock_wait() const {
    return backend_ == Backend::Sqlite ? nullptr : "SET LOCAL lock_timeout = '2s'";
  }
  // Counts the tables named by its one parameter (0 or 1).
  const char* has_table() const {
    return backend_ == Backend::Sqlite
               ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :t"
               : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                 "current_schema() AND table_name = :t";
  }
  const char* lock_row() const { return backend_ == Backend::Sqlite ? "" : " FOR UPDATE"; }
  // Appended to a SELECT of rows of `table` (its name or alias) to lock them, passing over
  // those another transaction holds instead of waiting (SQLite: one writer, nothing to skip).
  std::string lock_skipping(const char* table) const {
    return backend_ == Backend::Sqlite ? ""
                                       : std::string(" FOR UPDATE OF ") + table + " SKIP LOCKED";
  }
  // Appended to a SELECT that claims work rows, so workers do not queue on each other.
  const char* claim_rows() const {
    return backend_ == Backend::Sqlite ? "" : " FOR UPDATE SKIP LOCKED";
  }
  // A row source for batched writes: the named parameter `param` holds a JSON array of
  // arrays, one per row; `columns` names each position and whether it is an integer. Gives
  // "(SELECT … ) AS x" with the columns named, so one statement writes many rows.
  using Columns = std::vector<std::pair<const char*, bool>>;
  std::string json_rows(const char* param, const Columns& columns) const;
  // "column IN (the first value of each row of the JSON array parameter `param`)", as an
  // index lookup on both databases (PostgreSQL: = ANY(ARRAY(…)), which the planner never
  // turns into a scan of the table, whatever its statistics say).
  std::string in_rows(const char* column, const char* param, bool integer) const;
  // Sorts a driver error: Unavailable (busy, serialization failure, deadlock: retry),
  // Conflict (unique violation), Internal (anything else).
  ErrorCode classify(const soci::soci_error& e) const;

 private:
  Backend backend_;
};

}  // namespace covenant::engine::store
