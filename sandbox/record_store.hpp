// RecordStore: a small document store on its own database file, for the sandbox of external
// systems (sandbox/): records of a system by kind and id (with an optional external id),
// and the idempotency keys the system has seen with the answer it gave. Not Covenant's own
// state: a separate database. Thread-safe: one session, one transaction at a time.
#pragma once

#include "engine/error.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace covenant::sandbox {

struct Record {
  std::string system, kind, id, external_id;
  nlohmann::json body;
  std::int64_t seq = 0;  // insertion order
};

struct RememberedAnswer {
  std::string request_hash;
  int status = 0;
  std::string body;
};

// Operations inside one transaction.
class RecordTx {
 public:
  explicit RecordTx(soci::session& s) : sql_(s) {}
  // Inserts, or replaces the body of an existing (system, kind, id).
  void put(const Record& r);
  std::optional<Record> get(const std::string& system, const std::string& kind,
                            const std::string& id);
  std::optional<Record> by_external_id(const std::string& system, const std::string& kind,
                                       const std::string& external_id);
  std::vector<Record> list(const std::string& system, const std::string& kind);
  std::optional<RememberedAnswer> answer(const std::string& system, const std::string& key);
  void remember(const std::string& system, const std::string& key, const RememberedAnswer& a);
  // A counter per name (ids like in_000001), incremented and returned.
  std::int64_t next(const std::string& name);
  void clear();

 private:
  soci::session& sql_;
};

class RecordStore {
 public:
  // Opens (creating its tables) the database at `url` (sqlite:PATH or postgresql://…).
  static engine::Result<std::unique_ptr<RecordStore>> open(const std::string& url);
  // Runs `fn` in one transaction: committed when it returns normally, rolled back when it
  // throws (driver errors become Internal/Unavailable errors).
  engine::Result<void> run(const std::function<void(RecordTx&)>& fn);

 private:
  explicit RecordStore(std::unique_ptr<soci::session> s) : session_(std::move(s)) {}
  std::mutex mu_;
  std::unique_ptr<soci::session> session_;  // GUARDED_BY(mu_)
};

}  // namespace covenant::sandbox
