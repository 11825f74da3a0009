// bill.plan and revenue.schedule: worked examples a controller can check by hand, and
// property tests over thousands of random contracts (seeded, so a failure reproduces): every
// schedule sums exactly to its total, periods tile the term with no gap and no overlap, no
// period is billed twice and no month is recognised twice for an obligation.
#include "activities/bill/milestone_event.hpp"
#include "activities/dates.hpp"
#include "activities/own.hpp"
#include "workflows/money.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

using namespace covenant::activities;
using nlohmann::json;

namespace {

json money(std::int64_t m, const char* c = "USD") { return {{"amount_minor", m}, {"currency", c}}; }

json line(const char* product, const char* kind, std::int64_t amount, std::int64_t qty = 1,
          std::int64_t list = -1, int term_months = 12) {
  json l = {{"product", product},
            {"name", product},
            {"kind", kind},
            {"quantity", qty},
            {"unit_amount_minor", amount / qty},
            {"amount_minor", amount},
            {"list_amount_minor", list < 0 ? amount : list}};
  if (std::string(kind) == "recurring") l["term_months"] = term_months;
  return l;
}

json terms(const char* start, const char* end, const char* every, json milestones = nullptr,
           const char* timing = "advance") {
  json t = {{"effective_date", start},
            {"expiration_date", end},
            {"billing_frequency", {{"every", every}, {"timing", timing}}},
            {"payment_terms", {{"net_days", 30}}}};
  if (!milestones.is_null()) t["milestones"] = milestones;
  return t;
}

std::int64_t sum_of(const json& list, const char* a, const char* b = nullptr) {
  std::int64_t s = 0;
  for (const auto& x : list) s += b ? x[a][b].get<std::int64_t>() : x[a].get<std::int64_t>();
  return s;
}

}  // namespace

TEST_CASE("A quarterly-in-advance subscription with milestone onboarding, as in the demo") {
  json products = {
      {"currency", "USD"},
      {"lines",
       {line("platform", "recurring", 4320000, 1, 4800000),
        line("seats", "recurring", 720000, 40, 720000), line("onboarding", "one_time", 180000)}},
      {"transaction_price", money(5220000)}};
  json ms = {{{"basis_points", 5000}, {"event", "signature of this Agreement"}},
             {{"basis_points", 5000}, {"event", "go-live of the Service"}}};
  auto plan = bill_plan({{"terms", terms("2027-02-01", "2028-02-01", "quarter", ms)},
                         {"products", products},
                         {"contract_id", "C-1"}});
  REQUIRE(plan.ok);
  const json& p = plan.result;
  CHECK(p["total"] == money(5220000));
  REQUIRE(p["subscription"].is_object());
  const json& sub = p["subscription"];
  CHECK(sub["items"].size() == 2);
  CHECK(sub["items"][0]["unit_amount"] == money(1080000));  // 43,200.00 / 4
  CHECK(sub["items"][1]["unit_amount"] == money(4500));     // 180.00 / 4 per seat
  CHECK(sub["items"][1]["quantity"] == 40);
  REQUIRE(sub["periods"].size() == 4);
  CHECK(sub["periods"][0]["start"] == "2027-02-01");
  CHECK(sub["periods"][3]["end"] == "2028-02-01");
  CHECK(sub["periods"][0]["amount"] == money(1260000));
  CHECK(sub["periods"][0]["due_date"] == "2027-03-03");
  REQUIRE(p["invoices"].size() == 1);  // the signing milestone, at once
  CHECK(p["invoices"][0]["total"] == money(90000));
  REQUIRE(p["pending_milestones"].size() == 1);
  CHECK(p["pending_milestones"][0]["event"] == "go-live of the Service");
  CHECK(p["exceptions"].empty());

  auto rev = revenue_schedule({{"plan", p}, {"products", products}});
  REQUIRE(rev.ok);
  const json& r = rev.result;
  // SSP 48,000 + 7,200 + 1,800 = 57,000; the 52,200 price allocated in those proportions.
  // 43,957.89|47, 6,593.68|42, 1,648.42|11: the one cent left goes to the largest remainder.
  CHECK(r["obligations"][0]["allocated"] == money(4395790));
  CHECK(r["obligations"][1]["allocated"] == money(659368));
  CHECK(r["obligations"][2]["allocated"] == money(164842));
  CHECK(sum_of(r["periods"], "amount_minor") == 5220000);
  CHECK(r["obligations"][0]["method"] == "ratable_daily");
  CHECK(r["obligations"][0]["entries"].size() == 12);
  CHECK(r["obligations"][2]["method"] == "point_in_time");
}

TEST_CASE("A partial last period is prorated by days and invoiced by Covenant") {
  // 1 Jan to 15 Apr: three full months and 14 of April's 30 days, billed monthly.
  json products = {{"currency", "EUR"}, {"lines", {line("svc", "recurring", 1200000)}}};
  auto plan =
      bill_plan({{"terms", terms("2027-01-01", "2027-04-15", "month")}, {"products", products}});
  REQUIRE(plan.ok);
  const json& p = plan.result;
  CHECK(p["subscription"].is_null());
  REQUIRE(p["invoices"].size() == 4);
  // 12,000.00 a year is 1,000.00 a month; 14/30 of a month is 466.67.
  CHECK(p["invoices"][0]["total"]["amount_minor"] == 100000);
  CHECK(p["invoices"][3]["total"]["amount_minor"] == 46667);
  CHECK(p["invoices"][3]["items"][0]["description"].get<std::string>().find("prorated 14/30") !=
        std::string::npos);
  CHECK(p["total"]["amount_minor"] == 346667);
  REQUIRE(p["exceptions"].size() == 1);
  CHECK(p["exceptions"][0]["kind"] == "invoiced_by_covenant");
}

TEST_CASE("Arrears billing issues each period's invoice at its end") {
  json products = {{"currency", "USD"}, {"lines", {line("svc", "recurring", 1000001)}}};
  auto plan = bill_plan({{"terms", terms("2027-01-31", "2028-01-31", "month", nullptr, "arrears")},
                         {"products", products}});
  REQUIRE(plan.ok);
  const json& inv = plan.result["invoices"];  // 10,000.01 does not split into 12 equal months
  REQUIRE(inv.size() == 12);
  CHECK(inv[0]["issue_date"] == "2027-02-28");  // one month after 31 January
  CHECK(sum_of(inv, "total", "amount_minor") == 1000001);
}

TEST_CASE("Bad plan input is refused with the reason") {
  json products = {{"currency", "USD"}, {"lines", {line("svc", "recurring", 100)}}};
  auto no_end =
      bill_plan({{"terms", terms("2027-01-01", "perpetual", "month")}, {"products", products}});
  CHECK_FALSE(no_end.ok);
  CHECK(no_end.code == "InvalidInput");
  CHECK(no_end.message.find("expiration_date") != std::string::npos);
  auto backwards =
      bill_plan({{"terms", terms("2027-05-01", "2027-01-01", "month")}, {"products", products}});
  CHECK(backwards.code == "InvalidInput");
  json bad = products;
  bad["lines"][0]["amount_minor"] = "12.50";
  auto not_minor =
      bill_plan({{"terms", terms("2027-01-01", "2028-01-01", "month")}, {"products", bad}});
  CHECK(not_minor.code == "InvalidInput");
  CHECK(not_minor.message.find("products.lines[0]") != std::string::npos);
  auto freq = bill_plan(
      {{"terms", terms("2027-01-01", "2028-01-01", "fortnight")}, {"products", products}});
  CHECK(freq.code == "InvalidInput");
}

TEST_CASE("Property: random contracts bill and recognise exactly their totals, each period once") {
  std::mt19937_64 rng(20261123);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const char* freqs[] = {"month", "quarter", "half_year", "year"};
  const char* currencies[] = {"USD", "EUR", "JPY", "GBP"};
  int plans = 0;
  for (int n = 0; n < 3000; ++n) {
    auto start = *dates::parse("2020-01-01") + std::chrono::days{pick(0, 4000)};
    // Whole-month terms most of the time, arbitrary day counts otherwise.
    auto end = pick(0, 3) ? dates::add_months(start, static_cast<int>(pick(1, 60)))
                          : start + std::chrono::days{pick(1, 1500)};
    const char* currency = currencies[pick(0, 3)];
    json lines = json::array();
    int recurring = static_cast<int>(pick(0, 3)), one_time = static_cast<int>(pick(0, 2));
    if (recurring + one_time == 0) recurring = 1;
    for (int i = 0; i < recurring; ++i) {
      std::int64_t qty = pick(1, 500);
      std::int64_t unit = pick(1, 5'000'000);
      lines.push_back(line(("r" + std::to_string(i)).c_str(), "recurring", unit * qty, qty,
                           pick(0, 1) ? unit * qty + pick(0, 1'000'000) : -1,
                           static_cast<int>(pick(0, 1) ? 12 : pick(1, 36))));
    }
    for (int i = 0; i < one_time; ++i)
      lines.push_back(line(("o" + std::to_string(i)).c_str(), "one_time", pick(1, 100'000'000)));
    json ms = nullptr;
    if (one_time && pick(0, 1)) {
      ms = json::array();
      int left = 10000;
      while (left > 0) {
        int bp = ms.size() == 3 ? left : static_cast<int>(pick(1, left));
        ms.push_back({{"basis_points", bp},
                      {"event", pick(0, 1) ? "signature" : "acceptance of deliverable"}});
        left -= bp;
      }
    }
    json products = {{"currency", currency}, {"lines", lines}};
    json t = terms(dates::iso(start).c_str(), dates::iso(end).c_str(), freqs[pick(0, 3)], ms,
                   pick(0, 1) ? "advance" : "arrears");
    auto plan = bill_plan({{"terms", t}, {"products", products}, {"contract_id", "P"}});
    INFO("contract " << n << ": " << t.dump() << " " << products.dump());
    REQUIRE(plan.ok);
    ++plans;
    const json& p = plan.result;
    std::int64_t total = p["total"]["amount_minor"];
    // The plan's parts add up to its total.
    std::int64_t parts = sum_of(p["invoices"], "total", "amount_minor") +
                         sum_of(p["pending_milestones"], "amount", "amount_minor");
    if (p["subscription"].is_object()) {
      const json& periods = p["subscription"]["periods"];
      parts += sum_of(periods, "amount", "amount_minor");
      // Periods tile [start, end): contiguous, no overlap, none twice.
      REQUIRE(periods.front()["start"] == dates::iso(start));
      REQUIRE(periods.back()["end"] == dates::iso(end));
      for (std::size_t i = 1; i < periods.size(); ++i)
        REQUIRE(periods[i]["start"] == periods[i - 1]["end"]);
      // Each subscription period equals its items' unit prices times quantities.
      std::int64_t per_period = 0;
      for (const auto& it : p["subscription"]["items"])
        per_period += it["unit_amount"]["amount_minor"].get<std::int64_t>() *
                      it["quantity"].get<std::int64_t>();
      for (const auto& per : periods) REQUIRE(per["amount"]["amount_minor"] == per_period);
    }
    REQUIRE(parts == total);
    // Invoices Covenant writes: each (description) once — no period billed twice.
    std::set<std::string> seen;
    for (const auto& inv : p["invoices"])
      for (const auto& it : inv["items"])
        REQUIRE(seen.insert(it["description"].get<std::string>()).second);
    // A line over its own whole term bills exactly its amount.
    std::int64_t line_sum = 0;
    bool all_own_term = true;
    int months = 0;
    while (dates::add_months(start, months) < end) ++months;
    for (const auto& l : lines) {
      line_sum += l["amount_minor"].get<std::int64_t>();
      if (l["kind"] == "recurring")
        all_own_term = all_own_term && dates::add_months(start, l["term_months"].get<int>()) == end;
    }
    if (all_own_term) REQUIRE(total == line_sum);

    auto rev = revenue_schedule({{"plan", p}, {"products", products}});
    REQUIRE(rev.ok);
    const json& r = rev.result;
    REQUIRE(sum_of(r["periods"], "amount_minor") == total);
    std::int64_t allocated = 0;
    for (const auto& ob : r["obligations"]) {
      std::int64_t a = ob["allocated"]["amount_minor"];
      allocated += a;
      REQUIRE(sum_of(ob["entries"], "amount_minor") == a);
      if (ob["method"] == "ratable_daily") {
        std::set<std::string> months_seen;
        long days = 0;
        for (const auto& e : ob["entries"]) {
          REQUIRE(months_seen.insert(e["period"].get<std::string>()).second);
          days += e["days"].get<long>();
        }
        REQUIRE(days == dates::days_between(start, end));
      }
    }
    REQUIRE(allocated == total);
  }
  CHECK(plans == 3000);
}

// ---- The findings of issue 15, each tried again. ----

TEST_CASE("Amounts past 64 bits are refused naming the field, never wrapped around") {
  auto t = terms("2027-01-01", "2028-01-01", "year");
  SECTION("two one-time lines of 6e18") {
    json products = {{"currency", "USD"},
                     {"lines",
                      {line("a", "one_time", 6'000'000'000'000'000'000),
                       line("b", "one_time", 6'000'000'000'000'000'000)}}};
    auto plan = bill_plan({{"terms", t}, {"products", products}});
    REQUIRE_FALSE(plan.ok);
    CHECK(plan.code == "InvalidInput");
    CHECK(plan.message.find("products.lines[1].amount_minor") != std::string::npos);
    CHECK(plan.message.find("9223372036854775807") != std::string::npos);
  }
  SECTION("two recurring lines of 5e18") {
    json products = {{"currency", "USD"},
                     {"lines",
                      {line("a", "recurring", 5'000'000'000'000'000'000),
                       line("b", "recurring", 5'000'000'000'000'000'000)}}};
    auto plan = bill_plan({{"terms", t}, {"products", products}});
    REQUIRE_FALSE(plan.ok);
    CHECK(plan.code == "InvalidInput");
    CHECK(plan.message.find("the plan's total") != std::string::npos);
  }
  SECTION("2^63-1 per 12 months over 36 months") {
    json products = {{"currency", "USD"}, {"lines", {line("a", "recurring", INT64_MAX)}}};
    auto plan =
        bill_plan({{"terms", terms("2027-01-01", "2030-01-01", "year")}, {"products", products}});
    REQUIRE_FALSE(plan.ok);
    CHECK(plan.message.find("products.lines[0].amount_minor over the term") != std::string::npos);
  }
  SECTION("exactly the largest amount still plans, to the unit") {
    json products = {{"currency", "USD"}, {"lines", {line("a", "recurring", INT64_MAX)}}};
    auto plan = bill_plan({{"terms", t}, {"products", products}});
    REQUIRE(plan.ok);
    CHECK(plan.result["total"]["amount_minor"] == INT64_MAX);
  }
  SECTION("a number past 2^63 in the input") {
    json products = {{"currency", "USD"}, {"lines", {line("a", "one_time", 1)}}};
    products["lines"][0]["amount_minor"] = std::uint64_t{10'000'000'000'000'000'000u};
    auto plan = bill_plan({{"terms", t}, {"products", products}});
    CHECK(plan.code == "InvalidInput");
    CHECK(plan.message.find("products.lines[0].amount_minor") != std::string::npos);
  }
  SECTION("a standalone selling price that overflows over the term") {
    json products = {{"currency", "USD"},
                     {"lines", {line("a", "recurring", 100, 1, INT64_MAX / 2, 12)}}};
    auto plan =
        bill_plan({{"terms", terms("2027-01-01", "2030-01-01", "year")}, {"products", products}});
    REQUIRE(plan.ok);
    auto rev = revenue_schedule({{"plan", plan.result}, {"products", products}});
    CHECK(rev.code == "InvalidInput");
    CHECK(rev.message.find("products.lines[0].list_amount_minor") != std::string::npos);
  }
  SECTION("a quote's price times quantity") {
    json quote = {{"lines",
                   {{{"id", "q1"},
                     {"product", "seats"},
                     {"quantity", 4'000'000'000},
                     {"net_price", {{"amount_minor", 4'000'000'000'000}, {"currency", "USD"}}},
                     {"term_months", 12}}}}};
    auto r = resolve_products({{"quote", quote}, {"terms", json::object()}});
    CHECK(r.code == "InvalidInput");
    CHECK(r.message.find("net price") != std::string::npos);
    // Without terms at all (found by fuzz_compute: the absent terms were read from a temporary).
    quote["lines"][0]["quantity"] = 4;
    auto no_terms = resolve_products({{"quote", quote}});
    REQUIRE(no_terms.ok);
    CHECK(no_terms.result["transaction_price"]["amount_minor"] == 16'000'000'000'000);
  }
}

TEST_CASE("The billing frequency decides when a line is billed, never how much") {
  // 12,000 per 12 months for 15 days of January 2027: 15/31 of a month of 1,000 = 483.87.
  json products = {{"currency", "USD"}, {"lines", {line("svc", "recurring", 12000)}}};
  for (const char* every : {"month", "quarter", "half_year", "year"}) {
    auto plan =
        bill_plan({{"terms", terms("2027-01-01", "2027-01-16", every)}, {"products", products}});
    REQUIRE(plan.ok);
    CHECK(plan.result["total"]["amount_minor"] == 484);
  }
  // Three months and 14 of April's 30 days, quarterly: 3,466.67 as when billed monthly.
  json big = {{"currency", "EUR"}, {"lines", {line("svc", "recurring", 1200000)}}};
  for (const char* every : {"month", "quarter", "half_year", "year"}) {
    auto plan = bill_plan({{"terms", terms("2027-01-01", "2027-04-15", every)}, {"products", big}});
    REQUIRE(plan.ok);
    CHECK(plan.result["total"]["amount_minor"] == 346667);
  }
}

TEST_CASE("Revenue is allocated on prices over the contract's term") {
  // 24 months; hosting 12,000.00 per 12 months (list the same), setup 3,000.00, no discount.
  json products = {
      {"currency", "USD"},
      {"lines",
       {line("hosting", "recurring", 1200000, 1, 1200000, 12), line("setup", "one_time", 300000)}}};
  auto plan =
      bill_plan({{"terms", terms("2027-01-01", "2029-01-01", "year")}, {"products", products}});
  REQUIRE(plan.ok);
  CHECK(plan.result["total"]["amount_minor"] == 2700000);
  auto rev = revenue_schedule({{"plan", plan.result}, {"products", products}});
  REQUIRE(rev.ok);
  CHECK(rev.result["obligations"][0]["ssp"]["amount_minor"] == 2400000);
  CHECK(rev.result["obligations"][0]["allocated"]["amount_minor"] == 2400000);
  CHECK(rev.result["obligations"][1]["allocated"]["amount_minor"] == 300000);
  // An explicit standalone selling price for the term is taken as it is.
  json given = products;
  given["lines"][0]["ssp_minor"] = 2100000;
  given["lines"][1]["ssp_minor"] = 600000;
  auto rev2 = revenue_schedule({{"plan", plan.result}, {"products", given}});
  REQUIRE(rev2.ok);
  CHECK(rev2.result["obligations"][0]["allocated"]["amount_minor"] == 2100000);
}

TEST_CASE("Milestone events are read as whole phrases, never substrings") {
  json products = {{"currency", "USD"}, {"lines", {line("web", "one_time", 100000)}}};
  auto plan_for = [&](const char* event) {
    json ms = {{{"basis_points", 5000}, {"event", "signature of this Agreement"}},
               {{"basis_points", 5000}, {"event", event}}};
    auto plan = bill_plan(
        {{"terms", terms("2027-01-01", "2028-01-01", "year", ms)}, {"products", products}});
    REQUIRE(plan.ok);
    return plan.result;
  };
  SECTION("'redesigning' is not 'signing'") {
    auto p = plan_for("completion of website redesigning");
    REQUIRE(p["invoices"].size() == 1);  // only the signature
    REQUIRE(p["pending_milestones"].size() == 1);
    CHECK(p["pending_milestones"][0]["kind"] == "completion");
    CHECK(p["exceptions"].empty());
  }
  SECTION("execution of acceptance tests waits, flagged for a person") {
    auto p = plan_for("execution of acceptance tests");
    REQUIRE(p["pending_milestones"].size() == 1);
    CHECK(p["pending_milestones"][0].contains("unclear"));
    REQUIRE(p["exceptions"].size() == 1);
    CHECK(p["exceptions"][0]["kind"] == "milestone_event_unclear");
  }
  SECTION("30 days after the effective date is invoiced on that date") {
    auto p = plan_for("30 days after the effective date");
    REQUIRE(p["invoices"].size() == 2);
    CHECK(p["invoices"][1]["issue_date"] == "2027-01-31");
    CHECK(p["milestones"][1]["status"] == "invoiced");
    auto rev = revenue_schedule({{"plan", p}, {"products", products}});
    REQUIRE(rev.ok);
    CHECK(rev.result["obligations"][0]["entries"][1]["period"] == "2027-01");
  }
  SECTION("a date no one means is read by a person") {
    auto p = plan_for("9999 years after signing");
    REQUIRE(p["pending_milestones"].size() == 1);
    CHECK(p["exceptions"][0]["kind"] == "milestone_event_unclear");
  }
  SECTION("an unknown event is an event to be signalled") {
    auto p = plan_for("the customer's board approves the design");
    REQUIRE(p["pending_milestones"].size() == 1);
    CHECK(p["pending_milestones"][0]["kind"] == "other");
    CHECK(p["exceptions"].empty());
  }
}

TEST_CASE("Milestone wording: what is due at signing, later, or needs a person") {
  using covenant::activities::bill::classify_milestone_event;
  for (const char* at : {"signature", "Signing", "execution of this Agreement",
                         "the Effective Date", "upon signature of this Agreement by both parties",
                         "execution hereof", "the commencement date", "Contract start"}) {
    INFO(at);
    auto e = classify_milestone_event(at);
    CHECK(e.at_signing);
    CHECK(e.unclear.empty());
  }
  auto after = classify_milestone_event("sixty (60) days following the Effective Date");
  REQUIRE(after.after_signing);
  CHECK(after.after_signing->first == 60);
  CHECK(after.after_signing->second == "day");
  CHECK_FALSE(classify_milestone_event("thirty (60) days after signing").after_signing);
  for (const char* later : {"acceptance of the Deliverables", "go-live of the Service",
                            "delivery of the Software", "completion of website redesigning"}) {
    INFO(later);
    auto e = classify_milestone_event(later);
    CHECK_FALSE(e.at_signing);
    CHECK_FALSE(e.after_signing);
    CHECK(e.unclear.empty());
  }
  for (const char* unclear : {"execution of acceptance tests", "signature of the purchase order",
                              "signature or go-live, whichever is later", "delivery and acceptance",
                              "acceptance, unless rejected", "", "..."}) {
    INFO(unclear);
    auto e = classify_milestone_event(unclear);
    CHECK_FALSE(e.at_signing);
    CHECK_FALSE(e.after_signing);
    CHECK_FALSE(e.unclear.empty());
  }
}

TEST_CASE("Unknown values and mistyped fields are refused naming the field") {
  json products = {{"currency", "USD"},
                   {"lines", {line("svc", "recurring", 120000), line("fee", "one_time", 500)}}};
  auto t = terms("2027-01-01", "2028-01-01", "month");
  auto refused = [&](json terms_in, json products_in, const std::string& field) {
    auto plan = bill_plan({{"terms", terms_in}, {"products", products_in}});
    INFO(field << " -> " << plan.code << ": " << plan.message);
    CHECK_FALSE(plan.ok);
    CHECK(plan.code == "InvalidInput");
    CHECK(plan.message.find(field) != std::string::npos);
  };
  json in_arrears = t;
  in_arrears["billing_frequency"]["timing"] = "in arrears";
  refused(in_arrears, products, "terms.billing_frequency.timing must be one of advance, arrears");
  json wide = products;
  wide["lines"][0]["term_months"] = 4294967308LL;
  refused(t, wide, "products.lines[0].term_months must be a whole number from 1 to 1200");
  for (const char* cur : {"XYZ", "€", "usd", "XAU"}) {
    json c = products;
    c["currency"] = cur;
    refused(t, c, "products.currency must be an ISO 4217 currency code");
  }
  json null_months = products;
  null_months["lines"][0]["term_months"] = nullptr;
  refused(t, null_months, "products.lines[0].term_months");
  json qty = products;
  qty["lines"][0]["quantity"] = "3";
  refused(t, qty, "products.lines[0].quantity must be a whole number");
  json kind = products;
  kind["lines"][1]["kind"] = "one-off";
  refused(t, kind, "products.lines[1].kind must be one of recurring, one_time");
  json ms = t;
  ms["milestones"] = json::array({"50% on signature"});
  refused(ms, products, "terms.milestones[0] must be an object");
  json net = t;
  net["payment_terms"]["net_days"] = 30.5;
  refused(net, products, "terms.payment_terms.net_days");
  json date = t;
  date["effective_date"] = "2027-02-30";
  refused(date, products, "terms.effective_date must be a date");
  json long_term = terms("2027-01-01", "2200-01-01", "year");
  refused(long_term, products, "more than 100 years");
  // revenue.schedule: a null or mistyped plan member.
  auto plan = bill_plan({{"terms", t}, {"products", products}});
  REQUIRE(plan.ok);
  json bad_plan = plan.result;
  bad_plan["total"]["amount_minor"] = "1200";
  auto rev = revenue_schedule({{"plan", bad_plan}, {"products", products}});
  CHECK(rev.code == "InvalidInput");
  CHECK(rev.message.find("plan.total.amount_minor") != std::string::npos);
  json bad_ms = plan.result;
  bad_ms["milestones"] =
      json::array({{{"basis_points", 10000}, {"event", "x"}, {"status", "due"}}});
  json other_currency = products;
  other_currency["currency"] = "EUR";
  auto mixed = revenue_schedule({{"plan", plan.result}, {"products", other_currency}});
  CHECK(mixed.message.find("products.currency must be the plan's currency, USD") !=
        std::string::npos);
  json priced = products;
  priced["transaction_price"] = {{"amount_minor", 100}, {"currency", "EUR"}};
  refused(t, priced, "products.transaction_price.currency must be the products' currency");
  rev = revenue_schedule({{"plan", bad_ms}, {"products", products}});
  CHECK(rev.message.find("plan.milestones[0].status must be one of invoiced, pending") !=
        std::string::npos);
}

TEST_CASE("ISO 4217: minor units as the standard gives them") {
  CHECK(covenant::money::minor_units("JPY") == 0);
  CHECK(covenant::money::minor_units("KRW") == 0);
  CHECK(covenant::money::minor_units("USD") == 2);
  CHECK(covenant::money::minor_units("EUR") == 2);
  CHECK(covenant::money::minor_units("BHD") == 3);
  CHECK(covenant::money::minor_units("KWD") == 3);
  CHECK(covenant::money::minor_units("CLF") == 4);
  CHECK_FALSE(covenant::money::minor_units("XYZ"));
  CHECK_FALSE(covenant::money::minor_units("usd"));
  CHECK_FALSE(covenant::money::minor_units("XAU"));
  CHECK(covenant::money::format(1500001, "EUR") == "EUR 15,000.01");
  CHECK(covenant::money::format(1000, "JPY") == "JPY 1,000");
  CHECK(covenant::money::format(1250, "BHD") == "BHD 1.250");
  CHECK(covenant::money::format(INT64_MIN, "USD") == "USD -92,233,720,368,547,758.08");
  CHECK(covenant::money::scale(12000, 15, 31 * 12) == 484);
  CHECK_FALSE(covenant::money::scale(INT64_MAX, 3, 1));
}
