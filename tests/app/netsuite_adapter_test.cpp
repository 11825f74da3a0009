// The NetSuite ERP adapter over real HTTP against the sandbox: journal entries that must
// balance, AR invoices against known customers and terms, revenue schedules whose periods
// sum to their total, payment terms, amounts as exact decimals, and writes keyed by external
// id that a retry after a dropped connection does not repeat.
#include "activities/runner.hpp"
#include "tests/app/sandbox_fixture.hpp"

using covenant::activities::failed;
using covenant::adapters::erp::decimal_text;
using covenant::testing::SandboxServer;
using nlohmann::json;

TEST_CASE("Minor units become exact decimal text") {
  CHECK(decimal_text(480050, 2) == "4800.50");
  CHECK(decimal_text(5, 2) == "0.05");
  CHECK(decimal_text(-1250, 2) == "-12.50");
  CHECK(decimal_text(1000, 0) == "1000");
  CHECK(decimal_text(1, 3) == "0.001");
}

TEST_CASE(
    "NetSuite: journal entries balance, invoices reference real customers and terms, "
    "and a retried write is not repeated") {
  SandboxServer s;
  auto ns = s.netsuite();
  json entry = {{"date", "2027-02-01"},
                {"memo", "C-1042: February revenue"},
                {"currency", "USD"},
                {"lines",
                 {{{"account", "2400"}, {"side", "debit"}, {"amount_minor", 400000}},
                  {{"account", "4000"}, {"side", "credit"}, {"amount_minor", 400000}}}}};
  s.fault({{"method", "PUT"},
           {"path_prefix", "/services/rest/record/v1/journalEntry"},
           {"drop_after_commit", 1}});
  auto je = ns->post_journal_entry(entry, "inst-9/root/post#1");
  REQUIRE(je);
  CHECK((*je)["total_minor"] == 400000);
  auto entries = s.records("netsuite", "journalEntry");
  REQUIRE(entries.size() == 1);  // the retry found the entry by its external id
  CHECK(entries[0]["body"]["line"]["items"][0]["debit"] == "4000.00");

  entry["lines"][1]["amount_minor"] = 399999;
  auto unbalanced = ns->post_journal_entry(entry, "k-2");
  REQUIRE_FALSE(unbalanced);
  CHECK(failed(unbalanced.error()).code == "InvalidInput");  // refused before any call
  entry["lines"][1]["amount_minor"] = 400000;
  entry["lines"][1]["account"] = "9999";
  auto bad_account = ns->post_journal_entry(entry, "k-3");
  REQUIRE_FALSE(bad_account);
  CHECK(bad_account.error().message ==
        "netsuite: Invalid account reference key {\"externalId\":\"9999\"}.");

  json invoice = {
      {"customer", "ACC-1001"},
      {"currency", "USD"},
      {"terms", "Net 30"},
      {"external_id", "C-1042-INV-1"},
      {"lines",
       {{{"item", "platform"}, {"description", "Platform, annual"}, {"amount_minor", 4320000}},
        {{"item", "seats"}, {"quantity", 40}, {"amount_minor", 720000}}}}};
  auto inv = ns->create_ar_invoice(invoice, "key-ignored-when-external-id-given");
  REQUIRE(inv);
  CHECK((*inv)["total_minor"] == 5040000);
  CHECK((*inv)["tran_id"].get<std::string>().rfind("INV", 0) == 0);
  auto again = ns->create_ar_invoice(invoice, "another-key");
  REQUIRE(again);
  CHECK((*again)["id"] == (*inv)["id"]);
  CHECK(s.records("netsuite", "invoice").size() == 1);
  invoice["customer"] = "ACC-9999";
  invoice["external_id"] = "C-9-INV-1";
  auto unknown = ns->create_ar_invoice(invoice, "k");
  REQUIRE_FALSE(unknown);
  CHECK(failed(unknown.error()).code == "Invalid");
}

TEST_CASE("NetSuite: revenue schedules and payment terms") {
  SandboxServer s;
  auto ns = s.netsuite();
  json periods = json::array();
  for (int m = 1; m <= 12; ++m)
    periods.push_back({{"period", "2027-" + std::string(m < 10 ? "0" : "") + std::to_string(m)},
                       {"obligation", "platform"},
                       {"amount_minor", m == 12 ? 360004 : 359996}});
  auto sched = ns->create_revenue_schedule(
      {{"schedule", {{"name", "C-1042 platform"}, {"currency", "USD"}, {"periods", periods}}}},
      "rev-1");
  REQUIRE(sched);
  CHECK((*sched)["total_minor"] == 11 * 359996 + 360004);
  CHECK((*sched)["periods"] == 12);
  auto terms = ns->record_payment_terms(
      {{"customer", "ACC-1002"},
       {"terms", {{"net_days", 30}, {"discount_percent", 2}, {"discount_days", 10}}}},
      "t-1");
  REQUIRE(terms);
  CHECK((*terms)["terms"] == "2% 10 Net 30");
  auto odd =
      ns->record_payment_terms({{"customer", "ACC-1002"}, {"terms", {{"net_days", 17}}}}, "t-2");
  REQUIRE_FALSE(odd);
  CHECK(odd.error().message == "netsuite: Invalid terms reference key {\"refName\":\"Net 17\"}.");
}
