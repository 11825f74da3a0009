// Verifying the history: every instance's hash chain recomputed from the rows as stored,
// page by page (bounded memory), and checked against the instance's own record of where its
// chain ends, so an edited row, a deleted one, a re-ordered pair and a cut-off tail are all
// reported with the instance and the first broken sequence number. Read-only.
#pragma once

#include "engine/store/store.hpp"

#include <functional>

namespace covenant::engine::audit {

struct Break {
  std::string instance_id, business_key;
  std::int64_t seq = 0;  // the first event whose link is broken
  std::string reason;
};

struct VerifyReport {
  std::int64_t instances = 0, events = 0;
  std::vector<Break> breaks;  // at most one per instance: its first
  bool intact() const { return breaks.empty(); }
};

// All instances in `scope`, or only `instance_id` when given (NotFound when there is no such
// instance there).
Result<VerifyReport> verify(store::Store& store, const store::Scope& scope,
                            const std::string& instance_id = "", int page_size = 1000);

// The hash an event row should have (the chain's rule, engine/history/hash_chain.hpp), or why
// it cannot have one (a payload that is not JSON, an unknown event type).
tl::expected<std::string, std::string> row_hash(const store::HistoryRow& row);

}  // namespace covenant::engine::audit
