// Usage-based billing over real HTTP: usage recorded through the API (idempotent per event id,
// a reused id with other values refused), usage-billing run from definitions/ against the
// sandbox's Stripe and Salesforce — the period closes, the usage is rated, finance approves the
// exact invoice, it is written once; a quiet month is trued up to the commitment and flagged.
#include "app/document_bridge.hpp"
#include "tests/app/attack_rig.hpp"
#include "tests/support/paths.hpp"

#include <fstream>
#include <sstream>

namespace {

using covenant::testing::AttackRig;
using nlohmann::json;

json pricing() {
  return {{"currency", "USD"},
          {"metric", "api_calls"},
          {"model", "graduated"},
          {"per_units", 1000},
          {"tiers", json::array({{{"up_to", 100000}, {"unit_amount_minor", 0}},
                                 {{"up_to", 1000000}, {"unit_amount_minor", 200}},
                                 {{"unit_amount_minor", 150}}})},
          {"minimum_commitment_minor", 100000}};
}

json usage(const std::string& id, std::int64_t quantity, const std::string& at,
           const std::string& metric = "api_calls") {
  return {{"event_id", id}, {"metric", metric}, {"quantity", quantity}, {"occurred_at", at}};
}

std::string definition() {
  std::ifstream in(covenant::testing::source_dir() / "definitions" / "usage-billing.yaml");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void usage_run(const std::string& url) {
  AttackRig rig(url, [](covenant::activities::Systems& s, AttackRig& r) {
    s.usage = std::make_shared<covenant::app::UsageBridge>(*r.fx.store_);
    s.crm = r.sandbox.salesforce();
  });
  auto revops = rig.add("rita", {"revops"});
  auto meter = rig.add("meter-bot", {"service"});
  auto finance = rig.add("fiona", {"finance"});
  rig.deployed(revops, definition());
  auto customer = rig.sandbox.stripe()->upsert_customer(
      {{"external_id", "ACC-USG"}, {"name", "Usage Co"}, {"currency", "usd"}}, "test-customer");
  REQUIRE(customer);
  std::string customer_id = (*customer)["id"];

  // Usage in: a batch, the same batch again (a retry: nothing added), an id reused with another
  // quantity (refused, and nothing of its batch kept), and bad records refused by field.
  const std::string path = "/v1/contracts/C-USG-1/usage";
  json batch = {{"records", json::array({usage("u-1", 600000, "2027-01-03T10:00:00Z"),
                                         usage("u-2", 500000, "2027-01-09T10:00:00Z"),
                                         usage("u-3", 134567, "2027-01-14T23:59:59Z")})}};
  auto first = rig.post(path, meter, batch);
  REQUIRE(first.status == 201);
  CHECK(first.body["added"] == 3);
  auto again = rig.post(path, meter, batch);
  CHECK(again.status == 200);
  CHECK(again.body["repeated"] == 3);
  auto reused = rig.post(path, meter,
                         {{"records", json::array({usage("u-9", 1, "2027-01-10T00:00:00Z"),
                                                   usage("u-2", 999, "2027-01-09T10:00:00Z")})}});
  CHECK(reused.status == 409);
  CHECK(reused.body["detail"].get<std::string>().find("u-2") != std::string::npos);
  // The same new batch from four senders at once: recorded once, every sender answered 2xx.
  {
    json same = {{"records", json::array({usage("r-1", 10, "2027-01-11T00:00:00Z"),
                                          usage("r-2", 20, "2027-01-11T00:00:00Z")})}};
    std::vector<covenant::testing::HttpAnswer> answers(4);
    std::vector<std::thread> senders;
    for (auto& a : answers)
      senders.emplace_back(
          [&rig, &a, &meter, &same] { a = rig.post("/v1/contracts/C-RACE/usage", meter, same); });
    for (auto& t : senders) t.join();
    int added = 0;
    for (const auto& a : answers) {
      INFO(a.body.dump());
      CHECK((a.status == 200 || a.status == 201));
      if (a.body.is_object()) added += a.body.value("added", 0);
    }
    CHECK(added == 2);
  }
  CHECK(rig.post(path, meter, usage("u-10", -5, "2027-01-10T00:00:00Z")).status == 422);
  json fraction = usage("u-11", 1, "2027-01-10T00:00:00Z");
  fraction["quantity"] = 1.5;
  CHECK(rig.post(path, meter, fraction).status == 422);
  CHECK(rig.post(path, meter, usage("u-12", 1, "2027-03-10T00:00:00Z")).status == 422);  // future
  CHECK(rig.post(path, meter, usage("u-13", 1, "yesterday")).status == 422);
  json too_many = {{"records", json::array()}};
  for (int i = 0; i < 1001; ++i)
    too_many["records"].push_back(usage("b-" + std::to_string(i), 1, "2027-01-10T00:00:00Z"));
  CHECK(rig.post(path, meter, too_many).status == 422);
  CHECK(rig.post(path, rig.add("nobody", {"billing_ops"}), batch).status == 403);
  // Another contract's and another metric's usage do not count.
  REQUIRE(rig.post("/v1/contracts/C-OTHER/usage", meter, usage("o-1", 7, "2027-01-05T00:00:00Z"))
              .status == 201);
  REQUIRE(rig.post(path, meter, usage("u-20", 7, "2027-01-05T00:00:00Z", "storage_gb")).status ==
          201);
  auto total = rig.get(path + "?metric=api_calls&from=2027-01-01&to=2027-02-01", revops);
  REQUIRE(total.status == 200);
  CHECK(total.body["quantity"] == 1234567);
  CHECK(total.body["records"] == 3);
  CHECK(rig.get(path + "?metric=api_calls&from=2027-02-01&to=2027-01-01", revops).status == 400);

  // January: rated when the period has closed, approved, written once.
  json input = {{"contract_id", "C-USG-1"},
                {"customer", customer_id},
                {"pricing", pricing()},
                {"period", {{"start", "2027-01-01"}, {"end", "2027-02-01"}}},
                {"close_at", "2027-02-02T00:00:00Z"}};
  auto january = rig.start(revops, "usage-billing", input, "C-USG-1/2027-01");
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").empty());  // the period is still open
  rig.fx.clock.advance(std::chrono::hours(24 * 19));
  rig.drain();
  auto approval = rig.open_approval(january);
  CHECK(approval["subject"]["total"]["amount_minor"] == 215185);
  CHECK(approval["subject"]["rating"]["quantity"] == 1234567);
  CHECK(
      rig.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", finance,
               {{"decision", "approve"}, {"digest", approval["digest"]}, {"decision_id", "d-jan"}})
          .status == 201);
  rig.drain();
  auto invoices = rig.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == 1);
  CHECK(invoices[0]["body"]["total"] == 215185);
  CHECK(invoices[0]["body"]["status"] == "open");
  CHECK(rig.sandbox.records("salesforce", "Task").empty());  // not under-consumed

  // February: a quiet month (300,000 calls = USD 400.00) is trued up to USD 1,000.00, and the
  // account team is told.
  REQUIRE(rig.post(path, meter, usage("u-30", 300000, "2027-02-02T12:00:00Z")).status == 201);
  input["period"] = {{"start", "2027-02-01"}, {"end", "2027-03-01"}};
  input["close_at"] = "2027-03-01T06:00:00Z";
  auto february = rig.start(revops, "usage-billing", input, "C-USG-1/2027-02");
  rig.fx.clock.advance(std::chrono::hours(24 * 30));
  rig.drain();
  auto feb_approval = rig.open_approval(february);
  CHECK(feb_approval["subject"]["total"]["amount_minor"] == 100000);
  CHECK(feb_approval["subject"]["rating"]["true_up"]["amount_minor"] == 60000);
  CHECK(rig.post("/v1/approvals/" + feb_approval["id"].get<std::string>() + "/decisions", finance,
                 {{"decision", "approve"}, {"digest", feb_approval["digest"]}})
            .status == 201);
  rig.drain();
  invoices = rig.sandbox.records("stripe", "invoice");
  REQUIRE(invoices.size() == 2);
  CHECK(invoices[1]["body"]["total"] == 100000);
  auto tasks = rig.sandbox.records("salesforce", "Task");
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["body"]["Subject"].get<std::string>().find("40% of its commitment") !=
        std::string::npos);
  // Nothing is written twice however often the worker looks again.
  rig.drain();
  CHECK(rig.sandbox.records("stripe", "invoice").size() == 2);
}

}  // namespace

TEST_CASE("Metered usage is rated, approved and invoiced once per period [sqlite]",
          "[sqlite][usage]") {
  covenant::testing::SqliteDb db;
  usage_run(db.url());
}

TEST_CASE("Metered usage is rated, approved and invoiced once per period [postgres]",
          "[postgres][usage]") {
  covenant::testing::TestDatabase db;
  usage_run(db.url());
}
