// Approvals (store.approvals): approval gates as rows, their eligible roles, callback tokens
// (hashes only), decisions by client-chosen id, and delegations.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

using nlohmann::json;

constexpr const char* kSaveApproval =
    "INSERT INTO approvals (id, instance_id, workflow, business_key, frame, state, occurrence, "
    "digest, rules, quorum, subject, summary, decisions, status, opened_us, deadline_us, "
    "closed_us, changes_to, namespace) VALUES "
    "(:id, :i, :w, :k, :f, :s, :o, :d, :r, :q, :subj, :sum, :dec, :st, :op, :dl, :cl, :ch, :ns) "
    "ON CONFLICT (id) DO UPDATE SET digest = excluded.digest, rules = excluded.rules, "
    "decisions = excluded.decisions, status = excluded.status, deadline_us = excluded.deadline_us, "
    "closed_us = excluded.closed_us";
constexpr const char* kDeleteRoles = "DELETE FROM approval_roles WHERE approval_id = :id";
constexpr const char* kInsertRole =
    "INSERT INTO approval_roles (approval_id, role, namespace) VALUES (:id, :r, :ns) ON CONFLICT "
    "DO NOTHING";
constexpr const char* kApprovalColumns =
    "SELECT a.id, a.instance_id, a.workflow, a.business_key, a.frame, a.state, a.occurrence, "
    "a.digest, a.rules, a.quorum, a.subject, a.summary, a.decisions, a.status, a.opened_us, "
    "a.deadline_us, a.closed_us, a.changes_to, a.namespace FROM approvals a WHERE (:all = 1 OR "
    "a.namespace = :ns) ";
constexpr const char* kInsertToken =
    "INSERT INTO approval_tokens (token_hash, approval_id, principal, on_behalf_of, expires_us, "
    "used_us, created_us, namespace) VALUES (:h, :a, :p, :b, :e, 0, :c, :ns)";
constexpr const char* kToken =
    "SELECT token_hash, approval_id, principal, on_behalf_of, expires_us, used_us, created_us, "
    "namespace FROM approval_tokens WHERE token_hash = :h";
constexpr const char* kUseToken =
    "UPDATE approval_tokens SET used_us = :t WHERE token_hash = :h AND used_us = 0 AND (:all = 1 "
    "OR namespace = :ns)";
constexpr const char* kDecision =
    "SELECT decision_id, approval_id, principal, request, response, created_us "
    "FROM approval_decisions WHERE namespace = :ns AND decision_id = :d";
constexpr const char* kInsertDecision =
    "INSERT INTO approval_decisions (decision_id, approval_id, principal, request, response, "
    "created_us, namespace) VALUES (:d, :a, :p, :req, :res, :c, :ns)";
constexpr const char* kInsertDelegation =
    "INSERT INTO delegations (delegator, delegate, starts_us, ends_us, created_by, created_us, "
    "revoked_us, needs_approval, namespace) VALUES (:from, :to, :s, :e, :by, :c, 0, :n, :ns) "
    "RETURNING id";
constexpr const char* kDelegationColumns =
    "SELECT id, delegator, delegate, starts_us, ends_us, created_by, created_us, revoked_us, "
    "needs_approval, approved_by, approved_us, revoked_by, namespace FROM delegations WHERE (:all "
    "= 1 OR namespace = :ns) ";
constexpr const char* kRevokeDelegation =
    "UPDATE delegations SET revoked_us = :t, revoked_by = :by WHERE id = :id AND revoked_us = 0 "
    "AND (:all = 1 OR namespace = :ns)";
constexpr const char* kApproveDelegation =
    "UPDATE delegations SET approved_by = :by, approved_us = :t WHERE id = :id AND "
    "needs_approval = 1 AND approved_by = '' AND revoked_us = 0 AND (:all = 1 OR namespace = :ns)";
constexpr const char* kDelegationExists =
    "SELECT COUNT(*) FROM delegations WHERE id = :id AND (:all = 1 OR namespace = :ns)";

// Columns of one approvals row, bound with into().
struct ApprovalCols {
  std::string id, instance_id, workflow, business_key, frame, state, digest, rules, subject,
      summary, decisions, status, changes_to, ns;
  int occurrence = 0, quorum = 1;
  long long opened = 0, deadline = 0, closed = 0;
};

template <class P>
P& bind(P& p, ApprovalCols& c) {
  p, soci::into(c.id), soci::into(c.instance_id), soci::into(c.workflow),
      soci::into(c.business_key), soci::into(c.frame), soci::into(c.state),
      soci::into(c.occurrence), soci::into(c.digest), soci::into(c.rules), soci::into(c.quorum),
      soci::into(c.subject), soci::into(c.summary), soci::into(c.decisions), soci::into(c.status),
      soci::into(c.opened), soci::into(c.deadline), soci::into(c.closed), soci::into(c.changes_to),
      soci::into(c.ns);
  return p;
}

ApprovalRow to_row(const ApprovalCols& c) {
  ApprovalRow a;
  a.id = c.id;
  a.instance_id = c.instance_id;
  a.workflow = c.workflow;
  a.business_key = c.business_key;
  a.frame = c.frame;
  a.state = c.state;
  a.occurrence = c.occurrence;
  a.digest = c.digest;
  a.rules = json::parse(c.rules);
  a.quorum = c.quorum;
  a.subject = json::parse(c.subject);
  a.summary = json::parse(c.summary);
  a.decisions = json::parse(c.decisions);
  a.status = c.status;
  a.opened_us = c.opened;
  a.deadline_us = c.deadline;
  a.closed_us = c.closed;
  a.changes_to = c.changes_to;
  a.ns = c.ns;
  return a;
}

struct DelegationCols {
  long long id = 0, starts = 0, ends = 0, created = 0, revoked = 0, approved = 0;
  int needs_approval = 0;
  std::string from, to, by, approved_by, revoked_by, ns;
};

template <class P>
P& bind(P& p, DelegationCols& c) {
  p, soci::into(c.id), soci::into(c.from), soci::into(c.to), soci::into(c.starts),
      soci::into(c.ends), soci::into(c.by), soci::into(c.created), soci::into(c.revoked),
      soci::into(c.needs_approval), soci::into(c.approved_by), soci::into(c.approved),
      soci::into(c.revoked_by), soci::into(c.ns);
  return p;
}

DelegationRow to_row(const DelegationCols& c) {
  return {c.id,          c.from,     c.to,
          c.starts,      c.ends,     c.by,
          c.created,     c.revoked,  c.needs_approval != 0,
          c.approved_by, c.approved, c.revoked_by,
          c.ns};
}

}  // namespace

Result<void> Approvals::save(Tx& tx, const ApprovalRow& a) {
  if (!tx.scope().covers(a.ns))
    return fail(ErrorCode::PermissionDenied,
                "approval " + a.id + " is not in this transaction's namespace", a.id);
  return db_.guard<void>("save approval", [&]() -> Result<void> {
    std::string rules = a.rules.dump(), subject = a.subject.dump(), summary = a.summary.dump(),
                decisions = a.decisions.dump();
    long long opened = a.opened_us, deadline = a.deadline_us, closed = a.closed_us;
    int occ = a.occurrence, quorum = a.quorum;
    tx.sql() << kSaveApproval, soci::use(a.id), soci::use(a.instance_id), soci::use(a.workflow),
        soci::use(a.business_key), soci::use(a.frame), soci::use(a.state), soci::use(occ),
        soci::use(a.digest), soci::use(rules), soci::use(quorum), soci::use(subject),
        soci::use(summary), soci::use(decisions), soci::use(a.status), soci::use(opened),
        soci::use(deadline), soci::use(closed), soci::use(a.changes_to), soci::use(a.ns);
    tx.sql() << kDeleteRoles, soci::use(a.id);
    if (a.status == "open")
      for (const auto& r : a.rules) {
        std::string role = r.at("role");
        tx.sql() << kInsertRole, soci::use(a.id), soci::use(role), soci::use(a.ns);
      }
    return {};
  });
}

Result<std::optional<ApprovalRow>> Approvals::get(const Scope& scope, const std::string& id) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<ApprovalRow>>(
      "read approval", [&]() -> Result<std::optional<ApprovalRow>> {
        ApprovalCols c;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kApprovalColumns) + "AND a.id = :id");
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(id);
        soci::statement st(p);
        st.execute();
        if (!st.fetch()) return std::nullopt;
        return to_row(c);
      });
}

Result<std::vector<ApprovalRow>> Approvals::open(const Scope& scope,
                                                 const std::vector<std::string>& roles,
                                                 std::int64_t after_us, const std::string& after_id,
                                                 int limit) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<ApprovalRow>>(
      "list approvals", [&]() -> Result<std::vector<ApprovalRow>> {
        std::string sql = std::string(kApprovalColumns) +
                          "AND a.status = 'open' AND (a.opened_us > :t1 OR (a.opened_us = :t2 "
                          "AND a.id > :id))";
        if (!roles.empty()) {
          sql +=
              " AND EXISTS (SELECT 1 FROM approval_roles r WHERE r.approval_id = a.id AND "
              "r.role IN (";
          for (std::size_t i = 0; i < roles.size(); ++i)
            sql += (i ? ", :r" : ":r") + std::to_string(i);
          sql += "))";
        }
        sql += " ORDER BY a.opened_us, a.id LIMIT :n";
        ApprovalCols c;
        long long after = after_us;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << sql);
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(after), soci::use(after),
            soci::use(after_id);
        for (const auto& r : roles) p, soci::use(r);
        p, soci::use(limit);
        soci::statement st(p);
        st.execute();
        std::vector<ApprovalRow> out;
        while (st.fetch()) out.push_back(to_row(c));
        return out;
      });
}

Result<std::vector<ApprovalRow>> Approvals::of_instance(const Scope& scope,
                                                        const std::string& instance_id) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<ApprovalRow>>(
      "list approvals", [&]() -> Result<std::vector<ApprovalRow>> {
        ApprovalCols c;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kApprovalColumns) +
                                              "AND a.instance_id = :i ORDER BY a.opened_us, a.id");
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(instance_id);
        soci::statement st(p);
        st.execute();
        std::vector<ApprovalRow> out;
        while (st.fetch()) out.push_back(to_row(c));
        return out;
      });
}

Result<void> Approvals::add_token(const ApprovalTokenRow& t) {
  if (auto bad = check_namespace(t.ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(t.ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("add approval token", [&]() -> Result<void> {
    long long expires = t.expires_us, created = t.created_us;
    (*tx)->sql() << kInsertToken, soci::use(t.token_hash), soci::use(t.approval_id),
        soci::use(t.principal), soci::use(t.on_behalf_of), soci::use(expires), soci::use(created),
        soci::use(t.ns);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::optional<ApprovalTokenRow>> Approvals::token(const std::string& token_hash) {
  auto tx = db_.begin(Scope::all(), false);  // a token names its namespace
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<ApprovalTokenRow>>(
      "read approval token", [&]() -> Result<std::optional<ApprovalTokenRow>> {
        ApprovalTokenRow t;
        long long expires = 0, used = 0, created = 0;
        (*tx)->sql() << kToken, soci::use(token_hash), soci::into(t.token_hash),
            soci::into(t.approval_id), soci::into(t.principal), soci::into(t.on_behalf_of),
            soci::into(expires), soci::into(used), soci::into(created), soci::into(t.ns);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        t.expires_us = expires;
        t.used_us = used;
        t.created_us = created;
        return t;
      });
}

Result<bool> Approvals::use_token(Tx& tx, const std::string& token_hash, std::int64_t now_us) {
  return db_.guard<bool>("use approval token", [&]() -> Result<bool> {
    long long now = now_us;
    int all = tx.scope().all_flag();
    soci::statement st = (tx.sql().prepare << kUseToken, soci::use(now), soci::use(token_hash),
                          soci::use(all), soci::use(tx.scope().ns()));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

Result<std::optional<DecisionRow>> Approvals::decision(Tx& tx, const std::string& ns,
                                                       const std::string& decision_id) {
  if (!tx.scope().covers(ns)) return std::nullopt;
  return db_.guard<std::optional<DecisionRow>>(
      "read decision", [&]() -> Result<std::optional<DecisionRow>> {
        DecisionRow d;
        std::string req, res;
        long long created = 0;
        d.ns = ns;
        tx.sql() << kDecision, soci::use(ns), soci::use(decision_id), soci::into(d.decision_id),
            soci::into(d.approval_id), soci::into(d.principal), soci::into(req), soci::into(res),
            soci::into(created);
        if (!tx.sql().got_data()) return std::nullopt;
        d.request = json::parse(req);
        d.response = json::parse(res);
        d.created_us = created;
        return d;
      });
}

Result<void> Approvals::insert_decision(Tx& tx, const DecisionRow& d) {
  if (!tx.scope().covers(d.ns))
    return fail(ErrorCode::PermissionDenied, "a decision outside this transaction's namespace");
  return db_.guard<void>("record decision", [&]() -> Result<void> {
    std::string req = d.request.dump(), res = d.response.dump();
    long long created = d.created_us;
    tx.sql() << kInsertDecision, soci::use(d.decision_id), soci::use(d.approval_id),
        soci::use(d.principal), soci::use(req), soci::use(res), soci::use(created), soci::use(d.ns);
    return {};
  });
}

Result<std::int64_t> Approvals::add_delegation(const DelegationRow& d) {
  if (auto bad = check_namespace(d.ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(d.ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<std::int64_t>("add delegation", [&]() -> Result<std::int64_t> {
    long long starts = d.starts_us, ends = d.ends_us, created = d.created_us;
    long long id = 0;
    int needs = d.needs_approval ? 1 : 0;
    (*tx)->sql() << kInsertDelegation, soci::use(d.delegator), soci::use(d.delegate),
        soci::use(starts), soci::use(ends), soci::use(d.created_by), soci::use(created),
        soci::use(needs), soci::use(d.ns), soci::into(id);
    return id;
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<std::vector<DelegationRow>> Approvals::delegations(const Scope& scope,
                                                          const std::string& principal) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<DelegationRow>>(
      "list delegations", [&]() -> Result<std::vector<DelegationRow>> {
        DelegationCols c;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kDelegationColumns) +
                                              "AND (:p1 = '' OR delegator = :p2 OR delegate = "
                                              ":p3) ORDER BY id");
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(principal),
            soci::use(principal), soci::use(principal);
        soci::statement st(p);
        st.execute();
        std::vector<DelegationRow> out;
        while (st.fetch()) out.push_back(to_row(c));
        return out;
      });
}

Result<std::vector<DelegationRow>> Approvals::active_delegations(const Scope& scope,
                                                                 const std::string& delegate,
                                                                 std::int64_t at_us) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<DelegationRow>>(
      "list delegations", [&]() -> Result<std::vector<DelegationRow>> {
        DelegationCols c;
        long long at = at_us;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kDelegationColumns) +
                                              "AND delegate = :d AND revoked_us = 0 AND "
                                              "starts_us <= :a1 AND ends_us > :a2 AND "
                                              "(needs_approval = 0 OR approved_by <> '') "
                                              "ORDER BY id");
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(delegate), soci::use(at),
            soci::use(at);
        soci::statement st(p);
        st.execute();
        std::vector<DelegationRow> out;
        while (st.fetch()) out.push_back(to_row(c));
        return out;
      });
}

Result<void> Approvals::revoke_delegation(const Scope& scope, std::int64_t id, std::int64_t now_us,
                                          const std::string& by) {
  auto tx = db_.begin(scope);
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("revoke delegation", [&]() -> Result<void> {
    long long i = id, now = now_us;
    int exists = 0, all = scope.all_flag();
    (*tx)->sql() << kDelegationExists, soci::use(i), soci::use(all), soci::use(scope.ns()),
        soci::into(exists);
    if (!exists)
      return fail(ErrorCode::NotFound, "no delegation " + std::to_string(id), std::to_string(id));
    (*tx)->sql() << kRevokeDelegation, soci::use(now), soci::use(by), soci::use(i), soci::use(all),
        soci::use(scope.ns());
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<void> Approvals::approve_delegation(const Scope& scope, std::int64_t id,
                                           const std::string& by, std::int64_t now_us) {
  auto tx = db_.begin(scope);
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("approve delegation", [&]() -> Result<void> {
    long long i = id, now = now_us;
    int exists = 0, all = scope.all_flag();
    (*tx)->sql() << kDelegationExists, soci::use(i), soci::use(all), soci::use(scope.ns()),
        soci::into(exists);
    if (!exists)
      return fail(ErrorCode::NotFound, "no delegation " + std::to_string(id), std::to_string(id));
    soci::statement st = ((*tx)->sql().prepare << kApproveDelegation, soci::use(by), soci::use(now),
                          soci::use(i), soci::use(all), soci::use(scope.ns()));
    st.execute(true);
    if (st.get_affected_rows() != 1)
      return fail(ErrorCode::FailedPrecondition,
                  "delegation " + std::to_string(id) +
                      " does not wait for approval (created by its delegator, approved already, "
                      "or revoked)");
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

}  // namespace covenant::engine::store
