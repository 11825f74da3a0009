// bill.plan_change: an amendment's change to the billing, worked by hand. Plans come from
// bill.plan itself (the agreement's and the amended contract's over the whole term). A raise
// mid-quarter prorates the quarter already invoiced and reprices the rest through the
// subscription; a cut on lines Covenant invoices is credited against the invoices that billed
// them; an extended term adds periods. What cannot be changed exactly is refused with the reason.
// contracts.find_parent links by the CLM's id or by title and date, and never guesses.
#include "activities/own.hpp"
#include "tests/activities/memory_book.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>

using covenant::activities::BookEntry;
using covenant::activities::BookError;
using covenant::activities::Systems;
using nlohmann::json;

namespace {

json quarterly_terms(const std::string& end = "2028-02-01") {
  return {{"effective_date", "2027-02-01"},
          {"expiration_date", end},
          {"billing_frequency", {{"every", "quarter"}, {"timing", "advance"}}},
          {"payment_terms", {{"net_days", 30}}}};
}

json line(const std::string& product, std::int64_t amount, std::int64_t quantity = 1) {
  return {{"product", product},   {"name", product},        {"kind", "recurring"},
          {"quantity", quantity}, {"amount_minor", amount}, {"term_months", 12}};
}

json plan_of(const json& terms, const json& lines) {
  auto o = covenant::activities::bill_plan({{"terms", terms},
                                            {"products", {{"currency", "USD"}, {"lines", lines}}},
                                            {"contract_id", "C-1"}});
  INFO(o.message);
  REQUIRE(o.ok);
  return o.result;
}

covenant::activities::Outcome change(const json& before, const json& after,
                                     const std::string& effective, const json& written,
                                     const std::string& as_of = "2027-06-20") {
  Systems s;
  return covenant::activities::bill_plan_change(s, {{"contract_id", "C-1-A1"},
                                                    {"before", before},
                                                    {"after", after},
                                                    {"effective_date", effective},
                                                    {"as_of", as_of},
                                                    {"written", written}});
}

json subscription_written() {
  return {{"subscription", {{"id", "sub_1"}}},
          {"prices", json::array({{{"id", "price_platform"}}, {{"id", "price_seats"}}})},
          {"invoices", json::array()}};
}

void refused(const covenant::activities::Outcome& o, const std::string& code,
             const std::string& words) {
  INFO(o.message);
  CHECK_FALSE(o.ok);
  CHECK(o.code == code);
  CHECK(o.message.find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("A raise mid-quarter prorates the invoiced quarter and reprices the rest") {
  // 43,200.00 + 40 seats at 180.00 a year, quarterly in advance: 12,600.00 a quarter; the
  // platform raised to 48,000.00 from June 16: 13,800.00.
  json before = plan_of(quarterly_terms(),
                        json::array({line("platform", 4320000), line("seats", 720000, 40)}));
  json after = plan_of(quarterly_terms(),
                       json::array({line("platform", 4800000), line("seats", 720000, 40)}));
  auto o = change(before, after, "2027-06-16", subscription_written());
  INFO(o.message);
  REQUIRE(o.ok);
  const json& c = o.result;
  // February's quarter ended before: it stands. May's was invoiced on May 1: from June 16 to
  // July 31 — 1 month and 16/31, of 3 months: 47/93 — credited at 12,600.00 (6,367.74) and
  // charged at 13,800.00 (6,974.19).
  CHECK(c["before_effective"] == 1);
  REQUIRE(c["adjustments"].size() == 3);
  const json& may = c["adjustments"][0];
  CHECK(may["status"] == "prorated");
  CHECK(may["from"] == "2027-06-16");
  CHECK(may["credit"]["amount_minor"] == 636774);
  CHECK(may["charge"]["amount_minor"] == 697419);
  CHECK(may["net"]["amount_minor"] == 60645);
  REQUIRE(c["proration_invoice"].is_object());
  CHECK(c["proration_invoice"]["total"]["amount_minor"] == 60645);
  CHECK(c["proration_invoice"]["issue_date"] == "2027-06-20");
  CHECK(c["proration_invoice"]["due_date"] == "2027-07-20");
  // August's and November's quarters are not invoiced yet: the subscription invoices them at
  // the amended price, 1,200.00 more each; only the platform's price changes.
  CHECK(c["adjustments"][1]["status"] == "repriced");
  CHECK(c["adjustments"][1]["net"]["amount_minor"] == 120000);
  CHECK(c["subscription_change"]["subscription"] == "sub_1");
  CHECK(c["subscription_change"]["from"] == "2027-08-01");
  CHECK(c["subscription_change"]["apply_on"] == "2027-06-20");
  const json& items = c["subscription_change"]["items"];
  REQUIRE(items.size() == 2);
  CHECK(items[0]["changed"] == true);
  CHECK(items[0]["from_price"] == "price_platform");
  CHECK(items[0]["unit_amount"]["amount_minor"] == 1200000);
  CHECK(items[1]["changed"] == false);
  CHECK(c["credit_notes"].empty());
  CHECK(c["total_change"]["amount_minor"] == 60645 + 2 * 120000);
  CHECK(c["total_after"]["amount_minor"] == 5040000 + 300645);
  CHECK(c["writes"]["invoiced"]["amount_minor"] == 60645);
  CHECK(c["writes"]["subscription"]["amount_minor"] == 240000);

  // Effective on the day the invoiced quarter began: all of it at the amended price.
  auto whole = change(before, after, "2027-05-01", subscription_written());
  REQUIRE(whole.ok);
  CHECK(whole.result["proration_invoice"]["total"]["amount_minor"] == 120000);

  // Nothing differs: nothing to write.
  auto same = change(before, before, "2027-06-16", subscription_written());
  REQUIRE(same.ok);
  CHECK(same.result["changed"] == false);
  CHECK(same.result["invoices"].empty());
  CHECK(same.result["subscription_change"].is_null());
}

TEST_CASE(
    "An amendment decided before it takes effect reprices the subscription after the "
    "last invoice at the price before") {
  json before = plan_of(quarterly_terms(),
                        json::array({line("platform", 4320000), line("seats", 720000, 40)}));
  json after = plan_of(quarterly_terms(),
                       json::array({line("platform", 4800000), line("seats", 720000, 40)}));
  // Decided June 20, effective September 15. August's quarter is invoiced on August 1 at the
  // price before, then prorated: from September 15 to October 31 — 1 month and 17/31, of 3
  // months: 48/93 — credited at 12,600.00 (6,503.23) and charged at 13,800.00 (7,122.58).
  // The subscription changes on August 2, in time for November's invoice.
  auto o = change(before, after, "2027-09-15", subscription_written());
  INFO(o.message);
  REQUIRE(o.ok);
  const json& c = o.result;
  CHECK(c["before_effective"] == 2);
  REQUIRE(c["adjustments"].size() == 2);
  CHECK(c["adjustments"][0]["credit"]["amount_minor"] == 650323);
  CHECK(c["adjustments"][0]["charge"]["amount_minor"] == 712258);
  CHECK(c["proration_invoice"]["total"]["amount_minor"] == 61935);
  CHECK(c["proration_invoice"]["issue_date"] == "2027-09-15");
  CHECK(c["adjustments"][1]["status"] == "repriced");
  CHECK(c["subscription_change"]["apply_on"] == "2027-08-02");
  CHECK(c["subscription_change"]["apply_at"] == "2027-08-02T00:00:00Z");
  CHECK(c["subscription_change"]["from"] == "2027-11-01");
  CHECK(c["total_change"]["amount_minor"] == 61935 + 120000);
  // Decided before the term began: February's quarter keeps the price before too.
  auto early = change(before, after, "2027-06-16", subscription_written(), "2026-12-03");
  REQUIRE(early.ok);
  CHECK(early.result["subscription_change"]["apply_on"] == "2027-05-02");
  CHECK(early.result["proration_invoice"]["total"]["amount_minor"] == 60645);
  CHECK(early.result["proration_invoice"]["issue_date"] == "2027-06-16");
}

TEST_CASE("A cut on lines Covenant invoices is credited against the invoices that billed them") {
  // 10,000.01 a year does not split into equal quarters (2,500.01, 2,500.00, 2,500.00,
  // 2,500.00): Covenant invoices each quarter. Cut to 8,000.01 from May 1.
  json before = plan_of(quarterly_terms(), json::array({line("support", 1000001)}));
  json after = plan_of(quarterly_terms(), json::array({line("support", 800001)}));
  REQUIRE(before["subscription"].is_null());
  REQUIRE(before["invoices"].size() == 4);
  json written = {
      {"invoices",
       json::array({{{"id", "in_1"}}, {{"id", "in_2"}}, {{"id", "in_3"}}, {{"id", "in_4"}}})}};
  auto o = change(before, after, "2027-05-01", written);
  INFO(o.message);
  REQUIRE(o.ok);
  const json& notes = o.result["credit_notes"];
  REQUIRE(notes.size() == 3);
  CHECK(notes[0]["invoice"] == "in_2");
  CHECK(notes[0]["amount"] == 50000);
  CHECK(notes[0]["reason"] == "order_change");
  CHECK(notes[2]["invoice"] == "in_4");
  CHECK(o.result["invoices"].empty());
  CHECK(o.result["total_change"]["amount_minor"] == -150000);
  CHECK(o.result["writes"]["credited"]["amount_minor"] == 150000);
  // Without the invoices written, the credit cannot be aimed: refused, naming the field.
  auto blind = change(before, after, "2027-05-01", json::object());
  refused(blind, "InvalidInput", "written");
}

TEST_CASE("An extended term adds periods") {
  json before = plan_of(quarterly_terms(),
                        json::array({line("platform", 4320000), line("seats", 720000, 40)}));
  json after = plan_of(quarterly_terms("2029-02-01"),
                       json::array({line("platform", 4320000), line("seats", 720000, 40)}));
  auto o = change(before, after, "2027-06-16", subscription_written());
  INFO(o.message);
  REQUIRE(o.ok);
  CHECK(o.result["new_periods"].size() == 4);
  CHECK(o.result["new_periods"][0]["start"] == "2028-02-01");
  CHECK(o.result["new_periods"][0]["billed_by"] == "subscription");
  CHECK(o.result["total_change"]["amount_minor"] == 4 * 1260000);
  CHECK(o.result["subscription_change"].is_null());  // its prices stand
}

TEST_CASE("What an amendment cannot change exactly is refused with the reason") {
  json lines = json::array({line("platform", 4320000), line("seats", 720000, 40)});
  json before = plan_of(quarterly_terms(), lines);
  json raised = plan_of(quarterly_terms(),
                        json::array({line("platform", 4800000), line("seats", 720000, 40)}));
  json monthly = quarterly_terms();
  monthly["billing_frequency"]["every"] = "month";
  refused(change(before, plan_of(monthly, lines), "2027-06-16", subscription_written()),
          "ChangeNotPlanned", "how often");
  refused(change(before, plan_of(quarterly_terms("2027-12-01"), lines), "2027-06-16",
                 subscription_written()),
          "ChangeNotPlanned", "ending early");
  refused(change(before, raised, "2028-03-01", subscription_written()), "ChangeNotPlanned",
          "outside the agreement's term");
  refused(change(before, plan_of(quarterly_terms(), json::array({line("platform", 4320000)})),
                 "2027-06-16", subscription_written()),
          "ChangeNotPlanned", "removes 'seats'");
  json eur = raised;
  eur["currency"] = "EUR";
  refused(change(before, eur, "2027-06-16", subscription_written()), "ChangeNotPlanned",
          "new contract");
  // A cut on a quarter the billing system invoiced: the credit is issued there.
  refused(change(raised, before, "2027-06-16", subscription_written()), "ChangeNotPlanned",
          "invoiced by the billing system");
  // Malformed or huge input is refused, never wrapped.
  json huge = raised;
  huge["subscription"]["periods"][2]["amount"]["amount_minor"] = INT64_MAX;
  huge["subscription"]["periods"][3]["amount"]["amount_minor"] = INT64_MAX;
  refused(change(before, huge, "2027-06-16", subscription_written()), "InvalidInput",
          "passes the largest amount");
  json before_huge = before;
  before_huge["total"]["amount_minor"] = INT64_MAX;
  refused(change(before_huge, raised, "2027-06-16", subscription_written()), "InvalidInput",
          "passes the largest amount");
  refused(change(before, raised, "16 June 2027", subscription_written()), "InvalidInput",
          "effective_date");
  refused(change(before, "a plan", "2027-06-16", subscription_written()), "InvalidInput", "after");
  json no_sub = subscription_written();
  no_sub.erase("subscription");
  refused(change(before, raised, "2027-06-16", no_sub), "InvalidInput", "subscription");
}

namespace {

BookEntry entry(const std::string& id, const std::string& kind, const std::string& title,
                const std::string& date, const std::string& customer) {
  BookEntry e;
  e.contract_id = id;
  e.kind = kind;
  e.title = title;
  e.title_key = covenant::activities::contract_title_key(title);
  e.agreement_date = date;
  e.customer = customer;
  e.state = {{"terms", json::object()}};
  return e;
}

}  // namespace

TEST_CASE("An amendment is linked to its agreement by the CLM's id or by title and date") {
  auto book = std::make_shared<covenant::testing::MemoryBook>();
  book->put(entry("C-1042", "msa", "MASTER SUBSCRIPTION AGREEMENT AND ORDER FORM", "2027-01-20",
                  "ACC-1001"));
  book->put(entry("C-2001", "msa", "Master Services Agreement", "2025-03-03", "ACC-1001"));
  book->put(entry("C-2002", "msa", "Master Services Agreement", "2026-05-05", "ACC-1001"));
  book->put(entry("C-3001", "msa", "Master Services Agreement", "2024-01-01", "ACC-1002"));
  book->put(entry("C-1042-A1", "amendment", "Amendment No. 1", "2027-06-10", "ACC-1001"));
  Systems s;
  s.book = book;
  auto find = [&](json in) {
    in["document"] = {{"contract_id", "C-9-A1"}, {"kind", "amendment"}};
    return covenant::activities::contracts_find_parent(s, in);
  };
  // The title and the date the amendment names (the title goes on: "… and Order Form").
  auto by_title =
      find({{"reference", {{"name", "Master Subscription Agreement"}, {"date", "2027-01-20"}}}});
  INFO(by_title.message);
  REQUIRE(by_title.ok);
  CHECK(by_title.result["contract_id"] == "C-1042");
  CHECK(by_title.result["linked_by"] == "title_and_date");
  // Without the date, a title that goes on is not taken.
  refused(find({{"reference", {{"name", "Master Subscription Agreement"}, {"date", nullptr}}}}),
          "ParentUnknown", "no agreement in the book");
  // Two of that title and no date to tell them apart: a person picks.
  refused(find({{"reference", {{"name", "the Master Services Agreement"}}}}), "ParentAmbiguous",
          "C-2001, C-2002");
  // The date picks one; the customer leaves out another customer's.
  auto dated = find({{"reference", {{"name", "Master Services Agreement"}, {"date", "2026-05-05"}}},
                     {"customer", "ACC-1001"}});
  REQUIRE(dated.ok);
  CHECK(dated.result["contract_id"] == "C-2002");
  refused(find({{"reference", {{"name", "Master Services Agreement"}, {"date", "2024-01-01"}}},
                {"customer", "ACC-1001"}}),
          "ParentUnknown", "of customer ACC-1001");
  // The CLM's id: found, or unknown, or another customer's, or an amendment.
  auto by_id = find({{"parent_contract_id", "C-1042"}});
  REQUIRE(by_id.ok);
  CHECK(by_id.result["linked_by"] == "contract_id");
  refused(find({{"parent_contract_id", "C-404"}}), "ParentUnknown", "not in the book");
  refused(find({{"parent_contract_id", "C-3001"}, {"customer", "ACC-1001"}}), "ParentMismatch",
          "ACC-1002");
  refused(find({{"parent_contract_id", "C-1042-A1"}}), "ParentMismatch", "is an amendment");
  // Nothing named at all, or a reference that is not one.
  refused(find({{"reference", nullptr}}), "ParentUnknown", "names no agreement");
  refused(find({{"reference", {{"name", "!!!"}}}}), "ParentUnknown", "names no agreement");
  refused(find({{"reference", "Master Services Agreement"}}), "ParentUnknown",
          "names no agreement");
  // Without a book configured: said so.
  Systems none;
  refused(covenant::activities::contracts_find_parent(
              none, {{"document", {{"contract_id", "X"}, {"kind", "sow"}}},
                     {"parent_contract_id", "C-1"}}),
          "NotConfigured", "no contract book");
}
