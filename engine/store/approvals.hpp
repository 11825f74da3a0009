// Approvals as the API reads them, per-approver callback tokens, decisions delivered with a
// client-chosen id, and delegations (approvals.cpp). A transition writes its approval
// rows through its WriteBatch; a decision's own rows (its token used, its answer kept) are
// written here in the decision's transaction.
#pragma once

#include "engine/error.hpp"
#include "engine/store/records.hpp"
#include "engine/store/tx.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

// A per-approver callback token (its SHA-256; the token itself is never stored).
struct ApprovalTokenRow {
  std::string token_hash, approval_id, principal, on_behalf_of;
  std::int64_t expires_us = 0, used_us = 0, created_us = 0;
  std::string ns;  // the approval's namespace
};

// A decision delivered with a client-chosen id, and the answer it got.
struct DecisionRow {
  std::string decision_id, approval_id, principal;
  nlohmann::json request, response;
  std::int64_t created_us = 0;
  std::string ns;  // decision ids are the client's: unique within a namespace
};

// `delegate` may decide for `delegator` from starts_us (inclusive) to ends_us (exclusive),
// once in force: created by the delegator, or approved by a second admin (needs_approval).
struct DelegationRow {
  std::int64_t id = 0;
  std::string delegator, delegate;
  std::int64_t starts_us = 0, ends_us = 0;
  std::string created_by;
  std::int64_t created_us = 0, revoked_us = 0;
  bool needs_approval = false;
  std::string approved_by;
  std::int64_t approved_us = 0;
  std::string revoked_by;
  std::string ns;  // the delegator's and delegate's namespace
  bool in_force() const { return !needs_approval || !approved_by.empty(); }
};

class Approvals {
 public:
  explicit Approvals(Store& db) : db_(db) {}
  Result<void> save(Tx& tx, const ApprovalRow& a);
  // Reads in `scope`: another namespace's approvals are not there.
  Result<std::optional<ApprovalRow>> get(const Scope& scope, const std::string& id);
  // Open approvals any of `roles` may decide (all when `roles` is empty), oldest first,
  // after the cursor (opened_us, id).
  Result<std::vector<ApprovalRow>> open(const Scope& scope, const std::vector<std::string>& roles,
                                        std::int64_t after_us, const std::string& after_id,
                                        int limit);
  Result<std::vector<ApprovalRow>> of_instance(const Scope& scope, const std::string& instance_id);

  Result<void> add_token(const ApprovalTokenRow& t);
  // A callback token by its hash, in whichever namespace (the row names it).
  Result<std::optional<ApprovalTokenRow>> token(const std::string& token_hash);
  // Marks an unused token used; false if it was used already.
  Result<bool> use_token(Tx& tx, const std::string& token_hash, std::int64_t now_us);

  Result<std::optional<DecisionRow>> decision(Tx& tx, const std::string& ns,
                                              const std::string& decision_id);
  Result<void> insert_decision(Tx& tx, const DecisionRow& d);

  Result<std::int64_t> add_delegation(const DelegationRow& d);
  Result<std::vector<DelegationRow>> delegations(const Scope& scope, const std::string& principal);
  // Unrevoked delegations to `delegate` whose window contains `at_us`.
  Result<std::vector<DelegationRow>> active_delegations(const Scope& scope,
                                                        const std::string& delegate,
                                                        std::int64_t at_us);
  Result<void> revoke_delegation(const Scope& scope, std::int64_t id, std::int64_t now_us,
                                 const std::string& by = "");
  // Puts a delegation that waits for a second admin in force. Errors: NotFound;
  // FailedPrecondition (it needs no approval, is approved already, or is revoked).
  Result<void> approve_delegation(const Scope& scope, std::int64_t id, const std::string& by,
                                  std::int64_t now_us);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
