// What the views read of the book: index_of turns a booked state into the views' figures (the
// schedule's months, the plan's billing by issue month, revenue awaiting an event, the
// transaction price), in checked arithmetic, refusing a state that does not hold together and
// naming where; contracts.observe reads each monitor's result as the finding the book keeps,
// refusing what it cannot add up honestly (two currencies, an overflow) and keeping the later
// observation only.
#include "activities/contract_book.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"
#include "tests/activities/memory_book.hpp"

#include <catch2/catch.hpp>

#include <limits>

using covenant::activities::BadInput;
using covenant::activities::index_of;
using covenant::activities::Systems;
using nlohmann::json;

namespace {

json state() {
  return {{"customer", {{"external_id", "ACC-1"}, {"legal_name", "Acme Corporation"}}},
          {"owner", "005000000000JAN"},
          {"plan",
           {{"currency", "USD"},
            {"service_start", "2027-01-01"},
            {"service_end", "2027-04-01"},
            {"total", {{"amount_minor", 3000}, {"currency", "USD"}}},
            {"invoices", json::array({{{"issue_date", "2027-01-01"},
                                       {"total", {{"amount_minor", 500}, {"currency", "USD"}}}}})},
            {"subscription",
             {{"periods",
               json::array({{{"issue_date", "2027-01-01"},
                             {"amount", {{"amount_minor", 2000}, {"currency", "USD"}}}},
                            {{"issue_date", "2027-02-01"},
                             {"amount", {{"amount_minor", 500}, {"currency", "USD"}}}}})}}}}},
          {"revenue",
           {{"currency", "USD"},
            {"transaction_price", {{"amount_minor", 3000}, {"currency", "USD"}}},
            {"periods",
             json::array({{{"period", "2027-01"}, {"amount_minor", 800}},
                          {{"period", "2027-01"}, {"amount_minor", 200}},
                          {{"period", "2027-02"}, {"amount_minor", 900}},
                          {{"period", "2027-03"}, {"amount_minor", 600}},
                          {{"period", "on go-live of the Service"}, {"amount_minor", 500}}})}}}};
}

std::string index_refusal(const json& s) {
  try {
    index_of(s);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

Systems systems(std::shared_ptr<covenant::testing::MemoryBook> book, std::int64_t today) {
  Systems s;
  s.book = std::move(book);
  s.today = [today] { return today; };
  return s;
}

}  // namespace

TEST_CASE("index_of reads a booked state's months, billing, price and revenue awaiting an event") {
  auto i = index_of(state());
  CHECK(i.customer_name == "Acme Corporation");
  CHECK(i.owner == "005000000000JAN");
  CHECK(i.currency == "USD");
  CHECK(i.total_minor == 3000);
  CHECK(i.price_minor == 3000);
  CHECK(i.pending_minor == 500);
  REQUIRE(i.months.size() == 3);
  CHECK(i.months[0].month == "2027-01");
  CHECK(i.months[0].recognised_minor == 1000);  // two obligations in one month, added
  CHECK(i.months[0].billed_minor == 2500);      // the invoice and the first period
  CHECK(i.months[1].billed_minor == 500);
  CHECK(i.months[2].billed_minor == 0);
  // Scheduled by month plus awaiting an event is the transaction price.
  std::int64_t scheduled = 0;
  for (const auto& m : i.months) scheduled += m.recognised_minor;
  CHECK(scheduled + i.pending_minor == i.price_minor);

  // An amendment's state has no plan: no money, nothing refused.
  auto amendment = index_of({{"terms", json::object()}, {"change", json::object()}});
  CHECK(amendment.currency.empty());
  CHECK(amendment.months.empty());
}

TEST_CASE("index_of refuses a state that does not hold together, naming where") {
  auto s = state();
  s["revenue"]["periods"][2]["period"] = "2027-13";
  CHECK(index_refusal(s).find("state.revenue.periods[2].period") != std::string::npos);
  s = state();
  s["revenue"]["currency"] = "EUR";
  CHECK(index_refusal(s).find("state.revenue.currency") != std::string::npos);
  s = state();
  s["revenue"]["transaction_price"]["currency"] = "EUR";
  CHECK(index_refusal(s).find("transaction_price.currency") != std::string::npos);
  s = state();
  s["plan"]["total"]["amount_minor"] = -1;
  CHECK(index_refusal(s).find("state.plan.total.amount_minor") != std::string::npos);
  s = state();
  s["plan"]["invoices"][0]["issue_date"] = "2027-02-30";
  CHECK(index_refusal(s).find("issue_date") != std::string::npos);
  // Two periods of one month whose sum passes 2^63 - 1: refused, never wrapped.
  s = state();
  const auto most = std::numeric_limits<std::int64_t>::max();
  s["revenue"]["periods"][0]["amount_minor"] = most;
  s["revenue"]["periods"][1]["amount_minor"] = most;
  CHECK(index_refusal(s).find("adds up past") != std::string::npos);
  s = state();
  s["plan"]["currency"] = "XXX1";
  CHECK_FALSE(index_refusal(s).empty());
  CHECK_FALSE(index_refusal(json::array()).empty());
}

TEST_CASE(
    "contracts.observe keeps each monitor's finding, the later one only, and refuses what "
    "it cannot add up") {
  auto book = std::make_shared<covenant::testing::MemoryBook>();
  auto s = systems(book, 20'800);  // 2026-12-13
  auto observe = [&](const json& in, const std::string& key = "inst-1/record/1") {
    return covenant::activities::contracts_observe(s, in, key);
  };
  // A renewal in its notice window, the notice sent.
  auto r = observe({{"contract_id", "C-1"},
                    {"monitor", "renewal"},
                    {"finding",
                     {{"status", "notice_due"},
                      {"auto_renewal", true},
                      {"term_end", "2027-02-01"},
                      {"notice_date", "2027-01-02"}}},
                    {"notice", {{"id", "00T1"}}}});
  REQUIRE(r.ok);
  auto f = book->finding("C-1", "renewal");
  REQUIRE(f);
  CHECK(f->tag == "auto_renews");
  CHECK(f->due_on == "2027-01-02");
  CHECK(f->items == 1);
  CHECK(f->instance_id == "inst-1");
  CHECK(f->observed_on == "2026-12-13");
  // An SLA's breaches and the credits they owe, added in one currency.
  json credit = {{"amount_minor", 1500}, {"currency", "USD"}};
  json breaches = json::array();
  breaches.push_back({{"kind", "response_time"}});
  breaches.push_back({{"kind", "uptime"}, {"credit", credit}});
  breaches.push_back({{"kind", "uptime"}, {"credit", credit}});
  json sla = {{"contract_id", "C-1"}, {"monitor", "sla"}};
  sla["finding"]["breaches"] = breaches;
  r = observe(sla);
  REQUIRE(r.ok);
  CHECK(book->finding("C-1", "sla")->amount_minor == 3000);
  CHECK(book->finding("C-1", "sla")->status == "breached");
  // Billing: what is at stake, the unexpected invoice in the plan's currency.
  json billing = {{"contract_id", "C-1"}, {"monitor", "billing_accuracy"}, {"currency", "USD"}};
  billing["finding"]["discrepancies"].push_back(
      {{"kind", "missing_invoice"}, {"expected", credit}});
  billing["finding"]["discrepancies"].push_back(
      {{"kind", "unexpected_invoice"}, {"amount_minor", 700}});
  r = observe(billing);
  REQUIRE(r.ok);
  CHECK(book->finding("C-1", "billing_accuracy")->amount_minor == 2200);
  CHECK(book->finding("C-1", "billing_accuracy")->items == 2);

  // Refused, naming why: credits in two currencies, an overflow, an unknown status or monitor,
  // an unexpected invoice with no currency to count it in, no instance, a huge finding.
  json eur = {{"amount_minor", 1}, {"currency", "EUR"}};
  auto refused = [&](const json& in, const std::string& why, const std::string& key = "i/x/1") {
    auto out = observe(in, key);
    INFO(in.dump().substr(0, 200) << " -> " << out.message);
    CHECK_FALSE(out.ok);
    CHECK(out.code == "InvalidInput");
    CHECK(out.message.find(why) != std::string::npos);
  };
  auto with_credits = [](const json& a, const json& b) {
    json in = {{"contract_id", "C-1"}, {"monitor", "sla"}};
    in["finding"]["breaches"].push_back({{"credit", a}});
    in["finding"]["breaches"].push_back({{"credit", b}});
    return in;
  };
  refused(with_credits(credit, eur), "another currency");
  json most = {{"amount_minor", std::numeric_limits<std::int64_t>::max()}, {"currency", "USD"}};
  refused(with_credits(most, most), "2^63 - 1");
  refused({{"contract_id", "C-1"}, {"monitor", "renewal"}, {"finding", {{"status", "late"}}}},
          "status");
  refused({{"contract_id", "C-1"}, {"monitor", "usage"}, {"finding", json::object()}}, "monitor");
  json stray = {{"contract_id", "C-1"}, {"monitor", "billing_accuracy"}};
  stray["finding"]["discrepancies"].push_back(
      {{"kind", "unexpected_invoice"}, {"amount_minor", 5}});
  refused(stray, "currency");
  refused({{"contract_id", "C-1"},
           {"monitor", "renewal"},
           {"finding", {{"status", "watching"}, {"notice_date", "2027-02-30"}}}},
          "notice_date");
  refused({{"contract_id", ""}, {"monitor", "sla"}, {"finding", {{"breaches", json::array()}}}},
          "contract_id");
  refused({{"contract_id", "C-1"}, {"monitor", "sla"}, {"finding", {{"breaches", json::array()}}}},
          "no key", "");
  json big = {{"breaches", json::array()}, {"note", std::string(70 * 1024, 'x')}};
  refused({{"contract_id", "C-1"}, {"monitor", "sla"}, {"finding", big}}, "64 KiB");

  // An older observation does not replace the one kept.
  auto older = systems(book, 20'700);
  auto late = covenant::activities::contracts_observe(
      older,
      {{"contract_id", "C-1"}, {"monitor", "sla"}, {"finding", {{"breaches", json::array()}}}},
      "inst-1/record/2");
  REQUIRE(late.ok);
  CHECK(late.result["kept"] == false);
  CHECK(book->finding("C-1", "sla")->status == "breached");
}
