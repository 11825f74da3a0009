// Namespaces (namespaces.cpp): each namespace's quotas, and the counts its usage is metered
// from. A quota bounds how many instances run at once and how many bytes of documents it
// stores; it is checked inside the transaction that would cross it (Store::flush for a start,
// Documents::put for a document), under a lock on the namespace's quota row, so two writers at
// once cannot both take the last place.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace covenant::engine::store {

struct Quota {
  std::int64_t running_instances = 0;  // 0: no limit
  std::int64_t document_bytes = 0;     // 0: no limit
};

// What a namespace did in [from, to), counted from its records.
struct UsageCounts {
  std::int64_t transitions = 0;                    // history rows: one per transition
  std::int64_t instances_started = 0;              // instances created
  std::int64_t documents = 0, document_bytes = 0;  // documents first stored
};

// What a namespace holds now.
struct Holdings {
  std::int64_t running_instances = 0;
  std::int64_t documents = 0, document_bytes = 0;
};

class Namespaces {
 public:
  explicit Namespaces(Store& db) : db_(db) {}
  // Sets namespace `ns`'s quota (an event "quota.set" by `actor` in its log). Errors:
  // InvalidArgument (a negative limit, a bad namespace).
  Result<void> set_quota(const std::string& ns, const Quota& q, std::int64_t now_us,
                         const std::string& actor);
  // Its quota: all zeros (no limit) when none was set.
  Result<Quota> quota(const std::string& ns);
  Result<Holdings> holdings(const std::string& ns);
  Result<UsageCounts> counts(const std::string& ns, std::int64_t from_us, std::int64_t to_us);
  // Every namespace known (with a principal, a definition or a quota) or holding anything,
  // with what it holds (operators: counts, no data).
  Result<std::map<std::string, Holdings>> all_holdings();

  // Inside a write transaction: ResourceExhausted when namespace `ns` runs more instances, or
  // stores more document bytes, than its quota (the transaction is then rolled back).
  Result<void> check_running(Tx& tx, const std::string& ns);
  Result<void> check_documents(Tx& tx, const std::string& ns);

 private:
  // The quota row locked for this transaction (nullopt: no quota).
  std::optional<Quota> locked_quota(Tx& tx, const std::string& ns);
  Store& db_;
};

}  // namespace covenant::engine::store
