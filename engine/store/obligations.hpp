// Obligations (obligations.cpp): the obligations register — what each contract obliges a party
// to do, as reviewed: deliverables, reports, certificates, audits, payment milestones, renewal
// windows. A contract's register is written whole, by the instance that carried the contract
// (the same instance again replaces it: a retried step; another instance is refused), and read
// per contract, soonest due first.
#pragma once

#include "engine/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;

struct ObligationRow {
  std::string contract_id, obligation_id, kind, owner;
  std::string due_date;  // YYYY-MM-DD, or "" when it counts from an event yet to happen
  std::string body;      // JSON text: the obligation as the register keeps it
  std::string instance_id;
  std::int64_t recorded_us = 0;
};

class Obligations {
 public:
  explicit Obligations(Store& db) : db_(db) {}
  // Replaces contract `contract_id`'s register with `rows` (at most 500), written by
  // `instance_id`. A register another instance wrote: Conflict. Errors: InvalidArgument.
  Result<std::size_t> replace(const std::string& ns, const std::string& contract_id,
                              const std::string& instance_id,
                              const std::vector<ObligationRow>& rows, std::int64_t now_us);
  // The contract's register: dated obligations by date, then the others, each by id.
  Result<std::vector<ObligationRow>> of_contract(const std::string& ns,
                                                 const std::string& contract_id);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
