// The adapters' acceptance: a contract-to-cash slice (customer, approval, invoice) run by the
// engine against the sandbox over real HTTP. With "commit, then drop the connection"
// injected on invoice creation the workflow ends with exactly one invoice; with three 503s
// then success, one; with a 400 the activity fails with the sandbox's message and the
// workflow follows its catch. The secret key appears in no history event.
#include "activities/catalog.hpp"
#include "app/activity_bridge.hpp"
#include "engine/approvals/desk.hpp"
#include "tests/app/sandbox_fixture.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/compiler.hpp"

using covenant::testing::EngineFixture;
using covenant::testing::SandboxServer;
using covenant::testing::SqliteDb;
using nlohmann::json;

namespace {

constexpr const char* kSlice = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: invoice-slice }
start: customer
states:
  customer:
    type: task
    activity: billing.upsert_customer
    input: { external_id: "${ .account }", name: "${ .name }" }
    output: .customer
    next: gate
  gate:
    type: approval
    authorizes: [billing.create_invoice]
    subject:
      customer: { from: "${ .customer.id }", type: id }
      currency: { from: "${ .currency }", type: string }
      items: { from: "${ .items }", type: list }
    approvers: [{ role: finance }]
    next: invoice
  invoice:
    type: task
    activity: billing.create_invoice
    input: { customer: "${ .customer.id }", currency: "${ .currency }", items: "${ .items }" }
    output: .invoice
    retry: { max_attempts: 3, initial_interval: 1s }
    catch:
      - { errors: [Invalid], next: flagged }
    next: done
  done: { type: succeed }
  flagged: { type: succeed }
)";

struct Slice {
  SandboxServer sandbox;
  SqliteDb db;
  EngineFixture fx{db.url()};
  covenant::engine::auth::Principals principals{*fx.store_, fx.clock, fx.ids};
  covenant::engine::approvals::ApprovalDesk desk{*fx.runtime_, principals, fx.clock, fx.ids};
  covenant::app::ActivityBridge bridge{[this] {
    covenant::activities::Systems systems;
    systems.billing = sandbox.stripe();
    return systems;
  }()};
  covenant::engine::scheduler::Worker worker{*fx.runtime_, bridge, {"slice-worker", 1}};

  Slice() {
    covenant::activities::BuiltinCatalog catalog;
    auto c = covenant::workflows::compile(kSlice, "slice.yaml", catalog);
    REQUIRE(c.workflow);
    REQUIRE(fx.store_->definitions.put("default", c.workflow->name(), c.workflow->digest(), kSlice,
                                       c.workflow->canonical_text(), 0));
  }
  void drain() {
    for (int i = 0; i < 100; ++i) {
      auto s = worker.run_due();
      if (s.timers + s.tasks == 0) return;
    }
    FAIL("work did not settle");
  }
  // Starts the slice and approves it; returns the instance id once the invoice step ran.
  std::string run(const std::string& currency) {
    auto id = fx.start("invoice-slice",
                       {{"account", "ACC-7"},
                        {"name", "Acme Corp"},
                        {"currency", currency},
                        {"items",
                         {{{"description", "Platform, annual"}, {"amount_minor", 4800000}},
                          {{"description", "Onboarding"}, {"amount_minor", 250000}}}}},
                       {"C-7", "rita", "", "default"});
    drain();
    auto rows = fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    covenant::engine::auth::Principal bob{"bob", {"finance"}, 0, 0, ""};
    REQUIRE(desk.decide({bob, "", "", ""}, {(*rows)[0].id, "", true, "ok", (*rows)[0].digest, ""}));
    drain();
    return id;
  }
  std::string history_text(const std::string& id) {
    auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
    REQUIRE(h);
    std::string all;
    for (const auto& e : *h) all += e.payload.dump() + "\n";
    return all;
  }
};

}  // namespace

TEST_CASE("A write committed before the connection dropped is not repeated: one invoice") {
  Slice s;
  s.sandbox.fault({{"method", "POST"}, {"path_prefix", "/v1/invoices"}, {"drop_after_commit", 1}});
  auto id = s.run("USD");
  CHECK(s.fx.instance(id).status == "completed");
  auto invoices = s.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == 1);
  CHECK(invoices[0]["body"]["total"] == 5050000);
  CHECK(s.sandbox.records("stripe", "invoiceitem").size() == 2);
  CHECK(s.sandbox.requests()["POST /v1/invoices"] == 2);  // the retry was answered from the key
  CHECK(s.fx.instance(id).output["id"] == invoices[0]["id"]);  // the last result: the invoice
}

TEST_CASE("Three 503s then success: one invoice") {
  Slice s;
  s.sandbox.fault(
      {{"method", "POST"}, {"path_prefix", "/v1/invoices"}, {"fail_next", 3}, {"status", 503}});
  auto id = s.run("USD");
  CHECK(s.fx.instance(id).status == "completed");
  CHECK(s.sandbox.records("stripe", "invoice").size() == 1);
  CHECK(s.sandbox.requests()["POST /v1/invoices"] == 4);
}

TEST_CASE(
    "A 400 fails the activity with the sandbox's message and the workflow follows its "
    "catch, the key is in no history event") {
  Slice s;
  auto id = s.run("XXX");
  auto inst = s.fx.instance(id);
  CHECK(inst.status == "completed");
  auto h = s.fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  bool failed = false, flagged = false;
  for (const auto& e : *h) {
    if (e.type == covenant::engine::history::EventType::ActivityFailed) {
      failed = true;
      CHECK(e.payload["error"] == "Invalid");
      CHECK(e.payload["message"] == "stripe: Invalid currency: xxx.");
      CHECK(e.payload["retryable"] == false);
    }
    if (e.type == covenant::engine::history::EventType::StateEntered && e.state == "flagged")
      flagged = true;
  }
  CHECK(failed);
  CHECK(flagged);
  CHECK(s.sandbox.records("stripe", "invoice").empty());
  CHECK(s.history_text(id).find(covenant::testing::kStripeTestKey) == std::string::npos);
}
