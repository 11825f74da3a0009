// Contracts (contracts.cpp): the book of contracts — each agreement, SOW and amendment a
// workflow carried to its financial writes, with the state it stands in (terms, products,
// plan, revenue schedule, what was written; JSON text the store does not read). A document is
// linked to its parent agreement through it. Recording is idempotent (the same contract with
// the same state again is a repeat; with another state it is refused). An amendment moves its
// parent's state on one version, fenced: only from the version it was computed against.
#pragma once

#include "engine/error.hpp"
#include "engine/store/book_views.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;
class Tx;

struct ContractRow {
  std::string contract_id;
  std::string kind;       // agreement | msa | sow | order_form | amendment
  std::string parent_id;  // "" when none
  std::string title, title_key, agreement_date, customer;  // "" when unknown
  std::int64_t version = 1;
  std::string state;         // JSON text
  std::string state_sha256;  // of `state` (set by the store)
  std::string instance_id;
  std::int64_t recorded_us = 0, updated_us = 0;
  bool repeated = false;  // record / amend: it was there already, as given
  // What the views read of it (store.views), written with it when given; `contract_id` is the
  // row's.
  std::optional<ContractIndex> index;
};

class Contracts {
 public:
  explicit Contracts(Store& db) : db_(db) {}
  // Records a contract (an agreement, MSA, SOW or order form) at version 1. The same id again
  // with the same state: the stored row, `repeated`. With another state: Conflict. A parent
  // named must be in the book. Errors: InvalidArgument, NotFound (parent), Conflict.
  Result<ContractRow> record(const std::string& ns, const ContractRow& row, std::int64_t now_us);
  // Records many contracts (no amendments, no parents) in one transaction — a generated or
  // imported book; one already there is left as it is. Returns how many were added.
  Result<std::size_t> record_many(const std::string& ns, const std::vector<ContractRow>& rows,
                                  std::int64_t now_us);
  // Records amendment `a` of `a.parent_id` and sets the parent's state to `parent_state` at
  // version `based_on` + 1, in one transaction — only when the parent is still at `based_on`
  // (else Conflict: the agreement changed since the amendment was computed). The amendment
  // again with the same state: the stored row, `repeated`, nothing changed. `parent_index`,
  // when given, is the parent's index in its new state.
  Result<ContractRow> amend(const std::string& ns, const ContractRow& a, std::int64_t based_on,
                            const std::string& parent_state, std::int64_t now_us,
                            const std::optional<ContractIndex>& parent_index = std::nullopt);
  // Replaces a contract's state at its version — only when it is still at `version` and its
  // state is still the one whose SHA-256 is `state_sha256` (else Conflict: read it again). Settles
  // what was written after the contract was recorded; never moves the version.
  Result<void> settle(const std::string& ns, const std::string& contract_id, std::int64_t version,
                      const std::string& state_sha256, const std::string& state,
                      std::int64_t now_us);
  Result<std::optional<ContractRow>> get(const std::string& ns, const std::string& contract_id);
  // The contracts whose title_key is `title_key` or starts with it and a space ("master
  // subscription agreement and order form" for "master subscription agreement"), at most
  // `limit`, oldest first.
  Result<std::vector<ContractRow>> titled(const std::string& ns, const std::string& title_key,
                                          int limit);

 private:
  Result<ContractRow> write_once(const std::string& ns, const char* what,
                                 const std::function<Result<ContractRow>(Tx&)>& body);
  Store& db_;
};

}  // namespace covenant::engine::store
