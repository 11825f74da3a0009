// The contract-to-cash activities that call systems, against the sandbox on 127.0.0.1:
// customer resolution (a clear match, an ambiguous one, none), products against the CPQ quote,
// provisioning tasks, and the renewal, SLA and billing-accuracy monitors.
#include "activities/dates.hpp"
#include "activities/own.hpp"
#include "tests/app/sandbox_fixture.hpp"

#include <catch2/catch.hpp>

using namespace covenant;
using activities::Systems;
using nlohmann::json;

namespace {

std::int64_t day(const char* iso) {
  return activities::dates::parse(iso)->time_since_epoch().count();
}

json parties(const char* customer) {
  return json::array({{{"name", "Northwind Analytics, Inc."}, {"aliases", {"Provider"}}},
                      {{"name", customer}, {"aliases", {"Customer"}}}});
}

}  // namespace

TEST_CASE("The customer is resolved against CRM accounts, or sent to a person with the reason") {
  testing::SandboxServer sb;
  Systems s;
  s.crm = sb.salesforce();
  auto acme = activities::resolve_customer(s, {{"parties", parties("Acme Corporation")}});
  REQUIRE(acme.ok);
  CHECK(acme.result["legal_name"] == "Acme Corporation");
  CHECK(acme.result["external_id"] == "ACC-1001");
  CHECK(acme.result["score"] == 1.0);
  // Both Acmes were candidates; the legal name decided.
  CHECK(acme.result["candidates"].size() == 2);

  // A duplicate account in the CRM (it happens): two equally good matches, so a person decides,
  // unless the won opportunity names one of them.
  REQUIRE(s.crm->upsert_account({{"external_id", "ACC-1999"}, {"name", "ACME Corp."}}, "k"));
  auto twice = activities::resolve_customer(s, {{"parties", parties("Acme Corporation")}});
  CHECK_FALSE(twice.ok);
  CHECK(twice.code == "CustomerAmbiguous");
  CHECK(twice.message.find("ACME Corp.") != std::string::npos);
  json opportunity = {{"account", acme.result["account_id"]}};
  auto by_opportunity = activities::resolve_customer(
      s, {{"parties", parties("Acme Corporation")}, {"opportunity", opportunity}});
  INFO(by_opportunity.message);
  REQUIRE(by_opportunity.ok);
  CHECK(by_opportunity.result["external_id"] == "ACC-1001");

  auto unknown = activities::resolve_customer(s, {{"parties", parties("Hooli Holdings plc")}});
  CHECK(unknown.code == "CustomerNotFound");
  CHECK(activities::resolve_customer(s, {{"parties", "Acme"}}).code == "InvalidInput");
  CHECK(activities::resolve_customer(Systems{}, {{"parties", parties("Acme Corporation")}}).code ==
        "NotConfigured");
}

TEST_CASE("Products are matched to the CPQ quote and differences become pricing exceptions") {
  testing::SandboxServer sb;
  auto sf = sb.salesforce();
  auto lines = sf->list_quote_lines({{"quote_id", "a0QSBX0000000001AA"}});
  REQUIRE(lines);
  json fees = json::array(
      {{{"amount", {{"amount_minor", 4320000}, {"currency", "USD"}}}, {"frequency", "year"}},
       {{"amount", {{"amount_minor", 720000}, {"currency", "USD"}}}, {"frequency", "year"}},
       {{"amount", {{"amount_minor", 180000}, {"currency", "USD"}}}, {"frequency", "one_time"}}});
  auto matched = activities::resolve_products(
      {{"terms", {{"fees", fees}}}, {"quote", {{"lines", (*lines)["lines"]}}}});
  REQUIRE(matched.ok);
  CHECK(matched.result["exceptions"].empty());
  CHECK(matched.result["transaction_price"]["amount_minor"] == 5220000);
  CHECK(matched.result["lines"][1]["quantity"] == 40);
  CHECK(matched.result["lines"][0]["list_amount_minor"] == 4800000);
  CHECK(matched.result["entitlements"].size() == 2);

  // Salesforce sends quantities as decimals (40.0, kept as exact text): still 40 seats.
  json decimal_lines = (*lines)["lines"];
  decimal_lines[1]["quantity"] = "40.0";
  auto decimal = activities::resolve_products(
      {{"terms", {{"fees", fees}}}, {"quote", {{"lines", decimal_lines}}}});
  REQUIRE(decimal.ok);
  CHECK(decimal.result["lines"][1]["quantity"] == 40);
  decimal_lines[1]["quantity"] = "40.5";
  CHECK(activities::resolve_products(
            {{"terms", {{"fees", fees}}}, {"quote", {{"lines", decimal_lines}}}})
            .code == "InvalidInput");

  fees[0]["amount"]["amount_minor"] = 4500000;  // the contract says 45,000.00
  auto differs = activities::resolve_products(
      {{"terms", {{"fees", fees}}}, {"quote", {{"lines", (*lines)["lines"]}}}});
  REQUIRE(differs.ok);
  REQUIRE(differs.result["exceptions"].size() == 2);
  CHECK(differs.result["exceptions"][0]["kind"] == "price_not_in_contract");
  CHECK(differs.result["exceptions"][1]["kind"] == "fee_not_in_quote");
}

TEST_CASE("Provisioning asks with one CRM task per entitlement, once per key") {
  testing::SandboxServer sb;
  Systems s;
  s.crm = sb.salesforce();
  json ents = json::array({{{"product", "platform"}, {"name", "Platform"}, {"quantity", 1}},
                           {{"product", "seats"}, {"name", "Seats"}, {"quantity", 40}}});
  json in = {{"entitlements", ents}, {"account", "001SBX0000000001AA"}, {"contract_id", "C-1"}};
  auto r = activities::provision_request(s, in, "inst/provision#1");
  REQUIRE(r.ok);
  CHECK(r.result["requests"].size() == 2);
  auto again = activities::provision_request(s, in, "inst/provision#1");
  REQUIRE(again.ok);
  CHECK(again.result["requests"][1]["task"] == r.result["requests"][1]["task"]);
  std::size_t tasks = 0;
  REQUIRE(sb.db->run([&](sandbox::RecordTx& tx) { tasks = tx.list("salesforce", "Task").size(); }));
  CHECK(tasks == 2);
}

TEST_CASE("The renewal monitor finds the notice deadline and rolls through automatic renewals") {
  json terms = {{"expiration_date", "2028-02-01"},
                {"auto_renewal", true},
                {"renewal_term", {{"value", 12}, {"unit", "months"}}},
                {"notice_period_to_terminate_renewal", {{"value", 60}, {"unit", "days"}}}};
  Systems s;
  s.today = [] { return day("2027-06-01"); };
  auto watching = activities::monitor_renewal(s, {{"terms", terms}});
  REQUIRE(watching.ok);
  CHECK(watching.result["status"] == "watching");
  CHECK(watching.result["notice_date"] == "2027-12-03");
  CHECK(watching.result["alert_date"] == "2027-11-03");
  s.today = [] { return day("2027-11-10"); };
  CHECK(activities::monitor_renewal(s, {{"terms", terms}}).result["status"] == "notice_due");
  s.today = [] { return day("2028-03-01"); };  // renewed once: the next term's deadline
  auto renewed = activities::monitor_renewal(s, {{"terms", terms}});
  CHECK(renewed.result["term_end"] == "2029-02-01");
  CHECK(renewed.result["renewals"] == 1);
  terms["auto_renewal"] = false;
  CHECK(activities::monitor_renewal(s, {{"terms", terms}}).result["status"] == "ended");
  CHECK(activities::monitor_renewal(Systems{}, {{"terms", terms}}).code == "NotConfigured");
}

TEST_CASE("The SLA monitor finds late responses and computes the service credit") {
  testing::SandboxServer sb;
  Systems s;
  s.ticketing = sb.zendesk();
  s.today = [] { return day("2027-04-10"); };
  json sla = {{"uptime_percent", "99.9"},
              {"response_times",
               {{{"priority", 1}, {"within", {{"value", 1}, {"unit", "hours"}}}},
                {{"priority", 2}, {"within", {{"value", 4}, {"unit", "hours"}}}}}},
              {"service_credits",
               {{{"below_percent", "99.9"}, {"credit_basis_points", 500}},
                {{"below_percent", "99.0"}, {"credit_basis_points", 1000}}}}};
  json in = {{"account", "ACC-1001"},
             {"terms", {{"sla", sla}, {"expiration_date", "2028-02-01"}}},
             {"measured_uptime", "98.95"},
             {"monthly_fees", {{"amount_minor", 420000}, {"currency", "USD"}}}};
  auto r = activities::monitor_sla(s, in);
  REQUIRE(r.ok);
  const json& b = r.result["breaches"];
  REQUIRE(b.size() == 2);
  CHECK(b[0]["kind"] == "response_time");  // the urgent ticket answered after 240 minutes
  CHECK(b[0]["ticket"] == 9002);
  CHECK(b[0]["actual_minutes"] == 240);
  CHECK(b[1]["kind"] == "uptime");
  CHECK(b[1]["credit_basis_points"] == 1000);
  CHECK(b[1]["credit"]["amount_minor"] == 42000);
  in["measured_uptime"] = "99.95";
  CHECK(activities::monitor_sla(s, in).result["breaches"].size() == 1);
  in["measured_uptime"] = "lots";
  CHECK(activities::monitor_sla(s, in).code == "InvalidInput");
}

TEST_CASE("Billing accuracy compares the billing system's invoices with the plan") {
  testing::SandboxServer sb;
  Systems s;
  s.billing = sb.stripe();
  s.today = [] { return day("2027-02-15"); };
  auto customer = s.billing->upsert_customer({{"external_id", "ACC-1001"}, {"name", "Acme"}}, "k1");
  REQUIRE(customer);
  std::string id = (*customer)["id"];
  json item = {{"description", "Onboarding: milestone 1 (signature)"},
               {"amount", {{"amount_minor", 90000}, {"currency", "USD"}}}};
  json plan = {{"service_end", "2028-02-01"},
               {"invoices",
                {{{"id", "C-1-INV-1"},
                  {"issue_date", "2027-02-01"},
                  {"items", {item}},
                  {"total", {{"amount_minor", 90000}, {"currency", "USD"}}}}}},
               {"subscription", nullptr}};
  auto missing = activities::monitor_billing_accuracy(s, {{"customer", id}, {"plan", plan}});
  REQUIRE(missing.ok);
  REQUIRE(missing.result["discrepancies"].size() == 1);
  CHECK(missing.result["discrepancies"][0]["kind"] == "missing_invoice");
  REQUIRE(
      s.billing->create_invoice({{"customer", id}, {"currency", "USD"}, {"items", {item}}}, "k2"));
  auto fine = activities::monitor_billing_accuracy(s, {{"customer", id}, {"plan", plan}});
  CHECK(fine.result["discrepancies"].empty());
  json extra_item = {{"description", "Extra"},
                     {"amount", {{"amount_minor", 100}, {"currency", "USD"}}}};
  json extra_invoice = {{"customer", id}, {"currency", "USD"}, {"items", {extra_item}}};
  REQUIRE(s.billing->create_invoice(extra_invoice, "k3"));
  auto extra = activities::monitor_billing_accuracy(s, {{"customer", id}, {"plan", plan}});
  REQUIRE(extra.result["discrepancies"].size() == 1);
  CHECK(extra.result["discrepancies"][0]["kind"] == "unexpected_invoice");
}
