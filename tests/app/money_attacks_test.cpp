// Money, tried as an adversary would (issue 15): amounts that once wrapped around and values
// that were once guessed, through the real HTTP API with the sandbox's Stripe behind the
// worker, on SQLite and PostgreSQL. A plan that cannot be computed exactly is refused naming
// the field, the workflow routes the refusal to a person, no approval is ever asked for it,
// and nothing reaches the billing system.
#include "tests/app/attack_rig.hpp"

using covenant::testing::AttackRig;
using nlohmann::json;

namespace {

constexpr const char* kPlanThenBill = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: plan-then-bill }
start: customer
states:
  customer:
    type: task
    activity: billing.upsert_customer
    input: { external_id: "${ .account }", name: "${ .name }" }
    output: .customer
    next: plan
  plan:
    type: task
    activity: bill.plan
    input: { terms: "${ .terms }", products: "${ .products }", contract_id: "${ .contract_id }" }
    output: .billing_plan
    catch:
      - { errors: [InvalidInput], next: refused, output: .plan_problem }
    next: gate
  gate:
    type: approval
    authorizes: [billing.create_invoice]
    subject:
      customer: { from: "${ .customer.id }", type: id }
      plan: { from: "${ .billing_plan }", type: object }
      total: { from: "${ .billing_plan.total }", type: money }
    approvers: [{ role: finance }]
    next: invoice
  invoice:
    type: task
    activity: billing.create_invoice
    input:
      customer: "${ .customer.id }"
      currency: "${ .billing_plan.currency | ascii_downcase }"
      items: "${ .billing_plan.invoices[0].items | map({description, amount_minor: .amount.amount_minor}) }"
    output: .invoice
    next: done
  done: { type: succeed }
  refused: { type: succeed }
)";

// The lines as a vector: `json{one_line}` is a one-element array under gcc but a copy of the
// line under clang (CWG 2137), so a braced list of one line must not become a json directly.
json contract(const std::vector<json>& lines,
              json frequency = {{"every", "year"}, {"timing", "advance"}}) {
  return {{"account", "ACC-15"},
          {"name", "Acme"},
          {"contract_id", "C-15"},
          {"terms",
           {{"effective_date", "2027-01-01"},
            {"expiration_date", "2028-01-01"},
            {"billing_frequency", frequency}}},
          {"products", {{"currency", "USD"}, {"lines", json(lines)}}}};
}

json one_time(std::int64_t amount) {
  return {{"kind", "one_time"}, {"name", "Setup"}, {"amount_minor", amount}};
}

// Runs `input` to its end; returns why the plan was refused, from the history: the plan's
// ActivityFailed message, once the instance entered `refused` and completed there.
std::string refusal(AttackRig& rig, const std::string& token, const json& input) {
  auto id = rig.start(token, "plan-then-bill", input, "C-15");
  rig.drain();
  auto r = rig.get("/v1/instances/" + id, token);
  REQUIRE(r.status == 200);
  CHECK(r.body["status"] == "completed");
  using covenant::engine::history::EventType;
  std::string why;
  bool refused = false;
  for (const auto& e : rig.history(id)) {
    if (e.type == EventType::ActivityFailed && e.state == "plan") {
      CHECK(e.payload.value("error", "") == "InvalidInput");
      CHECK_FALSE(e.payload.value("retryable", true));
      why = e.payload.value("message", "");
    }
    refused = refused || (e.type == EventType::StateEntered && e.state == "refused");
    CHECK(e.type != EventType::ApprovalRequested);  // no gate was ever opened
  }
  CHECK(refused);
  CHECK(rig.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id)->empty());
  return why;
}

}  // namespace

ATTACK_TEST("Money 1: amounts that would wrap around are refused before any approval", wrap) {
  auto revops = rig.add("rita", {"revops"});
  rig.deployed(revops, kPlanThenBill);
  // 1,100 one-time fees of 9e15 minor units each (below 2^53, so expressions carry them
  // exactly): their sum passes 2^63 at the 1,025th and once wrapped around.
  std::vector<json> lines;
  for (int i = 0; i < 1100; ++i) lines.push_back(one_time(9'000'000'000'000'000));
  auto why = refusal(rig, revops, contract(lines));
  INFO(why);
  CHECK(why.find("products.lines[1024].amount_minor") != std::string::npos);
  CHECK(why.find("largest amount") != std::string::npos);
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
}

ATTACK_TEST("Money 2: an unknown billing timing is refused, not billed in advance", timing) {
  auto revops = rig.add("rita", {"revops"});
  rig.deployed(revops, kPlanThenBill);
  auto why = refusal(rig, revops,
                     contract({one_time(300000)}, {{"every", "year"}, {"timing", "in arrears"}}));
  CHECK(why.find("terms.billing_frequency.timing must be one of advance, arrears") !=
        std::string::npos);
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
}

ATTACK_TEST("Money 3: an exact plan is approved as computed and billed to the unit", exact) {
  auto revops = rig.add("rita", {"revops"});
  auto fin = rig.add("fiona", {"finance"});
  rig.deployed(revops, kPlanThenBill);
  auto id = rig.start(revops, "plan-then-bill", contract({one_time(300001)}), "C-15");
  rig.drain();
  auto approval = rig.open_approval(id);
  CHECK(approval["subject"]["total"] == json({{"amount_minor", 300001}, {"currency", "USD"}}));
  auto d = rig.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", fin,
                    {{"decision", "approve"}, {"digest", approval["digest"]}, {"comment", "ok"}});
  REQUIRE(d.status == 201);
  rig.drain();
  auto invoices = rig.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == 1);
  CHECK(invoices[0].dump().find("300001") != std::string::npos);
}

ATTACK_TEST("Money 4: a number expressions would round is refused, not rounded", rounding) {
  auto revops = rig.add("rita", {"revops"});
  rig.deployed(revops, kPlanThenBill);
  // 2^53 + 1 minor units: jq computes with doubles and would hand on 2^53.
  auto id =
      rig.start(revops, "plan-then-bill", contract({one_time(9'007'199'254'740'993)}), "C-15");
  rig.drain();
  auto r = rig.get("/v1/instances/" + id, revops);
  REQUIRE(r.status == 200);
  INFO(r.body.dump());
  CHECK(r.body["status"] == "failed");
  CHECK(r.body["error"] == "ExpressionError");
  std::string why;
  for (const auto& e : rig.history(id))
    if (e.type == covenant::engine::history::EventType::WorkflowFailed) why = e.payload.dump();
  INFO(why);
  CHECK(why.find("9007199254740993 at .products.lines[0].amount_minor") != std::string::npos);
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
}
