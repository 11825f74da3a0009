// The webhook outbox (outbox.cpp): rows a transition stages in its WriteBatch, sent by
// the notifier after the commit.
#pragma once

#include "engine/error.hpp"
#include "engine/store/records.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Outbox {
 public:
  explicit Outbox(Store& db) : db_(db) {}
  Result<void> enqueue(Tx& tx, const std::vector<OutboxRow>& rows);
  // Pending rows due by `now_us` in every namespace, each pushed `lease_us` into the future so that
  // another notifier does not take it while it is being sent.
  Result<std::vector<OutboxRow>> claim(std::int64_t now_us, std::int64_t lease_us, int limit);
  Result<void> update(const OutboxRow& row);
  // An instance's webhooks ("": every instance's), in `scope`.
  Result<std::vector<OutboxRow>> of_instance(const Scope& scope, const std::string& instance_id);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
