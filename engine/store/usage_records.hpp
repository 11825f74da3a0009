// UsageRecords (usage_records.cpp): metered usage per contract, one row per usage event its
// source sent, keyed by the source's event id within the namespace. Recording is idempotent
// (the same event again adds nothing) and refuses an event id reused with other values. Rows are
// never changed. Totals are summed in checked arithmetic.
#pragma once

#include "engine/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;

struct UsageRecord {
  std::string event_id, contract_id, metric;
  std::int64_t quantity = 0;     // ≥ 0
  std::int64_t occurred_us = 0;  // when it was used
  std::int64_t recorded_us = 0;  // when Covenant recorded it (set by record)
};

struct UsageRecorded {
  int added = 0, repeated = 0;
};

struct UsageTotal {
  std::int64_t quantity = 0, records = 0;
};

class UsageRecords {
 public:
  explicit UsageRecords(Store& db) : db_(db) {}
  // Records `rows` in namespace `ns`, all or none, at `now_us`. An event id seen before with
  // the same contract, metric, quantity and time is a repeat (counted, not added); with other
  // values the whole batch is refused (Conflict naming it). Errors: InvalidArgument (bad
  // namespace, negative quantity, empty ids), Conflict.
  Result<UsageRecorded> record(const std::string& ns, const std::vector<UsageRecord>& rows,
                               std::int64_t now_us);
  // The total of (contract, metric) over [from_us, to_us). FailedPrecondition when the sum
  // passes 2^63 − 1 (never wrapped).
  Result<UsageTotal> total(const std::string& ns, const std::string& contract_id,
                           const std::string& metric, std::int64_t from_us, std::int64_t to_us);

 private:
  Result<UsageRecorded> record_once(const std::string& ns, const std::vector<UsageRecord>& rows,
                                    std::int64_t now_us);
  Store& db_;
};

}  // namespace covenant::engine::store
