// The cross-namespace matrix (issue 21): for every route docs/openapi.yaml documents, every role
// of namespace "acme" tries namespace "globex"'s objects three ways — under globex's prefix,
// under the default routes, and with globex's ids under its own prefix — and gets a 403 or a
// 404, or (a list, a create) an answer that names nothing of globex's. Globex's own admin gets
// each object (the ids are right: the refusals are not for a typo). Afterwards globex's
// instance, approval, delegation and history are as they were. On SQLite and PostgreSQL.
#include "tests/app/api_fixture.hpp"
#include "tests/support/postgres.hpp"
#include "workflows/sha256.hpp"

#include <yaml-cpp/yaml.h>

namespace {

using covenant::testing::ApiFixture;
using nlohmann::json;

constexpr const char* kGated = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gated }
start: amend
states:
  amend: { type: wait, event: terms, output: .terms, next: gate }
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

// What globex has, and the markers of it that must never reach acme.
struct Globex {
  std::string admin, instance, approval, delegation, document, business_key = "GLOBEX-SECRET-7";
  std::vector<std::string> markers() const {
    return {instance,
            approval,
            document,
            business_key,
            "cus_globex",
            "gina-globex",
            "Globex quarterly report"};
  }
};

Globex fill_globex(ApiFixture& a) {
  Globex g;
  g.admin = a.add_in("globex", "globex-admin", {"admin"});
  auto revops = a.add_in("globex", "ron-globex", {"revops"});
  auto gina = a.add_in("globex", "gina-globex", {"finance"});
  a.add_in("globex", "gus-globex", {"finance"});
  // Deployed through the store: its activity is the test system's, not a built-in one.
  covenant::testing::TestCatalog catalog;
  auto compiled = covenant::workflows::compile(kGated, "gated.yaml", catalog);
  REQUIRE(compiled.workflow);
  REQUIRE(a.fx.store_->definitions.put("globex", "gated", compiled.workflow->digest(), kGated,
                                       compiled.workflow->canonical_text(), 1000));
  auto started = a.post("/v1/namespaces/globex/instances", revops,
                        {{"workflow", "gated"},
                         {"business_key", g.business_key},
                         {"input", {{"amount", 125000}, {"customer", "cus_globex"}}}});
  INFO(started.body);
  REQUIRE(started.status == 201);
  g.instance = json::parse(started.body)["id"];
  auto terms = a.post("/v1/namespaces/globex/instances/" + g.instance + "/events/terms", revops,
                      {{"net", 30}});
  REQUIRE(terms.status == 202);

  auto approvals =
      a.get_json("/v1/namespaces/globex/instances/" + g.instance + "/approvals", g.admin);
  REQUIRE(approvals["items"].size() == 1);
  g.approval = approvals["items"][0]["id"];
  auto delegated = a.post("/v1/namespaces/globex/delegations", gina,
                          {{"delegator", "gina-globex"},
                           {"delegate", "gus-globex"},
                           {"from", "2027-01-01T00:00:00Z"},
                           {"until", "2027-12-31T00:00:00Z"}});
  INFO(delegated.body);
  REQUIRE(delegated.status == 201);
  g.delegation = std::to_string(json::parse(delegated.body)["id"].get<std::int64_t>());
  std::string bytes = "Globex master agreement";
  g.document = covenant::workflows::sha256_hex(bytes);
  covenant::engine::store::DocumentRow doc{
      g.document, "text/plain", static_cast<std::int64_t>(bytes.size()), 1, bytes, 0};
  REQUIRE(a.fx.store_->documents.put("globex", doc, bytes, g.business_key, "upload", 1000));
  // Metered usage of its contract in January 2027.
  const std::int64_t jan10 = 1'799'539'200LL * 1'000'000;
  REQUIRE(a.fx.store_->usage.record(
      "globex", {{"globex-usage-1", g.business_key, "api_calls", 424242, jan10, 0}}, jan10));
  // Its obligations register.
  covenant::engine::store::ObligationRow report;
  report.contract_id = g.business_key;
  report.obligation_id = "report-1";
  report.kind = "report";
  report.owner = "Globex";
  report.due_date = "2027-04-15";
  report.body = json{{"description", "Globex quarterly report"}}.dump();
  REQUIRE(a.fx.store_->obligations.replace("globex", g.business_key, g.instance, {report}, jan10));
  return g;
}

// The path with its parameters set to globex's objects.
std::string with_ids(const std::string& path, const Globex& g) {
  std::string out = path;
  auto set = [&](const std::string& param, const std::string& value) {
    for (auto at = out.find(param); at != std::string::npos; at = out.find(param))
      out.replace(at, param.size(), value);
  };
  if (path.rfind("/v1/approvals/", 0) == 0) set("{id}", g.approval);
  if (path.rfind("/v1/delegations/", 0) == 0) set("{id}", g.delegation);
  set("{id}", g.instance);
  set("{name}", "gated");
  set("{event}", "terms");
  set("{sha256}", g.document);
  set("{contract}", g.business_key);
  if (path == "/v1/contracts/{contract}/usage")
    out += "?metric=api_calls&from=2027-01-01&to=2027-02-01";
  return out;
}

// A body the route would take (so that what refuses it is the namespace, not the body).
std::string body_for(const std::string& method, const std::string& path, const Globex& g) {
  if (method != "POST") return "";
  if (path == "/v1/instances") return json{{"workflow", "gated"}}.dump();
  if (path == "/v1/instances/bulk")
    return json{{"action", "cancel"}, {"reason", "matrix"}, {"instances", {g.instance}}}.dump();
  if (path == "/v1/migrations")
    return json{{"map", "workflow: gated\nfrom: 1\nto: 1\nstates: {}\n"}, {"reason", "matrix"}}
        .dump();
  if (path.find("/retry") != std::string::npos) return json{{"reason", "matrix"}}.dump();
  if (path.find("/cancel") != std::string::npos) return json{{"reason", "matrix"}}.dump();
  if (path.find("/events/") != std::string::npos)
    return json{{"terms", {{"amount", 1}, {"customer", "x"}}}}.dump();
  if (path.find("/review") != std::string::npos)
    return json{{"corrections", json::array()}, {"revision", "review#1"}}.dump();
  if (path == "/v1/contracts/{contract}/usage")
    return json{{"event_id", "matrix-1"},
                {"metric", "api_calls"},
                {"quantity", 5},
                {"occurred_at", "2027-01-10T00:00:00Z"}}
        .dump();
  if (path.find("/decisions") != std::string::npos)
    return json{{"decision", "approve"}, {"digest", std::string(64, 'a')}, {"comment", "matrix"}}
        .dump();
  if (path == "/v1/delegations")
    return json{{"delegator", "gina-globex"},
                {"delegate", "gus-globex"},
                {"from", "2027-01-01T00:00:00Z"},
                {"until", "2027-12-31T00:00:00Z"}}
        .dump();
  return "{}";
}

void cross_namespace_matrix(ApiFixture& a) {
  auto g = fill_globex(a);
  auto history_before = a.fx.event_names(g.instance);
  // Acme: one principal per role the API knows.
  std::map<std::string, std::string> acme;
  for (const char* role : {"admin", "revops", "auditor", "service", "operator", "finance"})
    acme[role] = a.add_in("acme", std::string("acme-") + role, {role});

  auto doc = YAML::LoadFile(std::string(COVENANT_SOURCE_DIR) + "/docs/openapi.yaml");
  int routes = 0, checked = 0;
  for (const auto& p : doc["paths"]) {
    auto path = p.first.as<std::string>();
    if (path.rfind("/v1/", 0) != 0) continue;  // health, problems, metrics, the web assets
    for (const auto& op : p.second) {
      auto method = op.first.as<std::string>();
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      ++routes;
      std::string target = with_ids(path, g), rest = target.substr(3);
      std::string body = body_for(method, path, g);
      bool by_id = path.find('{') != std::string::npos;
      // Globex's admin finds each object read by id (a review that is not pending is a 409):
      // the ids are globex's indeed.
      if (method == "GET" && by_id) {
        auto own = a.call(method, "/v1/namespaces/globex" + rest, g.admin);
        INFO("globex's own admin: " << method << " " << target << ": " << own.body);
        CHECK(
            (own.status == 200 || (own.status == 409 && path.find("review") != std::string::npos)));
      }
      for (const auto& [role, token] : acme) {
        INFO(role << ": " << method << " " << target);
        // Under globex's prefix, or the default namespace's routes: not its namespace.
        for (const std::string& elsewhere : {"/v1/namespaces/globex" + rest, target}) {
          auto r = a.call(method, elsewhere, token, body);
          INFO(elsewhere << ": " << r.body);
          ++checked;
          // GET /v1/me without a prefix answers any principal about itself, in its own
          // namespace (how a page learns where to act): nothing of another's.
          if (path == "/v1/me" && elsewhere == target) {
            REQUIRE(r.status == 200);
            CHECK(json::parse(r.body)["namespace"] == "acme");
            continue;
          }
          // A CLM delivery is authenticated by the vendor's signature, never a token: a
          // token opens nothing there (no source is configured here: not found).
          if (path == "/v1/intake/{source}") {
            CHECK(r.status == 404);
            continue;
          }
          CHECK(r.status == 403);
        }
        // Under its own prefix with globex's ids: refused or not found, or an answer that
        // names nothing of globex's.
        auto r = a.call(method, "/v1/namespaces/acme" + rest, token, body);
        INFO("as acme: " << r.body);
        CHECK(r.status < 500);
        // A contract's usage is keyed by the contract id, not an object of globex's: under
        // acme's prefix it is acme's own usage of that id (none, or what acme records), and
        // names nothing of globex's (the markers below).
        if (by_id && path != "/v1/contracts/{contract}/usage")
          CHECK((r.status == 403 || r.status == 404));
        // What it answered (a refusal only repeats what was asked: the answers that carry
        // data are the ones to search).
        if (r.status >= 200 && r.status < 300) {
          std::string seen = r.body;
          if (r.stream)
            r.stream([&](std::string_view part) {
              seen += part;
              return true;
            });
          if (path == "/v1/contracts/{contract}/usage" && method == "GET")
            // Acme's own (the matrix's POST above records 5 under acme's prefix), never
            // globex's 424242.
            CHECK((json::parse(seen)["quantity"] == 0 || json::parse(seen)["quantity"] == 5));
          for (const auto& marker : g.markers()) {
            // The usage routes name the contract id they were asked about, and no more.
            if (path == "/v1/contracts/{contract}/usage" && marker == g.business_key) continue;
            INFO("marker " << marker << " in " << seen.substr(0, 400));
            CHECK(seen.find(marker) == std::string::npos);
          }
        }
        ++checked;
      }
    }
  }
  CHECK(routes >= 30);
  CHECK(checked == routes * static_cast<int>(acme.size()) * 3);
  // Nothing of globex's moved.
  CHECK(a.fx.event_names(g.instance) == history_before);
  auto approval = a.get_json("/v1/namespaces/globex/approvals/" + g.approval, g.admin);
  CHECK(approval["status"] == "open");
  CHECK(approval["decisions"].empty());
  auto delegations = a.get_json("/v1/namespaces/globex/delegations", g.admin);
  REQUIRE(delegations["items"].size() == 1);
  CHECK(delegations["items"][0]["status"] != "revoked");
  CHECK(a.fx.instance(g.instance).status == "running");
}

}  // namespace

TEST_CASE("Every route refuses one namespace's principals another namespace's objects [sqlite]") {
  ApiFixture a;
  cross_namespace_matrix(a);
}

TEST_CASE("Every route refuses one namespace's principals another namespace's objects [postgres]",
          "[postgres]") {
  covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Current);
  ApiFixture a(db.url());
  cross_namespace_matrix(a);
}
