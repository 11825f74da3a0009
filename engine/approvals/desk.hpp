// ApprovalDesk: the decision protocol around the engine's approval gates. It issues the
// single-use, expiring, per-approver callback tokens (256 random bits, stored only as their
// SHA-256), authenticates them, resolves delegations (someone deciding for someone else
// inside a date window, recorded as "X for Y"), and submits decisions so that a repeated or
// concurrent delivery counts once: a client-chosen decision id makes a repeat return the
// first answer, and the token is spent in the transaction that records the decision.
// The engine itself (decide_approval.cpp) checks eligibility, separation of duties, the
// digest and the quorum. Thread-safe (the store and runtime are).
#pragma once

#include "engine/auth/principals.hpp"
#include "engine/runtime/runtime.hpp"

#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::approvals {

// Token format: "cbt_" followed by 64 hex digits.
inline constexpr const char* kCallbackTokenPrefix = "cbt_";

// Who is deciding: a principal authenticated by bearer token, or by a callback token (which
// is bound to one approval and possibly to a delegator).
struct Approver {
  auth::Principal principal;
  std::string token_hash;    // set when authenticated by a callback token
  std::string approval_id;   // the approval the callback token is for
  std::string on_behalf_of;  // the delegator the callback token was issued for
  // A callback token already used for a decision: it only gets that decision's recorded
  // answer again (a replay with the same decision id), and nothing else.
  bool spent = false;
};

struct DecisionRequest {
  std::string approval_id;
  std::string decision_id;  // optional, client-chosen
  bool approve = false;
  std::string comment;
  std::string digest;        // the subject digest the approver saw
  std::string on_behalf_of;  // optional: decide as a delegate of this principal
  // Send the data back (the gate's on_changes_requested) instead; `approve` is false.
  bool request_changes = false;
};

// Someone who may decide an approval, as the notifier tells them.
struct Recipient {
  std::string principal;
  std::string on_behalf_of;  // "" unless a delegate
};

struct Delegation {
  std::string delegator, delegate;
  std::int64_t starts_us = 0, ends_us = 0;
};

class ApprovalDesk {
 public:
  ApprovalDesk(runtime::Runtime& rt, auth::Principals& principals, const Clock& clock,
               IdSource& ids)
      : rt_(rt), store_(rt.store()), principals_(principals), clock_(clock), ids_(ids) {}

  // A new callback token for `recipient` at `approval_id` (of namespace `ns`), valid until
  // `expires_us`.
  Result<std::string> issue_token(const std::string& ns, const std::string& approval_id,
                                  const Recipient& recipient, std::int64_t expires_us);
  // A used token authenticates with `spent` set (it may only replay its decision); errors:
  // PermissionDenied (unknown, malformed or expired token, or its principal revoked; the
  // message says which, never the token).
  Result<Approver> authenticate_token(const std::string& token);

  // Submits a decision. Returns the answer ({approval_id, decision_id, approver,
  // on_behalf_of, decision, status}); a repeat of a recorded decision id returns the recorded
  // answer with "repeated": true. Errors: NotFound (no such approval), FailedPrecondition
  // (closed approval, stale digest), PermissionDenied (token for another approval, role,
  // separation of duties, delegation), Conflict (already decided; decision id reused for a
  // different decision), InvalidArgument.
  Result<nlohmann::json> decide(const Approver& who, const DecisionRequest& req);

  // Open approvals of `who`'s namespace that they may decide (their roles and their delegators'),
  // oldest first, after the cursor (opened_us, id): not those they decided already, nor those of
  // instances they started or changed.
  Result<std::vector<store::ApprovalRow>> inbox(const auth::Principal& who, std::int64_t after_us,
                                                const std::string& after_id, int limit);
  // Everyone who may decide an open approval now: principals holding an eligible role, and
  // their active delegates; minus whoever started or changed the instance, when the gate
  // keeps separation of duties.
  Result<std::vector<Recipient>> recipients(const store::ApprovalRow& a);

  // Delegations belong to the delegator: created by the delegator they are in force at once;
  // created by an admin for someone else (`by_admin`) they wait for a second admin
  // (approve_delegation). Errors: InvalidArgument (empty window, self-delegation, unknown
  // principal), PermissionDenied (someone else's authority, not as an admin).
  // Both principals must be of namespace `ns`.
  Result<std::int64_t> delegate(const std::string& ns, const Delegation& d,
                                const std::string& created_by, bool by_admin);
  // A second admin puts a pending delegation in force: not its creator, delegator or
  // delegate. Errors: NotFound, PermissionDenied, FailedPrecondition (not pending).
  Result<void> approve_delegation(const std::string& ns, std::int64_t id, const std::string& admin);

 private:
  // The delegation `who` acts under at `a` (explicitly named, or the only one that gives an
  // eligible role when `who` holds none), and the roles that go with it.
  Result<std::pair<std::string, std::vector<std::string>>> authority(const Approver& who,
                                                                     const std::string& named,
                                                                     const store::ApprovalRow& a);
  // decide() without the replay fallback.
  Result<nlohmann::json> decide_once(const Approver& who, const DecisionRequest& req,
                                     const nlohmann::json& request);

  runtime::Runtime& rt_;
  store::Store& store_;
  // Not read by the desk today (clang warns of an unused field); its callers still pass it.
  [[maybe_unused]] auth::Principals& principals_;
  const Clock& clock_;
  IdSource& ids_;
};

}  // namespace covenant::engine::approvals
