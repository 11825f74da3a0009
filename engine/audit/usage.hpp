// Usage: what a namespace did in a calendar month (UTC), counted from its own records — the
// history, the documents table — so the totals a billing system reads are exact and can be
// recounted by anyone holding the same records: transitions (history rows), instances started,
// activity calls per system (every attempt that reached an activity, by the activity's prefix:
// billing, crm, notify, …; compensations included), approvals requested and decisions made,
// documents first stored and their bytes. With what it holds now and its quota.
#pragma once

#include "engine/store/store.hpp"

#include <map>
#include <string>

namespace covenant::engine::audit {

struct MonthlyUsage {
  std::string ns, month;  // YYYY-MM
  std::int64_t from_us = 0, to_us = 0;
  store::UsageCounts counts;
  std::map<std::string, std::int64_t> activity_calls;  // by system
  std::int64_t approvals_requested = 0, approval_decisions = 0;
  store::Holdings holdings;  // now
  store::Quota quota;
};

// Namespace `ns`'s usage in `month` (YYYY-MM). Errors: InvalidArgument (not a month or a
// namespace).
Result<MonthlyUsage> monthly_usage(store::Store& store, const std::string& ns,
                                   const std::string& month);
nlohmann::json usage_json(const MonthlyUsage& u);

}  // namespace covenant::engine::audit
