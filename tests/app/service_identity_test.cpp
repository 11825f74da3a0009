// Service identities (issue 21): a machine principal — a CRM or a CLM calling Covenant — whose
// tokens reach only the routes its scopes name, and which never decides an approval, is never
// asked to, and neither gives nor holds delegated authority, whatever its roles. What it does is
// in the history under its name. Refused at the API (403 naming the scope) and, for approvals,
// in the approval desk itself.
#include "engine/notify/notifier.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/app/one_gate_workflow.hpp"

using covenant::testing::ApiFixture;
using covenant::testing::is_problem;
using covenant::testing::kOneGateCharge;
using nlohmann::json;
namespace ce = covenant::engine;

namespace {}  // namespace

TEST_CASE(
    "A service identity reaches only its scopes, never decides an approval and never holds "
    "delegated authority") {
  ApiFixture a;
  auto bob = a.add("bob", {"finance"});
  auto admin = a.add("ada", {"admin"});
  a.fx.deploy(kOneGateCharge);
  // A CRM that starts contracts and reads them back; it also holds the finance role, as a
  // careless grant would give it.
  auto crm = a.principals.add_service("default", "crm-bot", {"service", "finance"},
                                      {"instances:write", "instances:read", "approvals:write"});
  REQUIRE(crm);

  // What it may not be: scopes are checked where it is added.
  CHECK(a.principals.add_service("default", "x-bot", {"service"}, {}).error().code ==
        ce::ErrorCode::InvalidArgument);
  CHECK(a.principals.add_service("default", "x-bot", {"service"}, {"instances:delete"})
            .error()
            .code == ce::ErrorCode::InvalidArgument);
  CHECK(a.principals.add_service("default", "x-bot", {"service"}, {"payroll:read"}).error().code ==
        ce::ErrorCode::InvalidArgument);
  CHECK(a.principals.add_service("default", "x-bot", {"admin"}, {"instances:read"}).error().code ==
        ce::ErrorCode::InvalidArgument);

  // Within its scopes: it starts a contract and reads it; /v1/me says what it is.
  auto started =
      a.post("/v1/instances", *crm,
             {{"workflow", "gate-only"}, {"business_key", "C-1"}, {"input", {{"amount", 700}}}});
  INFO(started.body);
  REQUIRE(started.status == 201);
  std::string id = json::parse(started.body)["id"];
  CHECK(a.get_json("/v1/instances/" + id, *crm)["business_key"] == "C-1");
  auto me = a.get_json("/v1/me", *crm);
  CHECK(me["kind"] == "service");
  CHECK(me["scopes"] == json({"instances:write", "instances:read", "approvals:write"}));
  CHECK_FALSE(a.get_json("/v1/me", bob).contains("kind"));

  // Outside them: 403, naming what it needed, though its roles would allow the route.
  auto defs = a.call("GET", "/v1/definitions", *crm);
  is_problem(defs, 403);
  CHECK(defs.body.find("not definitions:read") != std::string::npos);
  is_problem(a.call("GET", "/metrics", *crm), 403);
  // What it did is in the history under its name.
  CHECK(a.get_json("/v1/instances/" + id, *crm)["started_by"] == "crm-bot");
  auto started_event = a.fx.store_->instances.history(ce::store::Scope::of("default"), id);
  REQUIRE(started_event);
  REQUIRE_FALSE(started_event->empty());
  CHECK(started_event->front().payload.dump().find("crm-bot") != std::string::npos);
  // Scopes narrow roles, they do not widen them: the history needs auditor or revops.
  auto history = a.call("GET", "/v1/instances/" + id + "/history", *crm);
  is_problem(history, 403);
  CHECK(history.body.find("roles") != std::string::npos);

  // The gate opens: bob is asked, the service is not, though it holds the finance role.
  a.fx.drain();
  auto inbox = a.get_json("/v1/approvals", bob);
  REQUIRE(inbox["items"].size() == 1);
  std::string approval_id = inbox["items"][0]["id"];
  std::string digest = inbox["items"][0]["digest"];
  auto row = a.fx.store_->approvals.get(ce::store::Scope::of("default"), approval_id);
  REQUIRE(row);
  REQUIRE(*row);
  auto asked = a.desk.recipients(**row);
  REQUIRE(asked);
  REQUIRE(asked->size() == 1);
  CHECK(asked->front().principal == "bob");
  is_problem(a.call("GET", "/v1/approvals", *crm), 403);  // no approvals:read
  // Deciding: its scope reaches the route, its role is eligible, the desk still refuses.
  auto decided = a.post("/v1/approvals/" + approval_id + "/decisions", *crm,
                        {{"decision", "approve"}, {"digest", digest}});
  is_problem(decided, 403);
  CHECK(decided.body.find("a service identity does not decide approvals") != std::string::npos);
  ce::approvals::Approver as_service;
  as_service.principal.name = "crm-bot";
  as_service.principal.roles = {"finance"};
  as_service.principal.kind = "service";
  ce::approvals::DecisionRequest req;
  req.approval_id = approval_id;
  req.digest = digest;
  req.approve = true;
  CHECK(a.desk.decide(as_service, req).error().code == ce::ErrorCode::PermissionDenied);
  auto inbox_of_service = a.desk.inbox(as_service.principal, -1, "", 10);
  REQUIRE(inbox_of_service);
  CHECK(inbox_of_service->empty());

  // Delegated authority: neither to it nor from it.
  std::int64_t now = ce::to_micros(a.fx.clock.now());
  CHECK(a.desk.delegate("default", {"bob", "crm-bot", now, now + 3'600'000'000LL}, "bob", false)
            .error()
            .code == ce::ErrorCode::InvalidArgument);
  CHECK(a.desk.delegate("default", {"crm-bot", "bob", now, now + 3'600'000'000LL}, "ada", true)
            .error()
            .code == ce::ErrorCode::InvalidArgument);
  auto by_api = a.post("/v1/delegations", bob,
                       {{"delegator", "bob"},
                        {"delegate", "crm-bot"},
                        {"from", "2027-01-15T00:00:00Z"},
                        {"until", "2027-01-16T00:00:00Z"}});
  is_problem(by_api, 422);
  CHECK(by_api.body.find("is a service identity") != std::string::npos);

  // Nothing moved while it tried: the charge waits for bob.
  CHECK(a.fx.system.writes("money.charge") == 0);
  REQUIRE(a.post("/v1/approvals/" + approval_id + "/decisions", bob,
                 {{"decision", "approve"}, {"digest", digest}})
              .status == 201);
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);

  // Listed as what it is; revoked, its token stops.
  auto listed = a.principals.list(ce::store::Scope::of("default"));
  REQUIRE(listed);
  for (const auto& p : *listed)
    if (p.name == "crm-bot") {
      CHECK(p.kind == "service");
      CHECK(p.scopes.size() == 3);
    } else {
      CHECK(p.kind == "person");
      CHECK(p.scopes.empty());
    }
  REQUIRE(a.principals.revoke(ce::store::Scope::of("default"), "crm-bot"));
  is_problem(a.call("GET", "/v1/instances/" + id, *crm), 401);
  (void)admin;
}
