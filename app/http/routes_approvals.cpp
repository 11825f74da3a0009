// /v1/approvals: the caller's pending approvals, one approval with its subject and digest,
// and decisions (by bearer token or by the approver's callback token); an instance's
// approvals; delegations.
#include "app/http/api.hpp"
#include "engine/time_format.hpp"

namespace covenant::app::http {

namespace {

std::string rfc3339_or_empty(std::int64_t us) {
  return us ? engine::format_rfc3339(engine::from_micros(us)) : "";
}

nlohmann::json approval_json(const engine::store::ApprovalRow& a, const std::string& public_url) {
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& r : a.rules) roles.push_back(r);
  return {{"id", a.id},
          {"instance_id", a.instance_id},
          {"workflow", a.workflow},
          {"business_key", a.business_key},
          {"state", a.state},
          {"status", a.status},
          {"digest", a.digest},
          {"summary", a.summary},
          {"subject", a.subject},
          {"approvers", roles},
          {"quorum", a.quorum},
          {"decisions", a.decisions},
          // Where a request for changes sends the instance; null: the gate takes none.
          {"changes_to", a.changes_to.empty() ? nlohmann::json() : nlohmann::json(a.changes_to)},
          {"opened_at", rfc3339_or_empty(a.opened_us)},
          {"deadline", a.deadline_us ? nlohmann::json(rfc3339_or_empty(a.deadline_us)) : nullptr},
          {"closed_at", a.closed_us ? nlohmann::json(rfc3339_or_empty(a.closed_us)) : nullptr},
          {"decide_url", public_url + "/v1/approvals/" + a.id + "/decisions"}};
}

bool may_read(const Call& c, const engine::store::ApprovalRow& a) {
  if (c.callback) return c.callback->approval_id == a.id;
  for (const char* role : {"admin", "revops", "auditor"})
    if (c.principal.has_role(role)) return true;
  for (const auto& r : a.rules)
    if (c.principal.has_role(r.value("role", ""))) return true;
  return false;
}

std::optional<engine::store::DelegationRow> delegation(Call& c, Services& s, std::int64_t id) {
  auto all = s.store.approvals.delegations(scope(c), "");
  if (!all) {
    problem(c, all.error());
    return std::nullopt;
  }
  for (const auto& d : *all)
    if (d.id == id) return d;
  problem(c, "NotFound", "no delegation " + std::to_string(id));
  return std::nullopt;
}

nlohmann::json delegation_json(const engine::store::DelegationRow& d) {
  return {
      {"id", d.id},
      {"delegator", d.delegator},
      {"delegate", d.delegate},
      {"from", rfc3339_or_empty(d.starts_us)},
      {"until", rfc3339_or_empty(d.ends_us)},
      {"created_by", d.created_by},
      {"created_at", rfc3339_or_empty(d.created_us)},
      {"status", d.revoked_us   ? "revoked"
                 : d.in_force() ? "in_force"
                                : "pending"},
      {"approved_by", d.approved_by.empty() ? nlohmann::json() : nlohmann::json(d.approved_by)},
      {"approved_at", d.approved_us ? nlohmann::json(rfc3339_or_empty(d.approved_us)) : nullptr},
      {"revoked_by", d.revoked_by.empty() ? nlohmann::json() : nlohmann::json(d.revoked_by)},
      {"revoked_at", d.revoked_us ? nlohmann::json(rfc3339_or_empty(d.revoked_us)) : nullptr}};
}

}  // namespace

void add_approval_routes(Api& api) {
  Services& s = api.services();
  // Who is calling, for the pages' header: the principal and its roles; with a callback
  // token, also the one approval it reads and for whom it decides.
  api.route(
         "GET", "/v1/me", {kApprover},
         [](Call& c) {
           nlohmann::json me = {{"name", c.principal.name},
                                {"roles", c.principal.roles},
                                {"namespace", c.principal.ns},
                                {"via", c.callback                   ? "callback"
                                        : c.principal.issuer.empty() ? "token"
                                                                     : "oidc"}};
           if (!c.principal.issuer.empty()) me["issuer"] = c.principal.issuer;
           if (c.principal.is_service()) {
             me["kind"] = c.principal.kind;
             me["scopes"] = c.principal.scopes;
           }
           if (c.callback) {
             me["approval_id"] = c.callback->approval_id;
             me["on_behalf_of"] = c.callback->on_behalf_of.empty()
                                      ? nlohmann::json()
                                      : nlohmann::json(c.callback->on_behalf_of);
           }
           reply(c, 200, me);
         },
         Access::Callback)
      .any_namespace = true;
  api.route("GET", "/v1/approvals", {kApprover}, [&s](Call& c) {
    auto limit = limit_param(c);
    if (!limit) return;
    std::int64_t after_us = -1;
    std::string after_id;
    if (auto it = c.req.query.find("cursor"); it != c.req.query.end()) {
      auto pos = read_cursor(it->second);
      if (!pos) return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
      after_us = pos->first;
      after_id = pos->second;
    }
    auto rows = s.desk.inbox(c.principal, after_us, after_id, *limit + 1);
    if (!rows) return problem(c, rows.error());
    nlohmann::json items = nlohmann::json::array();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *limit; ++i)
      items.push_back(approval_json((*rows)[i], s.public_url));
    nlohmann::json next = nullptr;
    if (static_cast<int>(rows->size()) > *limit)
      next = make_cursor((*rows)[*limit - 1].opened_us, (*rows)[*limit - 1].id);
    reply(c, 200, {{"items", items}, {"next_cursor", next}});
  });
  api.route(
      "GET", "/v1/approvals/{id}", {kApprover},
      [&s](Call& c) {
        auto a = s.store.approvals.get(scope(c), c.params[0]);
        if (!a) return problem(c, a.error());
        if (!*a) return problem(c, "NotFound", "no approval " + c.params[0]);
        c.instance = (*a)->instance_id;
        c.workflow = (*a)->workflow;
        if (!may_read(c, **a))
          return problem(c, "PermissionDenied", "you hold no role that reads this approval");
        reply(c, 200, approval_json(**a, s.public_url));
      },
      Access::Callback);
  api.route(
      "POST", "/v1/approvals/{id}/decisions", {kApprover},
      [&s](Call& c) {
        auto body = json_body(c);
        if (!body) return;
        if (!body->is_object()) return problem(c, "InvalidArgument", "the body must be an object");
        const auto& b = *body;
        auto text = [&](const char* k) {
          return b.contains(k) && b[k].is_string() ? b[k].get<std::string>() : std::string();
        };
        for (const char* k : {"comment", "digest", "decision_id", "on_behalf_of", "decision"})
          if (b.contains(k) && !b[k].is_string())
            return problem(c, "InvalidArgument", std::string("'") + k + "' must be a string");
        std::string decision = text("decision");
        if (decision != "approve" && decision != "reject" && decision != "request_changes")
          return problem(c, "InvalidArgument",
                         "'decision' must be \"approve\", \"reject\" or \"request_changes\"");
        if (text("digest").size() != 64)
          return problem(c, "InvalidArgument",
                         "'digest' must be the subject digest you were shown (64 hex digits)");
        engine::approvals::Approver who{c.principal, "", "", ""};
        if (c.callback) who = *c.callback;
        engine::approvals::DecisionRequest req{
            c.params[0],    text("decision_id"),  decision == "approve",        text("comment"),
            text("digest"), text("on_behalf_of"), decision == "request_changes"};
        auto r = s.desk.decide(who, req);
        if (!r) return problem(c, r.error());
        reply(c, r->contains("repeated") ? 200 : 201, *r);
      },
      Access::Callback);
  api.route("GET", "/v1/instances/{id}/approvals", {"revops", "auditor"}, [&s](Call& c) {
    // An instance that is not there (or not in the caller's namespace) is a 404, not an
    // empty list.
    auto inst = s.store.instances.get(scope(c), c.params[0]);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]);
    c.workflow = (*inst)->workflow;
    auto rows = s.store.approvals.of_instance(scope(c), c.params[0]);
    if (!rows) return problem(c, rows.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : *rows) items.push_back(approval_json(a, s.public_url));
    reply(c, 200, {{"items", items}});
  });
  api.route("POST", "/v1/delegations", {kApprover}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    const auto& b = *body;
    for (const char* k : {"delegator", "delegate", "from", "until"})
      if (!b.is_object() || !b.contains(k) || !b[k].is_string())
        return problem(c, "InvalidArgument", std::string("the body needs a string '") + k + "'");
    std::string delegator = b["delegator"];
    auto from = engine::parse_rfc3339(b["from"].get<std::string>());
    auto until = engine::parse_rfc3339(b["until"].get<std::string>());
    if (!from || !until)
      return problem(c, "InvalidArgument", "'from' and 'until' must be RFC 3339 times");
    auto id = s.desk.delegate(
        c.ns, {delegator, b["delegate"], engine::to_micros(*from), engine::to_micros(*until)},
        c.principal.name, c.principal.has_role("admin"));
    if (!id) return problem(c, id.error());
    auto d = delegation(c, s, *id);
    if (!d) return;
    // 202: proposed by an admin for someone else, not in force until a second admin approves.
    reply(c, d->in_force() ? 201 : 202, delegation_json(*d));
  });
  api.route("POST", "/v1/delegations/{id}/approve", {"admin"}, [&s](Call& c) {
    std::int64_t id = 0;
    try {
      id = std::stoll(c.params[0]);
    } catch (const std::exception&) {  // boundary: a path segment that is not a number
      return problem(c, "NotFound", "no delegation " + c.params[0]);
    }
    if (auto r = s.desk.approve_delegation(c.ns, id, c.principal.name); !r)
      return problem(c, r.error());
    auto d = delegation(c, s, id);
    if (!d) return;
    reply(c, 200, delegation_json(*d));
  });
  api.route("GET", "/v1/delegations", {kApprover, "auditor"}, [&s](Call& c) {
    auto rows = s.store.approvals.delegations(
        scope(c), c.principal.has_role("admin") ? "" : c.principal.name);
    if (!rows) return problem(c, rows.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : *rows) items.push_back(delegation_json(d));
    reply(c, 200, {{"items", items}});
  });
  api.route("DELETE", "/v1/delegations/{id}", {kApprover}, [&s](Call& c) {
    std::int64_t id = 0;
    try {
      id = std::stoll(c.params[0]);
    } catch (const std::exception&) {  // boundary: a path segment that is not a number
      return problem(c, "NotFound", "no delegation " + c.params[0]);
    }
    auto d = delegation(c, s, id);
    if (!d) return;
    if (d->delegator != c.principal.name && !c.principal.has_role("admin"))
      return problem(c, "PermissionDenied", "only the delegator or an admin revokes it");
    if (auto r = s.store.approvals.revoke_delegation(scope(c), id, engine::to_micros(s.clock.now()),
                                                     c.principal.name);
        !r)
      return problem(c, r.error());
    reply(c, 200, {{"id", id}, {"revoked", true}});
  });
}

}  // namespace covenant::app::http
