// A contract's life over real HTTP, on SQLite and PostgreSQL: the master subscription agreement
// C-1042 is executed in the sandbox's DocuSign and arrives through Connect (a forged delivery
// refused, the retry starting nothing); contract-to-cash carries it to finance's approval and
// its writes and puts it in the book of contracts. Five months on, Amendment No. 1 raises the
// platform fee from June 16: it arrives the same way, is linked to C-1042 by the title and date
// it names, and contract-amendment recomputes the plan and the revenue schedule as a change —
// one proration invoice for the quarter already invoiced, the subscription repriced from the
// next quarter, the ERP's schedule modified prospectively. Finance approves only that change;
// it is written once. An amendment naming an agreement that is not in the book waits for a
// person and writes nothing.
#include "app/document_bridge.hpp"
#include "engine/time_format.hpp"
#include "tests/app/attack_rig.hpp"
#include "tests/support/paths.hpp"

#include <fstream>
#include <sstream>

namespace {

using covenant::testing::AttackRig;
using nlohmann::json;

constexpr const char* kLifeConnectKey = "connect-hmac-key-c1042";

std::string life_file_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string life_definition(const std::string& name) {
  return life_file_text(covenant::testing::source_dir() / "definitions" / (name + ".yaml"));
}

constexpr const char* kSeatsAmendment = R"(AMENDMENT No. 2 TO THE MASTER SUBSCRIPTION AGREEMENT

This Amendment No. 2 (the "Amendment") to the Master Subscription Agreement dated as of January 20, 2027 between Northwind Analytics, Inc. ("Provider") and Acme Corporation ("Customer") is entered into as of June 24, 2027. "Amendment Effective Date" means September 1, 2027.

1. FEES. With effect from the Amendment Effective Date, Section 3.1 of the Agreement is replaced in its entirety by the following:
Platform subscription: USD 48,000.00 per year
Analyst seats: 50 seats at USD 180.00 per seat per year
Onboarding services: USD 1,800.00 one-time

2. Except as amended by this Amendment, the Agreement remains in full force and effect.
)";

constexpr const char* kLawAmendment = R"(AMENDMENT No. 3 TO THE MASTER SUBSCRIPTION AGREEMENT

This Amendment No. 3 (the "Amendment") to the Master Subscription Agreement dated as of January 20, 2027 between Northwind Analytics, Inc. ("Provider") and Acme Corporation ("Customer") is entered into as of June 24, 2027. "Amendment Effective Date" means September 1, 2027.

1. GOVERNING LAW. Section 7 of the Agreement is replaced in its entirety by the following: This Agreement shall be governed by and construed in accordance with the laws of the State of New York.

2. Except as amended by this Amendment, the Agreement remains in full force and effect.
)";

constexpr const char* kStrayAmendment = R"(AMENDMENT No. 3 TO THE MASTER SERVICES AGREEMENT

This Amendment No. 3 to the Master Services Agreement dated as of March 3, 2020 between Northwind Analytics, Inc. ("Provider") and Acme Corporation ("Customer") is entered into as of June 12, 2027. "Amendment Effective Date" means July 1, 2027.

1. FEES. Platform subscription: USD 60,000.00 per year
)";

class Life {
 public:
  explicit Life(const std::string& url)
      : rig_(std::make_unique<AttackRig>(url, [](covenant::activities::Systems& s, AttackRig& r) {
          auto salesforce = r.sandbox.salesforce();
          s.crm = salesforce;
          s.cpq = salesforce;
          s.erp = r.sandbox.netsuite();
          s.ticketing = r.sandbox.zendesk();
          s.slack = r.sandbox.slack();
          s.clm["docusign"] = r.sandbox.clm("docusign");
          s.jira = r.sandbox.jira();
          s.asana = r.sandbox.asana();
          s.calendar = r.sandbox.calendar();
          s.documents = std::make_shared<covenant::app::DocumentBridge>(*r.fx.store_, r.fx.clock);
          s.book = std::make_shared<covenant::app::BookBridge>(*r.fx.store_, r.fx.clock);
          s.usage = std::make_shared<covenant::app::UsageBridge>(*r.fx.store_);
          s.today = [&r] {
            return covenant::engine::to_micros(r.fx.clock.now()) / (86'400LL * 1'000'000);
          };
        })) {
    covenant::app::intake::Source docusign;
    docusign.name = "docusign";
    docusign.vendor = "docusign";
    docusign.hmac_keys = {kLifeConnectKey};
    docusign.account_id = "acct-northwind";
    docusign.workflow_by_kind = {{"amendment", "contract-amendment"}};
    rig_->api.accept_intake({docusign});
    admin = rig_->add("ada", {"admin"});
    revops = rig_->add("rita", {"revops"});
    finance = rig_->add("fiona", {"finance"});
    rig_->deployed(admin, life_definition("contract-to-cash"));
    rig_->deployed(admin, life_definition("contract-amendment"));
    rig_->deployed(admin, life_definition("usage-billing"));
  }

  AttackRig& rig() { return *rig_; }

  void execute(const std::string& envelope, const std::string& text, const json& references) {
    rig_->sandbox.admin("/_sandbox/clm/contracts",
                        {{"vendor", "docusign"},
                         {"id", envelope},
                         {"account_id", "acct-northwind"},
                         {"title", "Please sign"},
                         {"text", text},
                         {"references", references}},
                        201);
  }

  json deliver(const std::string& envelope, const std::string& fault = "") {
    json order = {
        {"vendor", "docusign"},
        {"id", envelope},
        {"url", "http://127.0.0.1:" + std::to_string(rig_->port()) + "/v1/intake/docusign"},
        {"secret", kLifeConnectKey},
        {"at", covenant::engine::format_rfc3339(rig_->fx.clock.now())}};
    if (!fault.empty()) order["fault"] = fault;
    return rig_->sandbox.admin("/_sandbox/clm/deliver", order)["deliveries"];
  }

  // The review screen's confirmation, as a reviewer sends it with nothing to correct.
  void confirm_review(const std::string& instance, const json& corrections = json::array()) {
    auto review = rig_->get("/v1/instances/" + instance + "/review", revops);
    INFO(review.body.dump());
    REQUIRE(review.status == 200);
    auto sent = rig_->post("/v1/instances/" + instance + "/review", revops,
                           {{"corrections", corrections}, {"revision", review.body["revision"]}});
    INFO(sent.body.dump());
    REQUIRE((sent.status == 200 || sent.status == 202));
    rig_->drain();
  }

  void approve(const std::string& instance, const std::string& decision_id) {
    auto a = rig_->open_approval(instance);
    auto r = rig_->post(
        "/v1/approvals/" + a["id"].get<std::string>() + "/decisions", finance,
        {{"decision", "approve"}, {"digest", a["digest"]}, {"decision_id", decision_id}});
    INFO(r.body.dump());
    REQUIRE(r.status == 201);
    rig_->drain();
  }

  bool entered(const std::string& instance, const std::string& state) {
    for (const auto& e : rig_->history(instance))
      if (e.state == state) return true;
    return false;
  }

  std::string trail(const std::string& instance) {
    std::string out;
    for (const auto& e : rig_->history(instance))
      out += std::string(covenant::engine::history::name(e.type)) + " " + e.state + " " +
             e.payload.dump().substr(0, 300) + "\n";
    return out;
  }

  // C-1042, executed in DocuSign and delivered by Connect (a forged delivery refused, the
  // retry starting nothing), carried by contract-to-cash through approval into the book.
  std::string agreement_in_book() {
    AttackRig& rig = *rig_;
    auto msa_text = life_file_text(covenant::testing::source_dir() / "examples" / "contracts" /
                                   "C-1042-acme.txt");
    rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'800'435'600)));  // 01-20
    execute("env-c1042", msa_text,
            {{"contract_id", "C-1042"},
             {"document_kind", "msa"},
             {"opportunity_id", "006SBX0000000001AA"},
             {"quote_id", "a0QSBX0000000001AA"}});
    CHECK(deliver("env-c1042", "bad_signature")[0]["status"] == 401);
    auto accepted = deliver("env-c1042");
    REQUIRE(accepted[0]["status"] == 202);
    std::string msa = accepted[0]["body"]["instance_id"];
    CHECK(rig.fx.instance(msa).workflow == "contract-to-cash");
    auto replay = deliver("env-c1042", "replay");
    for (const auto& d : replay) CHECK(d["body"]["status"] == "duplicate");
    rig.drain();
    if (entered(msa, "review_terms")) confirm_review(msa);
    INFO(trail(msa));
    // Finance decides the next morning; provisioning confirms two days later (the handoff
    // view measures these waits).
    rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'800'435'600 + 26 * 3600)));
    approve(msa, "d-msa");
    rig.fx.clock.set(
        covenant::engine::TimePoint(std::chrono::seconds(1'800'435'600 + (26 + 48) * 3600)));
    REQUIRE(rig.post("/v1/instances/" + msa + "/events/provisioning.confirmed", revops,
                     {{"confirmed_by", "provisioning"}})
                .status == 202);
    rig.drain();
    REQUIRE(entered(msa, "monitor"));
    return msa;
  }

  // A CPQ amendment quote for C-1042 as amended: the platform at USD 48,000.00 a year, `seats`
  // analyst seats at USD 180.00, onboarding as before.
  json amendment_quote(int seats) {
    return rig_->sandbox.admin("/_sandbox/cpq/quotes",
                               {{"start_date", "2027-02-01"},
                                {"term_months", 12},
                                {"lines",
                                 {{{"product", "platform"},
                                   {"name", "Platform, annual"},
                                   {"quantity", 1},
                                   {"net_price", "48000.00"},
                                   {"term_months", 12}},
                                  {{"product", "seats"},
                                   {"name", "Seats"},
                                   {"quantity", seats},
                                   {"net_price", "180.00"},
                                   {"term_months", 12}},
                                  {{"product", "onboarding"},
                                   {"name", "Onboarding (one-off)"},
                                   {"quantity", 1},
                                   {"net_price", "1800.00"}}}}},
                               201);
  }

  std::string admin, revops, finance;

 private:
  std::unique_ptr<AttackRig> rig_;
};

void life_run(const std::string& url) {
  Life life(url);
  AttackRig& rig = life.rig();

  std::string msa = life.agreement_in_book();
  INFO(life.trail(msa));

  // The handoff view: C-1042 reached every handoff, in order, once; it waited at the finance
  // gate between extraction and approval; the amendment's workflow marks no handoffs.
  auto handoffs = rig.get("/v1/views/handoffs", life.finance);
  INFO(handoffs.body.dump());
  REQUIRE(handoffs.status == 200);
  REQUIRE(handoffs.body["rows"].size() == 1);
  const json& h = handoffs.body["rows"][0];
  CHECK(h["contract_id"] == "C-1042");
  CHECK(h["instance_id"] == msa);
  CHECK(h["kind"] == "msa");
  std::string previous;
  for (const char* m : {"signed", "extracted", "approved", "provisioned", "invoiced"}) {
    REQUIRE(h["milestones"][m].is_string());
    CHECK(h["milestones"][m].get<std::string>() >= previous);
    previous = h["milestones"][m].get<std::string>();
  }
  CHECK(h["total_seconds"] == (26 + 48) * 3600);
  CHECK(h["stage_seconds"]["extracted → approved"] == 26 * 3600);
  CHECK(h["stage_seconds"]["approved → provisioned"] == 48 * 3600);
  // Where it waited, the longest first: provisioning, then the finance gate.
  REQUIRE(h["waits"].size() >= 2);
  CHECK(h["waits"][0] == json({{"state", "await_provisioning"},
                               {"kind", "wait"},
                               {"stage", "approved → provisioned"},
                               {"from", h["milestones"]["approved"]},
                               {"to", h["milestones"]["provisioned"]},
                               {"seconds", 48 * 3600},
                               {"occurrence", 1}}));
  CHECK(h["waits"][1]["state"] == "finance_approval");
  CHECK(h["waits"][1]["kind"] == "gate");
  CHECK(h["waits"][1]["stage"] == "extracted → approved");
  CHECK(h["waits"][1]["seconds"] == 26 * 3600);
  // Its monitors wait on after the first invoice: that is not handoff latency.
  for (const auto& w : h["waits"]) {
    INFO(w.dump());
    CHECK(w["stage"] != "after invoiced");
    REQUIRE(w["to"].is_string());
    CHECK(w["to"].get<std::string>() <= h["milestones"]["invoiced"].get<std::string>());
  }
  CHECK(handoffs.body["stages"].size() == 5);
  CHECK(handoffs.body["stages"][4]["contracts"] == 1);
  CHECK(handoffs.body["reached"]["invoiced"] == 1);
  CHECK(rig.get("/v1/views/handoffs?show=in_flight", life.finance).body["rows"].empty());
  CHECK(rig.get("/v1/views/handoffs?show=fastest", life.finance).status == 400);

  // In the book: version 1, with what was written for it.
  auto book = rig.fx.store_->contracts.get("default", "C-1042");
  REQUIRE(book);
  REQUIRE(book->has_value());
  CHECK((*book)->kind == "msa");
  CHECK((*book)->version == 1);
  CHECK((*book)->agreement_date == "2027-01-20");
  json state = json::parse((*book)->state);
  REQUIRE(state["written"]["subscription"]["id"].is_string());
  REQUIRE(state["written"]["prices"].size() == 2);
  // Its obligations register, as finance reads it: the renewal window closes 60 days before
  // 2028-02-01; the customer owes two milestone payments, the first due at signing.
  auto reg = rig.get("/v1/contracts/C-1042/obligations", life.finance);
  INFO(reg.body.dump());
  REQUIRE(reg.status == 200);
  std::map<std::string, json> obligations;
  for (const auto& o : reg.body["obligations"]) obligations[o["id"]] = o;
  REQUIRE(obligations.count("renewal_window-1"));
  CHECK(obligations["renewal_window-1"]["due_date"] == "2027-12-03");
  CHECK(obligations["renewal_window-1"]["owner"] == "each party");
  CHECK(obligations["renewal_window-1"]["instance_id"] == msa);
  REQUIRE(obligations.count("payment_milestone-2"));
  CHECK(obligations["payment_milestone-1"]["owner"] == obligations["payment_milestone-2"]["owner"]);
  CHECK(obligations["payment_milestone-1"]["owner"] != "customer");
  CHECK(obligations["payment_milestone-2"]["amount"]["currency"] == "USD");
  auto renewals = rig.get("/v1/contracts/C-1042/obligations?kind=renewal_window", life.finance);
  CHECK(renewals.body["obligations"].size() == 1);
  CHECK(rig.get("/v1/contracts/C-404/obligations", life.finance).status == 404);
  CHECK(rig.get("/v1/contracts/C-1042/obligations?due_before=soon", life.finance).status == 400);
  auto invoices_before = rig.sandbox.records("stripe", "invoice").size();
  auto subscriptions = rig.sandbox.records("stripe", "subscription");
  REQUIRE(subscriptions.size() == 1);
  CHECK(subscriptions[0]["body"]["items"]["data"][0]["price"] ==
        state["written"]["prices"][0]["id"]);

  // --- Amendment No. 1, five months on -------------------------------------------------
  rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'813'482'000)));  // 2027-06-20
  auto quote = life.amendment_quote(40);
  life.execute("env-c1042-a1",
               life_file_text(covenant::testing::source_dir() / "examples" / "contracts" /
                              "C-1042-amendment-1.txt"),
               {{"contract_id", "C-1042-A1"},
                {"document_kind", "amendment"},
                {"quote_id", quote["quote_id"]}});
  CHECK(life.deliver("env-c1042-a1", "bad_signature")[0]["status"] == 401);
  auto amended = life.deliver("env-c1042-a1", "replay");
  REQUIRE(amended[0]["status"] == 202);
  CHECK(amended[1]["body"]["status"] == "duplicate");
  std::string a1 = amended[0]["body"]["instance_id"];
  CHECK(rig.fx.instance(a1).workflow == "contract-amendment");
  rig.drain();
  if (life.entered(a1, "review_terms")) life.confirm_review(a1);
  INFO(life.trail(a1));
  auto gate = rig.open_approval(a1);
  const json& change = gate["subject"]["change"];
  INFO(change.dump(2));
  // Linked by the title and the date it names; the fees superseded from June 16.
  CHECK(gate["subject"]["agreement"] == "C-1042");
  CHECK(gate["subject"]["version"] == 1);
  CHECK(change["effective_date"] == "2027-06-16");
  // Quarterly in advance, 12,600.00 a quarter before, 13,800.00 after. The quarter from May 1
  // was invoiced: from June 16 to July 31 (1 month and 16/31 of 3 months = 47/93) it is
  // credited at 12,600.00 (6,367.74) and charged at 13,800.00 (6,974.19): 606.45 on one
  // invoice. The quarters from August 1 and November 1 are invoiced by the subscription at the
  // amended price: 1,200.00 more each. The quarter from February 1 stands.
  CHECK(change["proration_invoice"]["total"]["amount_minor"] == 60645);
  CHECK(change["credit_notes"].empty());
  CHECK(change["subscription_change"]["from"] == "2027-08-01");
  CHECK(change["total_change"]["amount_minor"] == 300645);
  CHECK(change["total_after"]["amount_minor"] == 5220000 + 300645);
  CHECK(change["before_effective"] == 1);
  CHECK(gate["subject"]["revenue"]["classification"] == "prospective");
  CHECK(gate["subject"]["revenue"]["transaction_price_after"]["amount_minor"] == 5520645);
  // Nothing is written before finance approves the change.
  CHECK(rig.sandbox.records("stripe", "invoice").size() == invoices_before);

  life.approve(a1, "d-a1");
  CHECK(rig.fx.instance(a1).status == "completed");
  auto invoices = rig.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == invoices_before + 1);
  CHECK(invoices.back()["body"]["total"] == 60645);
  CHECK(invoices.back()["body"]["status"] == "open");
  CHECK(rig.sandbox.records("stripe", "credit_note").empty());
  CHECK(rig.sandbox.records("stripe", "subscription").size() == 1);  // repriced, not a new one
  // The platform's item moved to the amended price; the seats' stayed on theirs.
  auto sub = rig.sandbox.records("stripe", "subscription")[0]["body"];
  auto book2 = rig.fx.store_->contracts.get("default", "C-1042");
  REQUIRE(book2);
  REQUIRE(book2->has_value());
  CHECK((*book2)->version == 2);
  json state2 = json::parse((*book2)->state);
  CHECK(sub["items"]["data"][0]["price"] == state2["written"]["prices"][0]["id"]);
  CHECK(sub["items"]["data"][0]["price"] != state["written"]["prices"][0]["id"]);
  CHECK(sub["items"]["data"][1]["price"] == state["written"]["prices"][1]["id"]);
  CHECK(sub["proration_behavior"] == "none");
  CHECK(state2["plan"]["total"]["amount_minor"] == 5700000);
  // The ERP's schedule for C-1042 is the modified one.
  auto schedules = rig.sandbox.records("netsuite", "customrecord_covenant_rev_schedule");
  REQUIRE(schedules.size() == 1);
  CHECK(schedules[0]["body"]["custrecord_cov_total"] == "55206.45");
  // The amendment is in the book, under its agreement.
  auto a1_row = rig.fx.store_->contracts.get("default", "C-1042-A1");
  REQUIRE(a1_row);
  REQUIRE(a1_row->has_value());
  CHECK((*a1_row)->parent_id == "C-1042");
  // However often the worker looks again, nothing is written twice.
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == invoices_before + 1);

  // --- Two more amendments, computed from the same version --------------------------------
  // No. 2 adds ten seats from September 1 (a change: it waits for finance); No. 3 only moves
  // the governing law (no change to price or billing: recorded without a gate). No. 3 lands
  // first, so No. 2 — approved after — was computed from an agreement that has moved on: it
  // writes nothing and says so.
  rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'813'914'000)));  // 06-25
  auto quote2 = life.amendment_quote(50);
  life.execute("env-c1042-a2", kSeatsAmendment,
               {{"contract_id", "C-1042-A2"},
                {"document_kind", "amendment"},
                {"quote_id", quote2["quote_id"]}});
  life.execute("env-c1042-a3", kLawAmendment,
               {{"contract_id", "C-1042-A3"}, {"document_kind", "amendment"}});
  auto d2 = life.deliver("env-c1042-a2");
  auto d3 = life.deliver("env-c1042-a3");
  REQUIRE(d2[0]["status"] == 202);
  REQUIRE(d3[0]["status"] == 202);
  std::string a2 = d2[0]["body"]["instance_id"], a3 = d3[0]["body"]["instance_id"];
  rig.drain();
  if (life.entered(a2, "review_terms")) life.confirm_review(a2);
  if (life.entered(a3, "review_terms")) life.confirm_review(a3);
  {
    INFO(life.trail(a3));
    CHECK(rig.fx.instance(a3).status == "completed");
    CHECK(life.entered(a3, "record_unchanged"));
    CHECK_FALSE(life.entered(a3, "approve"));
  }
  auto book3 = rig.fx.store_->contracts.get("default", "C-1042");
  REQUIRE(book3);
  CHECK((*book3)->version == 3);
  CHECK(json::parse((*book3)->state)["terms"]["governing_law"] != state2["terms"]["governing_law"]);
  CHECK(json::parse((*book3)->state)["plan"] == state2["plan"]);  // its plan stands
  auto gate2 = rig.open_approval(a2);
  CHECK(gate2["subject"]["version"] == 2);
  life.approve(a2, "d-a2");
  {
    INFO(life.trail(a2));
    auto failed = rig.fx.instance(a2);
    CHECK(failed.status == "failed");
    CHECK(failed.error == "AgreementMoved");
  }
  CHECK(rig.sandbox.records("stripe", "invoice").size() == invoices_before + 1);
  CHECK((*rig.fx.store_->contracts.get("default", "C-1042"))->version == 3);

  // --- An amendment of an agreement that is not in the book --------------------------------
  life.execute("env-stray", kStrayAmendment,
               {{"contract_id", "C-0007-A3"}, {"document_kind", "amendment"}});
  auto stray = life.deliver("env-stray");
  REQUIRE(stray[0]["status"] == 202);
  std::string stray_id = stray[0]["body"]["instance_id"];
  rig.drain();
  // The reviewer enters the date the text gives ("means July 1, 2027").
  if (life.entered(stray_id, "review_terms"))
    life.confirm_review(stray_id, json::array({{{"field", "effective_date"},
                                                {"value", "2027-07-01"},
                                                {"reason", "the amendment's effective date"}}}));
  CHECK(life.entered(stray_id, "review_agreement"));
  CHECK(rig.fx.instance(stray_id).status == "running");
  // A person names an agreement that is not in the book either: it waits again.
  REQUIRE(rig.post("/v1/instances/" + stray_id + "/events/agreement.confirmed", life.revops,
                   {{"contract_id", "C-0007"}})
              .status == 202);
  rig.drain();
  CHECK(rig.fx.instance(stray_id).status == "running");
  CHECK(rig.sandbox.records("stripe", "invoice").size() == invoices_before + 1);
  auto nothing = rig.fx.store_->contracts.get("default", "C-0007-A3");
  REQUIRE(nothing);
  CHECK(!nothing->has_value());

  // --- A usage period of C-1042, billed to the customer its subscription bills ---------------
  // API calls over the included 100,000 a month at USD 2.00 per 1,000: 350,000 calls in July
  // (one delivery repeated by the meter) come to USD 500.00, invoiced once after approval.
  auto meter = rig.add("meter-bot", {"service"});
  const std::string usage_path = "/v1/contracts/C-1042/usage";
  json july = {{"records", json::array({{{"event_id", "c1042-07-a"},
                                         {"metric", "api_calls"},
                                         {"quantity", 200000},
                                         {"occurred_at", "2027-07-03T10:00:00Z"}},
                                        {{"event_id", "c1042-07-b"},
                                         {"metric", "api_calls"},
                                         {"quantity", 150000},
                                         {"occurred_at", "2027-07-20T10:00:00Z"}}})}};
  const covenant::engine::TimePoint august(std::chrono::seconds(1'817'078'400));  // 2027-08-01
  if (rig.fx.clock.now() < august) rig.fx.clock.set(august);
  REQUIRE(rig.post(usage_path, meter, july).status == 201);
  CHECK(rig.post(usage_path, meter, july).status == 200);  // the meter's retry adds nothing
  auto booked_now = rig.fx.store_->contracts.get("default", "C-1042");
  REQUIRE(booked_now);
  REQUIRE(booked_now->has_value());
  json billed_to = json::parse((*booked_now)->state)["written"]["billing_customer"];
  INFO(billed_to.dump());
  REQUIRE(billed_to.is_string());
  json usage_input = {{"contract_id", "C-1042"},
                      {"customer", billed_to},
                      {"pricing",
                       {{"currency", "USD"},
                        {"metric", "api_calls"},
                        {"model", "graduated"},
                        {"per_units", 1000},
                        {"tiers", json::array({{{"up_to", 100000}, {"unit_amount_minor", 0}},
                                               {{"unit_amount_minor", 200}}})},
                        {"minimum_commitment_minor", 0}}},
                      {"period", {{"start", "2027-07-01"}, {"end", "2027-08-01"}}},
                      {"close_at", "2027-08-02T00:00:00Z"}};
  std::string usage_run = rig.start(life.revops, "usage-billing", usage_input, "C-1042/2027-07");
  rig.drain();
  auto before_usage = rig.sandbox.records("stripe", "invoice").size();
  rig.fx.clock.advance(std::chrono::hours(48));
  rig.drain();
  INFO(life.trail(usage_run));
  auto usage_gate = rig.open_approval(usage_run);
  CHECK(usage_gate["subject"]["rating"]["quantity"] == 350000);
  CHECK(usage_gate["subject"]["total"]["amount_minor"] == 50000);
  CHECK(rig.sandbox.records("stripe", "invoice").size() == before_usage);  // not before approval
  REQUIRE(rig.post("/v1/approvals/" + usage_gate["id"].get<std::string>() + "/decisions",
                   life.finance,
                   {{"decision", "approve"},
                    {"digest", usage_gate["digest"]},
                    {"decision_id", "d-usage-07"}})
              .status == 201);
  rig.drain();
  rig.drain();
  auto after_usage = rig.sandbox.records("stripe", "invoice");
  REQUIRE(after_usage.size() == before_usage + 1);
  CHECK(after_usage.back()["body"]["total"] == 50000);
  CHECK(after_usage.back()["body"]["customer"] == billed_to);
}

constexpr const char* kSow = R"(STATEMENT OF WORK No. 1

This Statement of Work No. 1 (the "SOW") is entered into as of March 1, 2027 under the Master Subscription Agreement dated as of January 20, 2027 between Northwind Analytics, Inc. ("Provider") and Acme Corporation ("Customer"). "Effective Date" means March 1, 2027.

1. TERM. This SOW shall commence on the Effective Date and shall continue for an initial term of ten (10) months.

2. SERVICES. Provider will migrate Customer's reporting to the Service in two phases.

3. FEES. Customer shall pay the following fees:
Implementation services: USD 12,000.00 one-time

4. MILESTONES. The implementation fee is payable in two milestones: 40% upon completion of Phase 1 and 60% upon acceptance of Phase 2.

5. SCHEDULE. Phase 1 shall be completed within sixty (60) days of the Effective Date. Phase 2 begins upon completion of Phase 1 and shall be completed within forty-five (45) days.
)";

// An SOW under C-1042: linked by the title and date it names, it inherits the agreement's
// governing law and payment terms (what it does not say), keeps its own fee, term and
// milestones, and is booked under C-1042 once finance approves its plan.
void sow_run(const std::string& url) {
  Life life(url);
  AttackRig& rig = life.rig();
  life.agreement_in_book();
  auto msa_terms =
      json::parse((*rig.fx.store_->contracts.get("default", "C-1042"))->state)["terms"];
  rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'803'978'000)));  // 03-02
  auto quote = rig.sandbox.admin("/_sandbox/cpq/quotes",
                                 {{"start_date", "2027-03-01"},
                                  {"lines",
                                   {{{"product", "implementation"},
                                     {"name", "Implementation services"},
                                     {"quantity", 1},
                                     {"net_price", "12000.00"}}}}},
                                 201);
  life.execute("env-sow-1", kSow,
               {{"contract_id", "C-1042-SOW1"},
                {"document_kind", "sow"},
                {"opportunity_id", "006SBX0000000001AA"},
                {"quote_id", quote["quote_id"]}});
  auto d = life.deliver("env-sow-1");
  REQUIRE(d[0]["status"] == 202);
  std::string sow = d[0]["body"]["instance_id"];
  CHECK(rig.fx.instance(sow).workflow == "contract-to-cash");
  rig.drain();
  INFO(life.trail(sow));
  if (life.entered(sow, "review_terms")) life.confirm_review(sow);
  CHECK(life.entered(sow, "find_agreement"));
  CHECK(life.entered(sow, "inherit"));
  auto gate = rig.open_approval(sow);
  const json& terms = gate["subject"]["terms"];
  INFO(terms.dump(2).substr(0, 4000));
  CHECK(terms["governing_law"]["contract_id"] == "C-1042");
  CHECK(terms["governing_law"]["value"] == msa_terms["governing_law"]);
  CHECK(terms["payment_terms"]["contract_id"] == "C-1042");
  CHECK(terms["fees"]["contract_id"] == "C-1042-SOW1");
  CHECK(terms["expiration_date"]["contract_id"] == "C-1042-SOW1");
  const json& billing = gate["subject"]["billing"];
  CHECK(billing["total"]["amount_minor"] == 1200000);
  CHECK(billing["service_end"] == "2028-01-01");
  CHECK(billing["payment_terms"]["net_days"] == msa_terms["payment_terms"]["net_days"]);
  REQUIRE(billing["pending_milestones"].size() == 2);
  CHECK(billing["pending_milestones"][0]["amount"]["amount_minor"] == 480000);
  life.approve(sow, "d-sow");
  auto booked = rig.fx.store_->contracts.get("default", "C-1042-SOW1");
  REQUIRE(booked);
  REQUIRE(booked->has_value());
  CHECK((*booked)->kind == "sow");
  CHECK((*booked)->parent_id == "C-1042");

  // The SOW's phases, as the contract orders them: Phase 1 (paid on its completion) is
  // delivery's work in Jira from the start, due 60 days on, its owner (who sent the SOW for
  // signature) invited to the deadline; Phase 2 (paid on the customer's acceptance) waits.
  if (!life.entered(sow, "monitor")) {
    REQUIRE(rig.post("/v1/instances/" + sow + "/events/provisioning.confirmed", life.revops,
                     {{"confirmed_by", "provisioning"}})
                .status == 202);
    rig.drain();
  }
  INFO(life.trail(sow));
  REQUIRE(life.entered(sow, "track_milestones"));
  // The SOW's register: each phase the provider delivers, and the customer accepts.
  auto sow_reg = rig.get("/v1/contracts/C-1042-SOW1/obligations?kind=deliverable", life.finance);
  INFO(sow_reg.body.dump());
  REQUIRE(sow_reg.status == 200);
  int phases = 0;
  for (const auto& o : sow_reg.body["obligations"])
    if (o["source"] == "derived from the SOW's phases") {
      ++phases;
      CHECK(o["owner"] != "provider");
      CHECK(o["acceptance"].get<std::string>().rfind("accepted by ", 0) == 0);
    }
  CHECK(phases == 2);
  auto issues = rig.sandbox.records("jira", "issue");
  REQUIRE(issues.size() == 1);
  const json& phase1 = issues[0]["body"];
  CHECK(phase1["fields"]["duedate"] == "2027-04-30");
  CHECK(phase1["fields"]["summary"].get<std::string>().find("Phase 1") != std::string::npos);
  CHECK(rig.sandbox.records("asana", "task").empty());
  auto invitations = rig.sandbox.records("caldav", "event");
  REQUIRE(invitations.size() == 1);
  CHECK(invitations[0]["body"]["date"] == "2027-04-30");
  CHECK(invitations[0]["body"]["attendees"] == json({"contracts@covenant.test"}));
  auto sow_invoices = [&rig] {
    json out = json::array();
    for (const auto& i : rig.sandbox.records("stripe", "invoice"))
      if (i["body"]["metadata"].value("contract", "") == "C-1042-SOW1" &&
          i["body"]["metadata"].contains("milestone"))
        out.push_back(i["body"]);
    return out;
  };
  CHECK(sow_invoices().empty());

  // Delivery closes the Jira issue ten days early; the next daily check reads it: Phase 1 is
  // done, Phase 2 starts that day (its Asana task due 45 days on, its owner invited), and
  // Phase 1's invoice waits for finance.
  rig.sandbox.admin(
      "/_sandbox/worktools/complete",
      {{"system", "jira"}, {"id", phase1["key"]}, {"at", "2027-04-20T16:00:00.000+0000"}});
  rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'808'870'400)));  // 04-28
  rig.drain();
  auto tasks = rig.sandbox.records("asana", "task");
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["body"]["due_on"] == "2027-06-04");
  CHECK(tasks[0]["body"]["name"].get<std::string>().find("Phase 2") != std::string::npos);
  invitations = rig.sandbox.records("caldav", "event");
  REQUIRE(invitations.size() == 2);
  CHECK(invitations[1]["body"]["date"] == "2027-06-04");
  auto due = rig.open_approval(sow);
  REQUIRE(due["state"] == "approve_milestones");
  REQUIRE(due["subject"]["milestones"].size() == 1);
  CHECK(due["subject"]["milestones"][0]["id"] == "phase-1");
  CHECK(due["subject"]["milestones"][0]["accepted_on"] == "2027-04-20");
  CHECK(due["subject"]["total"] == json({{"amount_minor", 480000}, {"currency", "USD"}}));
  CHECK(sow_invoices().empty());  // nothing written before the approval
  life.approve(sow, "d-sow-phase-1");
  auto written = sow_invoices();
  REQUIRE(written.size() == 1);
  CHECK(written[0]["metadata"]["milestone"] == "phase-1");
  CHECK(written[0]["total"] == 480000);

  // The customer accepts Phase 2 in Asana; its invoice after its own approval; then the
  // phases are settled, each thing made once however often the worker runs.
  rig.sandbox.admin(
      "/_sandbox/worktools/complete",
      {{"system", "asana"}, {"id", tasks[0]["body"]["gid"]}, {"at", "2027-06-01T09:30:00.000Z"}});
  rig.fx.clock.set(covenant::engine::TimePoint(std::chrono::seconds(1'811'894'400)));  // 06-02
  rig.drain();
  due = rig.open_approval(sow);
  REQUIRE(due["state"] == "approve_milestones");
  CHECK(due["subject"]["milestones"][0]["id"] == "phase-2");
  CHECK(due["subject"]["total"] == json({{"amount_minor", 720000}, {"currency", "USD"}}));
  life.approve(sow, "d-sow-phase-2");
  rig.drain();
  written = sow_invoices();
  REQUIRE(written.size() == 2);
  CHECK(written[1]["metadata"]["milestone"] == "phase-2");
  CHECK(written[1]["total"] == 720000);
  CHECK(life.entered(sow, "milestones_done"));
  CHECK(rig.sandbox.records("jira", "issue").size() == 1);
  CHECK(rig.sandbox.records("asana", "task").size() == 1);
  CHECK(rig.sandbox.records("caldav", "event").size() == 2);
}

}  // namespace

TEST_CASE("An SOW under an agreement in the book inherits what it does not say [sqlite]",
          "[sqlite][life]") {
  covenant::testing::SqliteDb db;
  sow_run(db.url());
}

TEST_CASE("An SOW under an agreement in the book inherits what it does not say [postgres]",
          "[postgres][life]") {
  covenant::testing::TestDatabase db;
  sow_run(db.url());
}

TEST_CASE(
    "An agreement arrives from DocuSign, is amended mid-term, and only the change is "
    "approved and written [sqlite]",
    "[sqlite][life]") {
  covenant::testing::SqliteDb db;
  life_run(db.url());
}

TEST_CASE(
    "An agreement arrives from DocuSign, is amended mid-term, and only the change is "
    "approved and written [postgres]",
    "[postgres][life]") {
  covenant::testing::TestDatabase db;
  life_run(db.url());
}
