// GET /v1/contracts/{contract}/obligations at its edges: filters read as documented, a bad
// filter is a 400, a contract not in the book a 404, a role outside the list a 403, and a
// stored row that is not JSON a 500 naming the obligation — never shown as if it were the
// register. (The register written by a workflow is read in contract_life_test.cpp.)
#include "tests/app/api_fixture.hpp"

using covenant::testing::ApiFixture;
using nlohmann::json;

TEST_CASE("The obligations API filters, refuses what it cannot read, and names a damaged row") {
  ApiFixture a;
  auto finance = a.add("bob", {"finance"});
  auto approver = a.add("ann", {"approver"});
  auto row = [](const std::string& id, const std::string& kind, const std::string& due,
                const std::string& body) {
    covenant::engine::store::ObligationRow r;
    r.contract_id = "C-7";
    r.obligation_id = id;
    r.kind = kind;
    r.owner = "Globex";
    r.due_date = due;
    r.body = body;
    return r;
  };
  REQUIRE(a.fx.store_->obligations.replace(
      "default", "C-7", "inst-7",
      {row("report-1", "report", "2027-04-15", R"({"description":"Quarterly report"})"),
       row("audit-1", "audit", "", R"({"description":"Records open to audit"})")},
      1000));
  auto all = a.call("GET", "/v1/contracts/C-7/obligations", finance);
  REQUIRE(all.status == 200);
  auto listed = json::parse(all.body)["obligations"];
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["id"] == "report-1");  // dated first
  CHECK(listed[0]["description"] == "Quarterly report");
  CHECK(listed[1]["due_date"].is_null());
  auto due = json::parse(
      a.call("GET", "/v1/contracts/C-7/obligations?due_before=2027-04-15", finance).body);
  CHECK(due["obligations"].size() == 1);
  CHECK(json::parse(a.call("GET", "/v1/contracts/C-7/obligations?due_before=2027-04-14", finance)
                        .body)["obligations"]
            .empty());
  CHECK(json::parse(a.call("GET", "/v1/contracts/C-7/obligations?kind=audit", finance)
                        .body)["obligations"][0]["id"] == "audit-1");
  CHECK(a.call("GET", "/v1/contracts/C-7/obligations?kind=promise", finance).status == 400);
  CHECK(a.call("GET", "/v1/contracts/C-7/obligations?due_before=2027-02-30", finance).status ==
        400);
  CHECK(a.call("GET", "/v1/contracts/C-8/obligations", finance).status == 404);
  CHECK(a.call("GET", "/v1/contracts/C-7/obligations", approver).status == 403);
  CHECK(a.call("GET", "/v1/contracts/C-7/obligations", "").status == 401);

  // A damaged stored row: a 500 that names it, not a register missing one obligation.
  REQUIRE(a.fx.store_->obligations.replace(
      "default", "C-7", "inst-7", {row("report-1", "report", "2027-04-15", "{not json")}, 2000));
  auto damaged = a.call("GET", "/v1/contracts/C-7/obligations", finance);
  CHECK(damaged.status == 500);
  CHECK(damaged.body.find("report-1") != std::string::npos);
}
