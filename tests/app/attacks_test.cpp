// The financial control, tried as an adversary would (issue 14): each of the eight attacks
// that once got money written without the right approval, through the real HTTP API with
// the sandbox's Stripe behind the worker, on SQLite and PostgreSQL. Each test shows the
// refusal and that the sandbox holds no record nobody approved.
#include "engine/notify/notifier.hpp"
#include "tests/app/attack_rig.hpp"

#include <atomic>
#include <set>

using covenant::testing::AttackRig;
using covenant::testing::HttpAnswer;
using nlohmann::json;

namespace {

json decision(const json& approval, const std::string& id = "") {
  json d = {{"decision", "approve"}, {"digest", approval["digest"]}, {"comment", "checked"}};
  if (!id.empty()) d["decision_id"] = id;
  return d;
}

std::string decisions_url(const json& approval) {
  return "/v1/approvals/" + approval["id"].get<std::string>() + "/decisions";
}

std::string instance_status(AttackRig& rig, const std::string& token, const std::string& id) {
  auto r = rig.get("/v1/instances/" + id, token);
  REQUIRE(r.status == 200);
  return r.body["status"];
}

const json kItems = json::array({{{"description", "Platform, annual"}, {"amount_minor", 480000}}});

json order() {
  return {{"account", "ACC-66"}, {"name", "Acme"}, {"currency", "usd"}, {"items", kItems}};
}

// Attack 1: a parallel branch writes its result with `output:`, which is discarded; the
// threshold rule for the lower-authority role then reads null.
constexpr const char* kNullThreshold = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: null-threshold }
start: collect
states:
  collect:
    type: parallel
    branches:
      - name: usage
        start: read
        states:
          read:
            type: task
            activity: billing.upsert_customer
            input: { external_id: "${ .account }", name: "${ .name }" }
            output: .usage
            end: true
    output: .collected
    next: gate
  gate:
    type: approval
    authorizes: [billing.create_invoice]
    subject:
      usage: { from: "${ .collected[0].usage }", type: money, required: false }
      customer: { from: "${ .collected[0].id }", type: id }
      currency: { from: "${ .currency }", type: string }
      items: { from: "${ .items }", type: list }
    approvers:
      - { role: billing_ops, when: "${ .usage.amount_minor <= 500000 }" }
      - { role: cfo }
    next: invoice
  invoice:
    type: task
    activity: billing.create_invoice
    input: { customer: "${ .collected[0].id }", currency: "${ .currency }", items: "${ .items }" }
    output: .invoice
    next: done
  done: { type: succeed }
)";

ATTACK_TEST("Attack 1: a threshold rule that reads a missing value does not grant", null_rule) {
  auto revops = rig.add("rita", {"revops"});
  auto ops = rig.add("olga", {"billing_ops"});
  auto cfo = rig.add("cleo", {"cfo"});
  rig.deployed(revops, kNullThreshold);
  auto id = rig.start(revops, "null-threshold", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  // Only the unconditional rule applies; the history says why the other did not.
  CHECK(approval["rules"] == json::array({{{"role", "cfo"}, {"count", 1}}}));
  bool explained = false;
  for (const auto& e : rig.history(id))
    if (e.type == covenant::engine::history::EventType::ApprovalRequested) {
      auto why = e.payload.value("rules_not_applied", json());
      INFO(e.payload.dump());
      REQUIRE(why.is_array());
      REQUIRE(why.size() == 1);
      CHECK(why[0]["role"] == "billing_ops");
      CHECK(why[0]["missing"] == json::array({".usage.amount_minor"}));
      explained = true;
    }
  CHECK(explained);
  auto refused = rig.post(decisions_url(approval), ops, decision(approval));
  CHECK(refused.status == 403);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").empty());  // nothing written on that refusal
  // The right person still can.
  CHECK(rig.post(decisions_url(approval), cfo, decision(approval)).status == 201);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 1);
  CHECK(instance_status(rig, revops, id) == "completed");
}

// Declared as required, the missing value never reaches an approver at all.
ATTACK_TEST("Attack 1: a subject that does not conform to its declaration opens no gate",
            null_subject) {
  auto revops = rig.add("rita", {"revops"});
  auto cfo = rig.add("cleo", {"cfo"});
  std::string yaml = kNullThreshold;
  yaml.replace(yaml.find(", required: false"), std::string(", required: false").size(), "");
  rig.deployed(revops, yaml);
  auto id = rig.start(revops, "null-threshold", order());
  rig.drain();
  CHECK(instance_status(rig, revops, id) == "failed");
  CHECK(rig.fx.instance(id).error == "SubjectInvalid");
  bool rejected = false;
  for (const auto& e : rig.history(id)) {
    CHECK(e.type != covenant::engine::history::EventType::ApprovalRequested);
    if (e.type == covenant::engine::history::EventType::SubjectRejected) {
      rejected = true;
      CHECK(e.payload["problems"][0]["field"] == "usage");
      CHECK(e.payload["problems"][0]["problem"].get<std::string>().rfind("missing", 0) == 0);
    }
  }
  CHECK(rejected);
  CHECK(rig.get("/v1/approvals", cfo).body["items"].empty());
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
}

// With no rule left and no escalation role, the gate does not open to anyone.
ATTACK_TEST("Attack 1: when no approver rule applies, nobody may open the gate", no_rule) {
  auto revops = rig.add("rita", {"revops"});
  auto ops = rig.add("olga", {"billing_ops"});
  std::string yaml = kNullThreshold;
  yaml.replace(yaml.find("      - { role: cfo }\n"), std::string("      - { role: cfo }\n").size(),
               "");
  rig.deployed(revops, yaml);
  auto id = rig.start(revops, "null-threshold", order());
  rig.drain();
  CHECK(instance_status(rig, revops, id) == "failed");
  auto inst = rig.fx.instance(id);
  CHECK(inst.error == "NoApproverApplies");
  CHECK(rig.get("/v1/approvals", ops).body["items"].empty());
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
}

// Attack 2: one approval, and a new invoice on every loop.
constexpr const char* kLoop = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: invoice-loop }
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
    next: pause
  pause: { type: wait, duration: 30d, next: again }
  again:
    type: choice
    choices:
      - { when: "${ .invoice != null }", next: invoice }
    default: done
  done: { type: succeed }
)";

// The same, without the loop: two invoices one after the other under one opening.
constexpr const char* kTwice = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: invoice-twice }
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
    next: first
  first:
    type: task
    activity: billing.create_invoice
    input: { customer: "${ .customer.id }", currency: "${ .currency }", items: "${ .items }" }
    output: .first
    next: second
  second:
    type: task
    activity: billing.create_invoice
    input: { customer: "${ .customer.id }", currency: "${ .currency }", items: "${ .items }" }
    output: .second
    next: done
  done: { type: succeed }
)";

// One gate, one invoice: the workflow the other attacks aim at.
constexpr const char* kOne = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: invoice-once }
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
    next: done
  done: { type: succeed }
)";

// A branch writes under the opening; the parent then tries to write again after the join.
// The validator sees only within a scope, so the engine's own check has to hold here.
constexpr const char* kBranchThenParent = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: branch-then-parent }
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
    next: split
  split:
    type: parallel
    branches:
      - name: bill
        start: invoice
        states:
          invoice:
            type: task
            activity: billing.create_invoice
            input: { customer: "${ .customer.id }", currency: "${ .currency }", items: "${ .items }" }
            end: true
    output: .split
    next: again
  again:
    type: task
    activity: billing.create_invoice
    input: { customer: "${ .customer.id }", currency: "${ .currency }", items: "${ .items }" }
    next: done
  done: { type: succeed }
)";

ATTACK_TEST("Attack 2: one approval pays for one write", one_write) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  auto refused = rig.deploy(revops, kLoop);
  INFO(refused.body.dump());
  REQUIRE(refused.status == 422);
  std::string detail = refused.body.dump();
  CHECK(detail.find("financial-write-repeated") != std::string::npos);
  CHECK(detail.find("invoice -> pause -> again -> invoice") != std::string::npos);
  // Two writes one after the other under one opening: refused too, naming the way.
  auto twice = rig.deploy(revops, kTwice);
  REQUIRE(twice.status == 422);
  CHECK(twice.body.dump().find("first -> second") != std::string::npos);

  // Where the validator cannot see (a branch wrote, then the parent), the engine refuses
  // the second dispatch and goes back to the gate.
  rig.deployed(revops, kBranchThenParent);
  auto id = rig.start(revops, "branch-then-parent", order());
  rig.drain();
  auto first = rig.open_approval(id);
  REQUIRE(rig.post(decisions_url(first), bob, decision(first)).status == 201);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 1);
  bool blocked = false;
  for (const auto& e : rig.history(id))
    if (e.type == covenant::engine::history::EventType::WritebackBlocked) {
      CHECK(e.payload["reason"] == "spent");
      CHECK(e.state == "again");
      blocked = true;
    }
  CHECK(blocked);
  auto second = rig.open_approval(id);  // the gate opened again: a new approval
  CHECK(second["id"] != first["id"]);
  CHECK(instance_status(rig, revops, id) == "running");
}

// Attack 3: an admin gives itself an approver's authority and decides "for" them.
ATTACK_TEST("Attack 3: an admin cannot approve for anyone on its own say", admin_delegation) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  auto root = rig.add("root", {"admin"});
  auto root2 = rig.add("root2", {"admin"});
  rig.deployed(revops, kOne);
  auto id = rig.start(revops, "invoice-once", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  json grant = {{"delegator", "bob"},
                {"delegate", "root"},
                {"from", "2027-01-01T00:00:00Z"},
                {"until", "2027-12-31T00:00:00Z"}};
  auto proposed = rig.post("/v1/delegations", root, grant);
  INFO(proposed.body.dump());
  REQUIRE(proposed.status == 202);  // proposed, not in force
  CHECK(proposed.body["status"] == "pending");
  json on_behalf = decision(approval);
  on_behalf["on_behalf_of"] = "bob";
  CHECK(rig.post(decisions_url(approval), root, on_behalf).status == 403);
  // The proposer cannot approve its own proposal; nor can a non-admin create one for bob.
  std::string approve =
      "/v1/delegations/" + std::to_string(proposed.body["id"].get<int>()) + "/approve";
  CHECK(rig.post(approve, root, json::object()).status == 403);
  auto carol = rig.add("carol", {"finance"});
  json for_bob = grant;
  for_bob["delegate"] = "carol";
  CHECK(rig.post("/v1/delegations", carol, for_bob).status == 403);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
  // A second admin puts it in force, and that is recorded.
  auto approved = rig.post(approve, root2, json::object());
  INFO(approved.body.dump());
  REQUIRE(approved.status == 200);
  CHECK(approved.body["status"] == "in_force");
  CHECK(approved.body["approved_by"] == "root2");
  CHECK(rig.post(approve, root2, json::object()).status == 409);  // in force already
  // Bob's own delegation to carol is in force at once.
  auto own = rig.post("/v1/delegations", bob, for_bob);
  CHECK(own.status == 201);
  CHECK(own.body["status"] == "in_force");
}

ATTACK_TEST("Attack 3: separation of duties holds across delegations", delegated_sod) {
  auto rita = rig.add("rita", {"revops", "finance"});  // starts the instance
  auto bob = rig.add("bob", {"finance"});
  auto carol = rig.add("carol", {"finance"});
  rig.deployed(rita, kOne);
  auto id = rig.start(rita, "invoice-once", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  json window = {{"from", "2027-01-01T00:00:00Z"}, {"until", "2027-12-31T00:00:00Z"}};
  // The initiator cannot decide through someone else's authority...
  json to_rita = window;
  to_rita["delegator"] = "bob";
  to_rita["delegate"] = "rita";
  REQUIRE(rig.post("/v1/delegations", bob, to_rita).status == 201);
  json for_bob = decision(approval);
  for_bob["on_behalf_of"] = "bob";
  CHECK(rig.post(decisions_url(approval), rita, for_bob).status == 403);
  // ...nor have someone decide with hers.
  json from_rita = window;
  from_rita["delegator"] = "rita";
  from_rita["delegate"] = "carol";
  REQUIRE(rig.post("/v1/delegations", rita, from_rita).status == 201);
  json for_rita = decision(approval);
  for_rita["on_behalf_of"] = "rita";
  CHECK(rig.post(decisions_url(approval), carol, for_rita).status == 403);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").empty());
  // A person outside the instance decides in their own name, once.
  CHECK(rig.post(decisions_url(approval), carol, decision(approval)).status == 201);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 1);
}

// Attack 4: the subject does not cover what the invoice sends.
ATTACK_TEST("Attack 4: a subject that does not cover the write is refused at deploy", coverage) {
  auto revops = rig.add("rita", {"revops"});
  std::string yaml = kOne;
  for (const char* line : {"      currency: { from: \"${ .currency }\", type: string }\n",
                           "      items: { from: \"${ .items }\", type: list }\n"})
    yaml.erase(yaml.find(line), std::string(line).size());
  auto r = rig.deploy(revops, yaml);
  INFO(r.body.dump());
  REQUIRE(r.status == 422);
  std::string detail = r.body.dump();
  CHECK(detail.find("subject-does-not-cover-write") != std::string::npos);
  CHECK(detail.find("sends .items") != std::string::npos);
  CHECK(detail.find("gate 'gate'") != std::string::npos);
  CHECK(rig.get("/v1/definitions", revops).body["items"].empty());
}

// Attack 5: every approver's live token went to every subscriber.
struct Recorder : covenant::engine::notify::Sender {
  std::map<std::string, std::vector<json>> bodies;  // by endpoint
  covenant::engine::Result<void> send(const covenant::engine::notify::Endpoint& to,
                                      const std::string&, const std::string& body,
                                      std::int64_t) override {
    bodies[to.name].push_back(json::parse(body));
    return {};
  }
};

ATTACK_TEST("Attack 5: a callback token goes only to its owner's channel", tokens) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  rig.add("carol", {"finance"});
  rig.deployed(revops, kOne);
  auto id = rig.start(revops, "invoice-once", order());
  rig.drain();
  Recorder rec;
  std::vector<covenant::engine::notify::Endpoint> endpoints = {
      {"shared-bot", "http://127.0.0.1:1/hooks", "s1", {}, "", ""},
      {"bob-channel", "http://127.0.0.1:1/bob", "s2", {}, "bob", ""}};
  covenant::engine::notify::Notifier n(*rig.fx.store_, rig.desk, rec, endpoints, rig.fx.clock,
                                       {"http://127.0.0.1"});
  REQUIRE(n.run_due());
  json shared, own;
  for (const auto& b : rec.bodies["shared-bot"])
    if (b["type"] == "approval.requested") shared = b;
  for (const auto& b : rec.bodies["bob-channel"])
    if (b["type"] == "approval.requested") own = b;
  REQUIRE(shared.is_object());
  REQUIRE(own.is_object());
  // The shared subscriber learns who may decide and where, and holds no token.
  CHECK(shared["data"]["callbacks"].size() == 2);
  for (const auto& cb : shared["data"]["callbacks"]) CHECK_FALSE(cb.contains("token"));
  CHECK(shared.dump().find("cbt_") == std::string::npos);
  // Bob's own channel has bob's token and nobody else's.
  REQUIRE(own["data"]["callbacks"].size() == 1);
  CHECK(own["data"]["callbacks"][0]["approver"] == "bob");
  std::string token = own["data"]["callbacks"][0]["token"];
  auto approval = rig.open_approval(id);
  CHECK(rig.post(decisions_url(approval), token, decision(approval)).status == 201);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 1);
  (void)bob;
}

// Attack 6: replays answered 401 after the token was spent, and 409 under concurrency.
ATTACK_TEST("Attack 6: a repeated decision id always gets the recorded answer", replays) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  rig.deployed(revops, kOne);
  auto id = rig.start(revops, "invoice-once", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  // Twenty concurrent copies of the decision that closes the gate.
  std::vector<std::thread> copies;
  std::vector<HttpAnswer> answers(20);
  for (int i = 0; i < 20; ++i)
    copies.emplace_back([&, i] {
      // A client that gets no answer (the connection dropped under load) sends the same
      // decision again, as a real one would: that is what the decision id is for.
      for (int attempt = 0; attempt < 5; ++attempt) {
        answers[i] = rig.post(decisions_url(approval), bob, decision(approval, "dec-close-1"));
        if (answers[i].status != 0) break;
      }
    });
  for (auto& t : copies) t.join();
  int created = 0;
  for (const auto& a : answers) {
    INFO(a.body.dump());
    CHECK((a.status == 201 || a.status == 200));
    if (a.status == 201) ++created;
    if (a.status == 200) CHECK(a.body["repeated"] == true);
    CHECK(a.body["status"] == "granted");
    CHECK(a.body["decision_id"] == "dec-close-1");
  }
  CHECK(created == 1);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 1);

  // A callback token, spent by its decision, still gets the recorded answer for a repeat.
  CHECK(instance_status(rig, revops, id) == "completed");
  auto other = rig.start(revops, "invoice-once", order());
  rig.drain();
  auto second = rig.open_approval(other);
  auto token = rig.desk.issue_token("default", second["id"], {"bob", ""}, 0x7fffffffffffffff);
  REQUIRE(token);
  auto first = rig.post(decisions_url(second), *token, decision(second, "dec-cb-1"));
  REQUIRE(first.status == 201);
  auto again = rig.post(decisions_url(second), *token, decision(second, "dec-cb-1"));
  INFO(again.body.dump());
  CHECK(again.status == 200);
  CHECK(again.body["repeated"] == true);
  CHECK(again.body["status"] == "granted");
  // The spent token does nothing else: no new decision, no reading.
  CHECK(rig.post(decisions_url(second), *token, decision(second, "dec-cb-2")).status == 401);
  CHECK(rig.get("/v1/approvals/" + second["id"].get<std::string>(), *token).status == 401);
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 2);
}

// Attack 7: a principal with no role read definitions and instances.
ATTACK_TEST("Attack 7: reading needs a role", reads) {
  auto revops = rig.add("rita", {"revops"});
  auto sam = rig.add("sam", {"sales"});  // a role no route lists
  rig.deployed(revops, kOne);
  auto id = rig.start(revops, "invoice-once", order());
  for (const std::string& path :
       {std::string("/v1/definitions"), std::string("/v1/definitions/invoice-once"),
        std::string("/v1/definitions/invoice-once/versions"),
        std::string("/v1/definitions/invoice-once/graph.svg"), "/v1/instances/" + id,
        "/v1/instances/" + id + "/history", "/v1/instances/" + id + "/approvals",
        std::string("/v1/instances"), std::string("/v1/audit/events")}) {
    INFO(path);
    auto r = rig.get(path, sam);
    CHECK(r.status == 403);
    CHECK(r.body.dump().find("ACC-66") == std::string::npos);
  }
  // The approval routes take any principal, and show only what the rules let them decide.
  rig.drain();
  auto inbox = rig.get("/v1/approvals", sam);
  CHECK(inbox.status == 200);
  CHECK(inbox.body["items"].empty());
  auto approval = rig.open_approval(id);
  CHECK(rig.get("/v1/approvals/" + approval["id"].get<std::string>(), sam).status == 403);
  CHECK(rig.get("/v1/instances/" + id, revops).status == 200);
}

// Attack 8: a refused credit note was reported as compensated.
constexpr const char* kSaga = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: saga }
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
    authorizes: [billing.create_invoice, billing.finalize_invoice, billing.create_credit_note]
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
    next: finalize
  finalize:
    type: task
    activity: billing.finalize_invoice
    input: { invoice: "${ .invoice.id }" }
    output: .finalized
    compensate:
      activity: billing.create_credit_note
      input: { invoice: "${ .invoice.id }", amount: "${ .finalized.total_minor }", reason: order_change }
      retry: { max_attempts: 3, initial_interval: 1s }
    next: provision_failed
  provision_failed: { type: fail, error: ProvisioningFailed, cause: the tenant was not created }
)";

ATTACK_TEST("Attack 8: a compensation that fails is loud, not 'compensated'", compensation) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  auto ops = rig.add("oscar", {"service"});
  rig.deployed(revops, kSaga);
  rig.sandbox.fault({{"method", "POST"},
                     {"path_prefix", "/v1/credit_notes"},
                     {"fail_next", 100},
                     {"status", 400}});
  auto id = rig.start(revops, "saga", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  REQUIRE(rig.post(decisions_url(approval), bob, decision(approval)).status == 201);
  rig.drain();
  auto inst = rig.get("/v1/instances/" + id, revops);
  CHECK(inst.body["status"] == "compensation_failed");
  auto invoices = rig.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == 1);  // the finalized invoice stands...
  CHECK(rig.sandbox.records("stripe", "credit_note").empty());
  bool failed_event = false, listed = false;
  for (const auto& e : rig.history(id)) {
    CHECK(e.payload.value("compensated", false) == false);  // ...and nothing says otherwise
    if (e.type == covenant::engine::history::EventType::CompensationFailed) {
      failed_event = true;
      CHECK(e.payload["activity"] == "billing.finalize_invoice");
      CHECK(e.payload["compensation"] == "billing.create_credit_note");
    }
    if (e.type == covenant::engine::history::EventType::WorkflowFailed) {
      CHECK(e.payload["status"] == "compensation_failed");
      REQUIRE(e.payload["left_standing"].size() == 1);
      CHECK(e.payload["left_standing"][0]["result"]["id"] == invoices[0]["id"]);
      listed = true;
    }
  }
  CHECK(failed_event);
  CHECK(listed);
  // The operator alert: a webhook in the outbox and a metric.
  auto due = rig.fx.store_->outbox.claim(
      covenant::engine::to_micros(rig.fx.clock.now()) + 3'600'000'000LL, 60'000'000, 100);
  REQUIRE(due);
  std::set<std::string> topics;
  for (const auto& row : *due) topics.insert(row.topic);
  CHECK(topics.count("compensation.failed") == 1);
  auto metrics = rig.call("GET", "/metrics", ops);
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.get<std::string>().find("covenant_compensations_failed_total 1") !=
        std::string::npos);
}

ATTACK_TEST("Attack 8: a compensation refused for a while is retried under its policy",
            compensation_retried) {
  auto revops = rig.add("rita", {"revops"});
  auto bob = rig.add("bob", {"finance"});
  rig.deployed(revops, kSaga);
  rig.sandbox.fault({{"method", "POST"},
                     {"path_prefix", "/v1/credit_notes"},
                     {"fail_next", 6},  // the adapter's own 4 tries fail, then the engine retries
                     {"status", 503}});
  auto id = rig.start(revops, "saga", order());
  rig.drain();
  auto approval = rig.open_approval(id);
  REQUIRE(rig.post(decisions_url(approval), bob, decision(approval)).status == 201);
  for (int i = 0; i < 10; ++i) {
    rig.drain();
    rig.fx.clock.advance(std::chrono::minutes(10));
  }
  std::string trail;
  for (const auto& e : rig.history(id))
    trail += std::string(covenant::engine::history::name(e.type)) + " " + e.payload.dump() + "\n";
  INFO(trail);
  CHECK(instance_status(rig, revops, id) == "failed");
  CHECK(rig.sandbox.records("stripe", "credit_note").size() == 1);
}

}  // namespace
