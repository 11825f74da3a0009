#include "engine/approvals/desk.hpp"

#include "engine/runtime/side_records.hpp"
#include "engine/time_format.hpp"
#include "workflows/sha256.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace covenant::engine::approvals {

using nlohmann::json;

namespace {

std::set<std::string> eligible_roles(const store::ApprovalRow& a) {
  std::set<std::string> out;
  for (const auto& r : a.rules) out.insert(r.value("role", ""));
  return out;
}

bool holds_any(const std::vector<std::string>& roles, const std::set<std::string>& wanted) {
  return std::any_of(roles.begin(), roles.end(), [&](const auto& r) { return wanted.count(r); });
}

bool decided(const store::ApprovalRow& a, const std::string& who) {
  return std::any_of(a.decisions.begin(), a.decisions.end(), [&](const json& d) {
    return d.value("approver", "") == who || d.value("on_behalf_of", "") == who;
  });
}

}  // namespace

Result<std::string> ApprovalDesk::issue_token(const std::string& ns, const std::string& approval_id,
                                              const Recipient& recipient, std::int64_t expires_us) {
  std::string token = std::string(kCallbackTokenPrefix) + ids_.token();
  store::ApprovalTokenRow row{workflows::sha256_hex(token), approval_id, recipient.principal,
                              recipient.on_behalf_of,       expires_us,  0,
                              to_micros(clock_.now()),      ns};
  if (auto r = store_.approvals.add_token(row); !r) return tl::unexpected(r.error());
  return token;
}

namespace {
constexpr const char* kServicesDoNotDecide =
    "a service identity does not decide approvals: a person does";
}  // namespace

Result<Approver> ApprovalDesk::authenticate_token(const std::string& token) {
  auto denied = [](const std::string& why) { return fail(ErrorCode::PermissionDenied, why); };
  if (token.rfind(kCallbackTokenPrefix, 0) != 0 || token.size() != 4 + 64)
    return denied("malformed callback token");
  std::string hash = workflows::sha256_hex(token);
  auto t = store_.approvals.token(hash);
  if (!t) return tl::unexpected(t.error());
  if (!*t) return denied("unknown callback token");
  bool spent = (*t)->used_us != 0;  // a used token may replay its decision, whenever
  if (!spent && (*t)->expires_us <= to_micros(clock_.now()))
    return denied("this callback token has expired");
  if (!store::valid_namespace((*t)->ns)) return denied("this callback token names no namespace");
  auto p = store_.principals.get(store::Scope::of((*t)->ns), (*t)->principal);
  if (!p) return tl::unexpected(p.error());
  if (!*p || (*p)->revoked_us) return denied("the principal of this callback token is revoked");
  if ((*p)->kind == auth::Principal::kService) return denied(kServicesDoNotDecide);
  return Approver{{(*p)->name, (*p)->roles, (*p)->created_us, (*p)->revoked_us, "", (*p)->ns},
                  hash,
                  (*t)->approval_id,
                  (*t)->on_behalf_of,
                  spent};
}

Result<std::pair<std::string, std::vector<std::string>>> ApprovalDesk::authority(
    const Approver& who, const std::string& named, const store::ApprovalRow& a) {
  using Authority = std::pair<std::string, std::vector<std::string>>;
  const std::string& me = who.principal.name;
  auto wanted = eligible_roles(a);
  if (named.empty() || named == me) {
    if (holds_any(who.principal.roles, wanted) || !named.empty())
      return Authority{"", who.principal.roles};
  }
  auto scope = store::Scope::of(who.principal.ns);
  auto active = store_.approvals.active_delegations(scope, me, to_micros(clock_.now()));
  if (!active) return tl::unexpected(active.error());
  std::vector<Authority> candidates;
  for (const auto& d : *active) {
    if (!named.empty() && d.delegator != named) continue;
    auto p = store_.principals.get(scope, d.delegator);
    if (!p) return tl::unexpected(p.error());
    if (!*p || (*p)->revoked_us) continue;
    if (named.empty() && !holds_any((*p)->roles, wanted)) continue;
    candidates.emplace_back(d.delegator, (*p)->roles);
  }
  if (!named.empty() && candidates.empty())
    return fail(ErrorCode::PermissionDenied,
                me + " holds no delegation from " + named + " in force now", named);
  if (candidates.empty()) return Authority{"", who.principal.roles};  // the engine says why not
  if (candidates.size() > 1) {
    std::string names;
    for (const auto& c : candidates) names += (names.empty() ? "" : ", ") + c.first;
    return fail(ErrorCode::InvalidArgument,
                me + " holds delegations from " + names + ": name one in 'on_behalf_of'",
                "on_behalf_of");
  }
  return candidates.front();
}

namespace {

const char* decision_name(const DecisionRequest& req) {
  return req.request_changes ? "request_changes" : req.approve ? "approve" : "reject";
}

// The answer recorded for a decision id, marked as a repeat; Conflict when the id was used
// for a different decision.
Result<json> repeated(const store::DecisionRow& d, const json& request) {
  if (d.request != request)
    return fail(ErrorCode::Conflict,
                "decision id '" + d.decision_id + "' was used for a different decision",
                d.decision_id);
  json answer = d.response;
  answer["repeated"] = true;
  return answer;
}

}  // namespace

Result<json> ApprovalDesk::decide(const Approver& who, const DecisionRequest& req) {
  if (!store::valid_namespace(who.principal.ns))
    return fail(ErrorCode::PermissionDenied, "the approver names no namespace");
  if (who.principal.is_service()) return fail(ErrorCode::PermissionDenied, kServicesDoNotDecide);
  if (req.decision_id.size() > 128)
    return fail(ErrorCode::InvalidArgument, "'decision_id' is longer than 128 characters",
                "decision_id");
  json request = {{"approval_id", req.approval_id}, {"approver", who.principal.name},
                  {"decision", decision_name(req)}, {"comment", req.comment},
                  {"digest", req.digest},           {"on_behalf_of", req.on_behalf_of}};
  // A repeated decision id gets its recorded answer whatever happened since (the gate
  // closed, the token was spent), so it is looked up first...
  auto recorded = [&]() -> Result<std::optional<store::DecisionRow>> {
    if (req.decision_id.empty()) return std::optional<store::DecisionRow>{};
    auto tx = store_.begin(store::Scope::of(who.principal.ns), false);
    if (!tx) return tl::unexpected(tx.error());
    return store_.approvals.decision(**tx, who.principal.ns, req.decision_id);
  };
  auto before = recorded();
  if (!before) return tl::unexpected(before.error());
  if (*before) return repeated(**before, request);
  auto r = decide_once(who, req, request);
  if (r || req.decision_id.empty()) return r;
  // ...and again when this copy was refused: a concurrent copy of the same decision may have
  // been recorded in between (and closed the gate, or spent the token); it has the answer.
  auto after = recorded();
  if (!after) return tl::unexpected(after.error());
  if (*after) return repeated(**after, request);
  return r;
}

Result<json> ApprovalDesk::decide_once(const Approver& who, const DecisionRequest& req,
                                       const json& request) {
  if (!who.approval_id.empty() && who.approval_id != req.approval_id)
    return fail(ErrorCode::PermissionDenied, "this callback token is for another approval");
  if (who.spent)
    return fail(ErrorCode::Unauthenticated,
                "this callback token has been used (a repeat needs the same decision_id)");
  // In the approver's namespace only: another's approval is not found.
  auto a = store_.approvals.get(store::Scope::of(who.principal.ns), req.approval_id);
  if (!a) return tl::unexpected(a.error());
  if (!*a) return fail(ErrorCode::NotFound, "no approval " + req.approval_id, req.approval_id);
  if ((*a)->status != "open")
    return fail(ErrorCode::FailedPrecondition,
                "approval " + req.approval_id + " is closed (" + (*a)->status + ")");
  auto auth = authority(who, req.on_behalf_of.empty() ? who.on_behalf_of : req.on_behalf_of, **a);
  if (!auth) return tl::unexpected(auth.error());
  // A rejection or a request for changes goes back to RevOps: without its reason nobody can
  // act on it.
  if ((!req.approve || req.request_changes) &&
      req.comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(ErrorCode::InvalidArgument,
                std::string(req.request_changes ? "a request for changes needs to say what to "
                                                  "change"
                                                : "a rejection needs its reason") +
                    ": say it in 'comment' (it goes back to RevOps and into the history)",
                "comment");
  model::ApprovalInput in{
      (*a)->state,        who.principal.name, auth->second, req.approve && !req.request_changes,
      req.comment,        req.digest,         (*a)->id,     auth->first,
      req.request_changes};
  std::optional<store::DecisionRow> recorded;
  json answer;
  std::int64_t now_us = to_micros(clock_.now());
  auto before = [&](store::Tx& tx) -> Result<bool> {
    // In the transaction, first: the instance is locked, so a copy that committed before us
    // is seen here, and this one answers with its record.
    if (!req.decision_id.empty()) {
      auto d = store_.approvals.decision(tx, (*a)->ns, req.decision_id);
      if (!d) return tl::unexpected(d.error());
      if (*d) {
        recorded = **d;
        return false;
      }
    }
    if (!who.token_hash.empty()) {
      auto spent = store_.approvals.use_token(tx, who.token_hash, now_us);
      if (!spent) return tl::unexpected(spent.error());
      if (!*spent) return fail(ErrorCode::Unauthenticated, "this callback token has been used");
    }
    return true;
  };
  auto after = [&](store::Tx& tx, const model::Instance& inst) -> Result<void> {
    std::string status = runtime::open_gates(inst).count((*a)->id) ? "open"
                         : req.request_changes                     ? "changes_requested"
                         : req.approve                             ? "granted"
                                                                   : "rejected";
    answer = {{"approval_id", (*a)->id},
              {"instance_id", (*a)->instance_id},
              {"decision_id", req.decision_id},
              {"approver", who.principal.name},
              {"on_behalf_of", auth->first},
              {"decision", decision_name(req)},
              {"status", status}};
    if (req.decision_id.empty()) return {};
    return store_.approvals.insert_decision(
        tx, {req.decision_id, (*a)->id, who.principal.name, request, answer, now_us, (*a)->ns});
  };
  auto r = rt_.decide_approval(store::Scope::of((*a)->ns), (*a)->instance_id, in, before, after);
  if (!r) return tl::unexpected(r.error());
  if (!recorded && rt_.metrics()) rt_.metrics()->approval_wait.observe_us(now_us - (*a)->opened_us);
  if (recorded) return repeated(*recorded, request);
  return answer;
}

Result<std::vector<store::ApprovalRow>> ApprovalDesk::inbox(const auth::Principal& who,
                                                            std::int64_t after_us,
                                                            const std::string& after_id,
                                                            int limit) {
  if (!store::valid_namespace(who.ns))
    return fail(ErrorCode::PermissionDenied, "the approver names no namespace");
  if (who.is_service()) return std::vector<store::ApprovalRow>{};  // it decides none
  auto scope = store::Scope::of(who.ns);
  std::vector<std::string> roles = who.roles;
  auto active = store_.approvals.active_delegations(scope, who.name, to_micros(clock_.now()));
  if (!active) return tl::unexpected(active.error());
  for (const auto& d : *active) {
    auto p = store_.principals.get(scope, d.delegator);
    if (!p) return tl::unexpected(p.error());
    if (*p && !(*p)->revoked_us) roles.insert(roles.end(), (*p)->roles.begin(), (*p)->roles.end());
  }
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  if (roles.empty()) return std::vector<store::ApprovalRow>{};
  // Leave out what `who` cannot decide: approvals they decided already, and instances they
  // started or changed. Keep reading until the page is full, so that paging stays exact.
  std::vector<store::ApprovalRow> out;
  std::map<std::string, bool> involved;  // instance id -> started or changed by `who`
  std::int64_t cursor_us = after_us;
  std::string cursor_id = after_id;
  while (static_cast<int>(out.size()) < limit) {
    auto rows = store_.approvals.open(scope, roles, cursor_us, cursor_id, limit);
    if (!rows) return rows;
    for (auto& a : *rows) {
      cursor_us = a.opened_us;
      cursor_id = a.id;
      if (decided(a, who.name)) continue;
      if (!involved.count(a.instance_id)) {
        auto inst = store_.instances.get(scope, a.instance_id);
        if (!inst) return tl::unexpected(inst.error());
        const auto& changed = *inst ? (*inst)->changed_by : std::vector<std::string>{};
        involved[a.instance_id] =
            *inst && ((*inst)->started_by == who.name ||
                      std::find(changed.begin(), changed.end(), who.name) != changed.end());
      }
      if (involved[a.instance_id]) continue;
      out.push_back(std::move(a));
      if (static_cast<int>(out.size()) == limit) break;
    }
    if (static_cast<int>(rows->size()) < limit) break;
  }
  return out;
}

Result<std::vector<Recipient>> ApprovalDesk::recipients(const store::ApprovalRow& a) {
  if (!store::valid_namespace(a.ns))
    return fail(ErrorCode::Internal, "approval " + a.id + " names no namespace", a.id);
  auto scope = store::Scope::of(a.ns);  // who may decide comes from the approval's namespace
  auto inst = store_.instances.get(scope, a.instance_id);
  if (!inst) return tl::unexpected(inst.error());
  std::set<std::string> excluded;
  if (*inst) {
    excluded.insert((*inst)->started_by);
    excluded.insert((*inst)->changed_by.begin(), (*inst)->changed_by.end());
  }
  for (const auto& d : a.decisions) {
    excluded.insert(d.value("approver", ""));
    excluded.insert(d.value("on_behalf_of", ""));
  }
  auto wanted = eligible_roles(a);
  auto all = store_.principals.all(scope, to_micros(clock_.now()));
  if (!all) return tl::unexpected(all.error());
  std::set<std::string> eligible, active;
  std::vector<Recipient> out;
  for (const auto& p : *all) {
    if (p.revoked_us || p.kind == auth::Principal::kService) continue;  // people decide
    active.insert(p.name);
    if (!holds_any(p.roles, wanted) || excluded.count(p.name)) continue;
    eligible.insert(p.name);
    out.push_back({p.name, ""});
  }
  auto delegations = store_.approvals.delegations(scope, "");
  if (!delegations) return tl::unexpected(delegations.error());
  std::int64_t now = to_micros(clock_.now());
  for (const auto& d : *delegations)
    if (!d.revoked_us && d.in_force() && d.starts_us <= now && now < d.ends_us &&
        eligible.count(d.delegator) && active.count(d.delegate) && !excluded.count(d.delegate))
      out.push_back({d.delegate, d.delegator});
  return out;
}

Result<std::int64_t> ApprovalDesk::delegate(const std::string& ns, const Delegation& d,
                                            const std::string& created_by, bool by_admin) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  // Authority is the delegator's to give: an admin may only propose giving someone else's,
  // and a second admin must put it in force.
  bool own = d.delegator == created_by;
  if (!own && !by_admin)
    return fail(ErrorCode::PermissionDenied,
                "only the delegator delegates their authority (an admin may propose it, for a "
                "second admin to approve)");
  if (d.delegator == d.delegate)
    return fail(ErrorCode::InvalidArgument, "a principal cannot delegate to itself", "delegate");
  if (d.ends_us <= d.starts_us)
    return fail(ErrorCode::InvalidArgument, "the delegation ends before it starts", "until");
  for (const auto* name : {&d.delegator, &d.delegate}) {  // both of the namespace
    auto p = store_.principals.get(store::Scope::of(ns), *name);
    if (!p) return tl::unexpected(p.error());
    if (!*p || (*p)->revoked_us)
      return fail(ErrorCode::InvalidArgument, "no active principal named '" + *name + "'", *name);
    if ((*p)->kind == auth::Principal::kService)
      return fail(ErrorCode::InvalidArgument,
                  "'" + *name +
                      "' is a service identity: it neither gives nor holds authority to "
                      "decide approvals",
                  *name);
  }
  store::DelegationRow row;
  row.delegator = d.delegator;
  row.delegate = d.delegate;
  row.starts_us = d.starts_us;
  row.ends_us = d.ends_us;
  row.created_by = created_by;
  row.created_us = to_micros(clock_.now());
  row.needs_approval = !own;
  row.ns = ns;
  return store_.approvals.add_delegation(row);
}

Result<void> ApprovalDesk::approve_delegation(const std::string& ns, std::int64_t id,
                                              const std::string& admin) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto scope = store::Scope::of(ns);
  auto all = store_.approvals.delegations(scope, "");
  if (!all) return tl::unexpected(all.error());
  auto d = std::find_if(all->begin(), all->end(), [&](const auto& r) { return r.id == id; });
  if (d == all->end())
    return fail(ErrorCode::NotFound, "no delegation " + std::to_string(id), std::to_string(id));
  if (admin == d->created_by || admin == d->delegator || admin == d->delegate)
    return fail(ErrorCode::PermissionDenied,
                "a delegation an admin proposed is approved by a second admin: not its creator, "
                "delegator or delegate");
  return store_.approvals.approve_delegation(scope, id, admin, to_micros(clock_.now()));
}

}  // namespace covenant::engine::approvals
