// Metered usage as the activities see it: a contract's total of one metric over a period. The
// app implements it over the engine's store (app/usage_bridge.hpp); tests may implement it in
// memory. Implementations must be thread-safe.
#pragma once

#include "activities/documents.hpp"

#include <cstdint>
#include <string>

namespace covenant::activities {

struct UsageSum {
  std::int64_t quantity = 0, records = 0;
};

class UsageLedger {
 public:
  virtual ~UsageLedger() = default;
  // The usage of (contract, metric) in namespace `ns` from `from_day` (inclusive) to `to_day`
  // (exclusive), days since 1970-01-01 (UTC).
  virtual tl::expected<UsageSum, StoreError> total(const std::string& ns,
                                                   const std::string& contract_id,
                                                   const std::string& metric, std::int64_t from_day,
                                                   std::int64_t to_day) = 0;
};

}  // namespace covenant::activities
