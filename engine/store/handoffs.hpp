// Handoffs (handoffs.cpp, store.handoffs): when each handoff of contract-to-cash was first
// reached, per instance of a workflow whose states mark milestones — signed, extracted,
// approved, provisioned, invoiced (workflows::kMilestones, in that order). The runtime stages a
// row per transition that reaches one (or starts or ends the instance) in its WriteBatch, and
// the flush upserts it in the transition's own transaction: a milestone once reached keeps its
// first time. The handoff view reads them filtered by the contract's kind, customer, owner and
// currency, which the store copies from book_index.
#pragma once

#include "engine/error.hpp"
#include "engine/store/book_views.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;
class Tx;

inline constexpr std::size_t kHandoffCount = 5;

struct HandoffRow {
  std::string instance_id, workflow, contract_id;
  std::string kind, customer, owner, currency;  // as the book has them ("" until booked)
  // running | completed | failed | cancelled | … (the instance's status once ended). In a
  // staged row, "" with ended_us 0: the instance has not ended in the transition.
  std::string status;
  std::int64_t started_us = 0, ended_us = 0;        // 0: not ended
  std::array<std::int64_t, kHandoffCount> at_us{};  // 0: not reached
  std::int64_t span_us = -1;                        // signed to invoiced; -1 until both
};

// Folds a later transition's row into an earlier one of the same instance (one batch may hold
// several): each milestone keeps its first time, the end its last.
void merge_handoff(HandoffRow& into, const HandoffRow& later);

// Where a page goes on from: the last row's sort key and instance id.
struct HandoffKey {
  std::int64_t number = 0;
  std::string instance_id;
};

struct HandoffPage {
  std::vector<HandoffRow> rows;
  std::optional<HandoffKey> next;
};

// One instance's milestone times (0: not reached) and whether it still runs.
struct HandoffTimes {
  std::array<std::int64_t, kHandoffCount> at_us{};
  bool running = false;
};

class Handoffs {
 public:
  explicit Handoffs(Store& db) : db_(db) {}

  // Upserts `row` in `tx` (a transition's, Store::flush). Errors: InvalidArgument.
  Result<void> save(Tx& tx, const std::string& ns, const HandoffRow& row);
  // Many rows in one transaction (a generated book). Returns how many.
  Result<std::size_t> save_many(const std::string& ns, const std::vector<HandoffRow>& rows);

  // One instance's row, if it has one.
  Result<std::optional<HandoffRow>> of_instance(const std::string& ns,
                                                const std::string& instance_id);
  // Every matching instance's times (the distributions are computed from them).
  Result<std::vector<HandoffTimes>> times(const std::string& ns, const ViewFilter& f);
  // Those that reached the last handoff, the longest from signed to invoiced first.
  Result<HandoffPage> slowest(const std::string& ns, const ViewFilter& f,
                              const std::optional<HandoffKey>& after, int limit);
  // Those still running that have not reached it, the longest started first.
  Result<HandoffPage> in_flight(const std::string& ns, const ViewFilter& f,
                                const std::optional<HandoffKey>& after, int limit);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
