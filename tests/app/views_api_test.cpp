// The views across the book (GET /v1/views/…) on a generated book, on SQLite and PostgreSQL:
// the revenue view ties to the schedules the book holds, read here contract by contract; pages
// walked by cursor give every row once and in order, as many as the counts and the CSV say;
// filters select what they name; an amendment moves the month totals by its difference only;
// the handoff stages' figures are those of the timelines read back; an older finding never
// replaces a newer one; CSV cells a spreadsheet would run as formulas
// are kept as text; bad filters, cursors and roles are refused; a damaged stored finding is a
// 500 naming it. (The pages are driven in headless Chromium in web_test.cpp.)
#include "activities/dates.hpp"
#include "app/book_generator.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/support/postgres.hpp"

#include <algorithm>
#include <map>
#include <set>

using covenant::testing::ApiFixture;
using nlohmann::json;
namespace store = covenant::engine::store;

namespace {

constexpr int kContracts = 300;

std::int64_t today_days(ApiFixture& a) {
  return covenant::engine::to_micros(a.fx.clock.now()) / (86'400LL * 1'000'000);
}

std::vector<std::string> csv_lines(const std::string& body) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find("\r\n", pos);
    if (end == std::string::npos) end = body.size();
    out.push_back(body.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

// Every row of a view, page by page (limit 7), checking each page's order.
json walk(ApiFixture& a, const std::string& path, const std::string& token) {
  json all = json::array();
  std::string cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = a.get_json(path + "&limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor), token);
    for (auto& r : page["rows"]) all.push_back(r);
    if (page["next"].is_null()) return all;
    cursor = page["next"];
  }
  FAIL("the pages of " << path << " never ended");
  return all;
}

void views_run(const std::string& url) {
  ApiFixture a(url);
  auto fiona = a.add("fiona", {"finance"});
  auto approver = a.add("ann", {"approver"});
  auto made = covenant::app::generate_book(*a.fx.store_, "default", kContracts, 7, today_days(a),
                                           covenant::engine::to_micros(a.fx.clock.now()));
  REQUIRE(made);
  CHECK(made->contracts == kContracts);
  CHECK(made->findings == 3 * kContracts);

  // Revenue: the schedules and plans as the book holds them, added up here contract by contract.
  std::map<std::string, std::int64_t> price, scheduled, pending;
  for (int i = 1; i <= kContracts; ++i) {
    std::string id = "G-" + std::string(6 - std::to_string(i).size(), '0') + std::to_string(i);
    auto row = a.fx.store_->contracts.get("default", id);
    REQUIRE(row);
    REQUIRE(*row);
    auto state = json::parse((*row)->state);
    std::string cur = state["plan"]["currency"];
    price[cur] += state["plan"]["total"]["amount_minor"].get<std::int64_t>();
    for (const auto& p : state["revenue"]["periods"])
      (p["period"].get<std::string>().rfind("on ", 0) == 0 ? pending : scheduled)[cur] +=
          p["amount_minor"].get<std::int64_t>();
  }
  auto revenue = a.get_json("/v1/views/revenue?from=2024-01&to=2031-12", fiona);
  INFO(revenue.dump().substr(0, 3000));
  REQUIRE(revenue["currencies"].size() == price.size());
  for (const auto& c : revenue["currencies"]) {
    std::string cur = c["currency"];
    INFO(cur);
    CHECK(c["transaction_price"]["amount_minor"] == price[cur]);
    CHECK(c["plan_totals"]["amount_minor"] == price[cur]);  // no amendment among them
    CHECK(c["scheduled"]["amount_minor"] == scheduled[cur]);
    CHECK(c["awaiting_event"]["amount_minor"] == pending[cur]);
    CHECK(c["ties"] == true);
    // The months of the period add up to the schedules (the period covers every month), and
    // what was billed less what was recognised is the deferred balance at the last month.
    std::int64_t months = 0, billed = 0;
    for (const auto& m : c["months"]) {
      months += m["recognised"]["amount_minor"].get<std::int64_t>() +
                m["to_be_recognised"]["amount_minor"].get<std::int64_t>();
      billed += m["billed"]["amount_minor"].get<std::int64_t>();
    }
    CHECK(months == scheduled[cur]);
    REQUIRE_FALSE(c["months"].empty());
    CHECK(c["months"].back()["deferred"]["amount_minor"] == billed - months);
  }
  // One currency: only its figures, never another added in.
  auto eur = a.get_json("/v1/views/revenue?from=2024-01&to=2031-12&currency=EUR", fiona);
  REQUIRE(eur["currencies"].size() == 1);
  CHECK(eur["currencies"][0]["transaction_price"]["amount_minor"] == price["EUR"]);
  // A customer's revenue, read from its contracts' own months.
  auto by_contract =
      a.get_json("/v1/views/revenue?by=contract&from=2024-01&to=2031-12&limit=3", fiona);
  REQUIRE(by_contract["rows"].size() == 3);
  std::string customer = by_contract["rows"][0]["customer"];
  auto one = a.get_json("/v1/views/revenue?from=2024-01&to=2031-12&customer=" + customer, fiona);
  auto mine =
      walk(a, "/v1/views/revenue?by=contract&from=2024-01&to=2031-12&customer=" + customer, fiona);
  REQUIRE_FALSE(mine.empty());
  std::int64_t expect = 0;
  for (const auto& r : mine) {
    CHECK(r["customer"] == customer);
    for (const auto& m : r["months"]) expect += m["recognised"]["amount_minor"].get<std::int64_t>();
  }
  std::int64_t got = 0;
  for (const auto& c : one["currencies"])
    for (const auto& m : c["months"])
      got += m["recognised"]["amount_minor"].get<std::int64_t>() +
             m["to_be_recognised"]["amount_minor"].get<std::int64_t>();
  CHECK(got == expect);

  // Renewals within a year: every row once, soonest deadline first, as many as the counts say
  // and the CSV holds.
  auto first = a.get_json("/v1/views/renewals?within=365", fiona);
  auto rows = walk(a, "/v1/views/renewals?within=365", fiona);
  std::set<std::string> seen;
  std::string last;
  for (const auto& r : rows) {
    CHECK(seen.insert(r["contract_id"].get<std::string>()).second);
    CHECK(r["notice_deadline"].get<std::string>() >= last);
    last = r["notice_deadline"];
    CHECK(r["days_to_notice"].get<int>() >= 0);
    CHECK(r["days_to_notice"].get<int>() < 365);
  }
  auto year = first["windows"][3];
  CHECK(year["days"] == 365);
  CHECK(rows.size() == year["auto_renews"].get<std::size_t>() + year["ends"].get<std::size_t>());
  auto csv = a.call("GET", "/v1/views/renewals?within=365&format=csv", fiona);
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type.rfind("text/csv", 0) == 0);
  CHECK(csv.body.rfind("\xEF\xBB\xBF"
                       "contract_id,",
                       0) == 0);
  CHECK(csv_lines(csv.body).size() == rows.size() + 1);
  // Shorter windows hold fewer.
  CHECK(walk(a, "/v1/views/renewals?within=30", fiona).size() ==
        first["windows"][0]["auto_renews"].get<std::size_t>() +
            first["windows"][0]["ends"].get<std::size_t>());

  // Billing accuracy: those that differ first; ?only=differs only those; filters select.
  auto differs = walk(a, "/v1/views/billing-accuracy?only=differs", fiona);
  REQUIRE_FALSE(differs.empty());
  for (const auto& r : differs) {
    CHECK(r["discrepancies"].get<int>() > 0);
    CHECK(r["finding"]["discrepancies"].size() == r["discrepancies"].get<std::size_t>());
  }
  auto billing = a.get_json("/v1/views/billing-accuracy?limit=500", fiona);
  CHECK(billing["rows"].size() == kContracts);
  CHECK(billing["rows"][0]["discrepancies"].get<int>() > 0);
  std::size_t with = 0;
  for (const auto& t : billing["totals"]) with += t["with_discrepancies"].get<std::size_t>();
  CHECK(with == differs.size());
  auto kind = walk(a, "/v1/views/billing-accuracy?kind=order_form", fiona);
  for (const auto& r : kind) CHECK(r["kind"] == "order_form");
  auto sla = a.get_json("/v1/views/sla?only=breached&owner=005000000000JAN&limit=500", fiona);
  for (const auto& r : sla["rows"]) {
    CHECK(r["owner"] == "005000000000JAN");
    CHECK(r["breaches"].get<int>() > 0);
  }

  // Handoff latency: every generated contract has a timeline; the stages' counts and
  // percentiles are those of the timelines read back here; the slowest come first and page
  // once each; those on the way have not been invoiced; the CSV has a line per contract.
  CHECK(made->handoffs == kContracts);
  auto times = a.fx.store_->handoffs.times("default", {});
  REQUIRE(times);
  REQUIRE(times->size() == kContracts);
  std::vector<std::int64_t> whole;  // signed to invoiced, in seconds
  for (const auto& t : *times)
    if (t.at_us[0] && t.at_us[4]) whole.push_back((t.at_us[4] - t.at_us[0]) / 1'000'000);
  std::sort(whole.begin(), whole.end());
  REQUIRE(whole.size() > kContracts / 2);
  auto handoffs = a.get_json("/v1/views/handoffs?limit=5", fiona);
  INFO(handoffs.dump().substr(0, 2000));
  REQUIRE(handoffs["stages"].size() == 5);
  const json& overall = handoffs["stages"][4];
  CHECK(overall["from"] == "signed");
  CHECK(overall["to"] == "invoiced");
  CHECK(overall["contracts"] == whole.size());
  CHECK(overall["max_seconds"] == whole.back());
  CHECK(overall["p50_seconds"] == whole[(whole.size() + 1) / 2 - 1]);
  CHECK(overall["p90_seconds"] == whole[(whole.size() * 9 + 9) / 10 - 1]);
  std::int64_t in_histogram = 0;
  for (const auto& b : overall["histogram"]) in_histogram += b["contracts"].get<std::int64_t>();
  CHECK(in_histogram == static_cast<std::int64_t>(whole.size()));
  CHECK(handoffs["reached"]["signed"] == kContracts);
  auto slowest = walk(a, "/v1/views/handoffs?show=slowest", fiona);
  REQUIRE(slowest.size() == whole.size());
  CHECK(slowest[0]["total_seconds"] == whole.back());
  std::set<std::string> seen_instances;
  for (std::size_t i = 0; i < slowest.size(); ++i) {
    CHECK(seen_instances.insert(slowest[i]["instance_id"].get<std::string>()).second);
    if (i) CHECK(slowest[i]["total_seconds"] <= slowest[i - 1]["total_seconds"]);
  }
  auto on_the_way = walk(a, "/v1/views/handoffs?show=in_flight", fiona);
  CHECK(on_the_way.size() + slowest.size() == kContracts);
  for (const auto& r : on_the_way) {
    CHECK(r["milestones"]["invoiced"].is_null());
    CHECK(r["now_in"].is_string());
  }
  auto jans = walk(a, "/v1/views/handoffs?show=slowest&owner=005000000000JAN", fiona);
  REQUIRE_FALSE(jans.empty());
  for (const auto& r : jans) CHECK(r["owner"] == "005000000000JAN");
  auto handoff_csv = a.call("GET", "/v1/views/handoffs?format=csv", fiona);
  REQUIRE(handoff_csv.status == 200);
  CHECK(csv_lines(handoff_csv.body).size() == slowest.size() + 1);
  CHECK(csv_lines(handoff_csv.body)[0].find("signed_to_invoiced_hours") != std::string::npos);

  // Renewal risk: each contract renewing within the year, the riskiest first; the score is the
  // sum of its factors' points, each its count times its weight up to its cap, read from the
  // findings the other views show; an approval sent back or left open past its deadline counts.
  auto before = walk(a, "/v1/views/renewal-risk?within=365", fiona);
  REQUIRE_FALSE(before.empty());
  std::string target = before.back()["contract_id"];  // the least risky: room to rise
  auto save_approval = [&](const std::string& id, const std::string& status,
                           std::int64_t deadline) {
    store::ApprovalRow ap;
    ap.id = id;
    ap.instance_id = "inst-" + target;
    ap.ns = "default";
    ap.workflow = "contract-to-cash";
    ap.business_key = target;
    ap.frame = "root";
    ap.state = "finance_approval";
    ap.digest = "d";
    ap.status = status;
    ap.opened_us = 1;
    ap.deadline_us = deadline;
    ap.closed_us = status == "open" ? 0 : 2;
    auto tx = a.fx.store_->begin(store::Scope::of("default"));
    REQUIRE(tx);
    REQUIRE(a.fx.store_->approvals.save(**tx, ap));
    REQUIRE((*tx)->commit());
  };
  save_approval("apr-risk-1", "changes_requested", 0);
  save_approval("apr-risk-2", "open", 5);     // its deadline long past: escalated, still open
  save_approval("apr-risk-3", "granted", 0);  // went as asked: not counted
  auto risk = walk(a, "/v1/views/renewal-risk?within=365", fiona);
  REQUIRE(risk.size() == before.size());
  std::set<std::string> risk_seen;
  for (std::size_t i = 0; i < risk.size(); ++i) {
    const json& r = risk[i];
    INFO(r.dump());
    CHECK(risk_seen.insert(r["contract_id"].get<std::string>()).second);
    if (i) CHECK(r["score"] <= risk[i - 1]["score"]);
    int sum = 0;
    REQUIRE(r["factors"].size() == 5);
    for (const auto& fa : r["factors"]) {
      int expect = std::min(fa["count"].get<int>() * fa["weight"].get<int>(), fa["cap"].get<int>());
      CHECK(fa["points"] == expect);
      CHECK_FALSE(fa["evidence"].is_null());
      sum += fa["points"].get<int>();
    }
    CHECK(r["score"] == std::min(sum, 100));
    int score = r["score"];
    CHECK(r["level"] == (score >= 40 ? "high" : score >= 20 ? "medium" : "low"));
  }
  auto risk_of = [&](const json& rows) {
    for (const auto& r : rows)
      if (r["contract_id"] == target) return r;
    FAIL("contract " << target << " is not in the view");
    return json();
  };
  json was = risk_of(before), now = risk_of(risk);
  CHECK(now["factors"][2]["count"] == was["factors"][2]["count"].get<int>() + 1);
  CHECK(now["factors"][2]["evidence"][0]["approval_id"] == "apr-risk-1");
  CHECK(now["factors"][3]["count"] == was["factors"][3]["count"].get<int>() + 1);
  CHECK(now["factors"][3]["evidence"][0]["status"] == "overdue");
  CHECK(now["score"] == std::min(was["score"].get<int>() + 6 + 10, 100));
  // The SLA factor reads the finding the SLA view shows.
  for (const auto& r : risk)
    if (r["factors"][0]["count"].get<int>() > 0) {
      auto sla_row = a.get_json(
          "/v1/views/sla?customer=" + r["customer"].get<std::string>() + "&limit=500", fiona);
      bool found = false;
      for (const auto& x : sla_row["rows"])
        if (x["contract_id"] == r["contract_id"]) {
          found = true;
          CHECK(x["breaches"] == r["factors"][0]["count"]);
          CHECK(x["credits_owed"] == r["factors"][0]["evidence"]["credits_owed"]);
        }
      CHECK(found);
      break;
    }
  auto high = walk(a, "/v1/views/renewal-risk?within=365&level=high", fiona);
  for (const auto& r : high) CHECK(r["level"] == "high");
  auto risk_csv = a.call("GET", "/v1/views/renewal-risk?within=365&format=csv", fiona);
  REQUIRE(risk_csv.status == 200);
  CHECK(csv_lines(risk_csv.body).size() == risk.size() + 1);
  // The store ranks at most `max` contracts: one more is refused with a reason, never cut short.
  auto window = a.get_json("/v1/views/renewal-risk?within=365&limit=1", fiona);
  std::string from = window["today"], until = window["until"];
  auto counted = a.fx.store_->views.risk_counts("default", {}, from, until, risk.size());
  REQUIRE(counted);
  CHECK(counted->size() == risk.size());
  auto cut = a.fx.store_->views.risk_counts("default", {}, from, until, risk.size() - 1);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code == covenant::engine::ErrorCode::InvalidArgument);
  CHECK(cut.error().message.find("narrow it with the filters") != std::string::npos);
  // A row read in full carries the counts it was ranked by.
  std::vector<std::string> ids;
  for (const auto& in : *counted) ids.push_back(in.contract.contract_id);
  auto full = a.fx.store_->views.risk_inputs("default", ids);
  REQUIRE(full);
  REQUIRE(full->size() == counted->size());
  for (const auto& in : *counted) {
    const auto& f = full->at(in.contract.contract_id);
    CHECK(f.has_sla == in.has_sla);
    CHECK(f.breaches == in.breaches);
    CHECK(f.has_billing == in.has_billing);
    CHECK(f.discrepancies == in.discrepancies);
    CHECK(f.due_on == in.due_on);
    CHECK(f.notices == in.notices);
    CHECK_FALSE(f.contract.customer_name.empty());
  }

  // Refusals.
  for (const char* bad :
       {"/v1/views/renewals?within=45", "/v1/views/renewals?currency=usd1",
        "/v1/views/renewals?kind=lease", "/v1/views/renewals?cursor=zz",
        "/v1/views/renewals?format=xlsx", "/v1/views/revenue?from=2027-13",
        "/v1/views/revenue?from=2027-01&to=2026-01", "/v1/views/revenue?from=2000-01&to=2027-01",
        "/v1/views/billing-accuracy?only=breached", "/v1/views/sla?limit=0",
        "/v1/views/billing-accuracy?cursor=2d31", "/v1/views/handoffs?show=fastest",
        "/v1/views/handoffs?limit=501", "/v1/views/handoffs?kind=lease",
        "/v1/views/renewal-risk?within=7", "/v1/views/renewal-risk?level=severe"}) {
    INFO(bad);
    CHECK(a.call("GET", bad, fiona).status == 400);
  }
  CHECK(a.call("GET", "/v1/views/revenue", approver).status == 403);
  CHECK(a.call("GET", "/v1/views/revenue", "").status == 401);

  // An amendment moves the month totals by its difference: the old figures leave, the new come.
  store::ContractRow agreement;
  agreement.contract_id = "A-1";
  agreement.kind = "agreement";
  agreement.customer = "=HYPERLINK(\"http://evil\")";
  agreement.title = agreement.title_key = "a";
  agreement.state = R"({"v":1})";
  agreement.instance_id = "inst-a";
  store::ContractIndex ix;
  ix.customer_name = "=cmd|' /C calc'!A0";
  ix.currency = "CHF";
  ix.total_minor = ix.price_minor = 3000;
  ix.months = {{"2027-01", 1000, 3000}, {"2027-02", 1000, 0}, {"2027-03", 1000, 0}};
  agreement.index = ix;
  REQUIRE(a.fx.store_->contracts.record("default", agreement, 1));
  store::ContractRow amendment = agreement;
  amendment.contract_id = "A-1-1";
  amendment.kind = "amendment";
  amendment.parent_id = "A-1";
  amendment.state = R"({"change":1})";
  amendment.index = store::ContractIndex{};
  store::ContractIndex after = ix;
  after.total_minor = after.price_minor = 4000;
  after.months = {{"2027-01", 1000, 3000}, {"2027-02", 1500, 1000}, {"2027-03", 1500, 0}};
  REQUIRE(a.fx.store_->contracts.amend("default", amendment, 1, R"({"v":2})", 2, after));
  auto chf = a.get_json("/v1/views/revenue?from=2027-01&to=2027-03&currency=CHF", fiona);
  REQUIRE(chf["currencies"].size() == 1);
  auto& m = chf["currencies"][0]["months"];
  REQUIRE(m.size() == 3);
  auto month_total = [](const json& x) {
    return x["recognised"]["amount_minor"].get<std::int64_t>() +
           x["to_be_recognised"]["amount_minor"].get<std::int64_t>();
  };
  CHECK(month_total(m[0]) == 1000);
  CHECK(month_total(m[1]) == 1500);
  CHECK(month_total(m[2]) == 1500);
  CHECK(m[2]["deferred"]["amount_minor"] == 0);
  CHECK(chf["currencies"][0]["ties"] == true);
  // Its CSV keeps the names a spreadsheet would run as formulas as text.
  auto export_csv =
      a.call("GET", "/v1/views/revenue?by=contract&format=csv&currency=CHF&from=2027-01&to=2027-03",
             fiona);
  REQUIRE(export_csv.status == 200);
  CHECK(export_csv.body.find("\"'=HYPERLINK(\"\"http://evil\"\")\"") != std::string::npos);
  CHECK(export_csv.body.find("'=cmd|") != std::string::npos);
  CHECK(export_csv.body.find(",=") == std::string::npos);

  // An older observation never replaces a newer one.
  store::FindingRow f{"A-1",   "sla", "met", "", "", "", "2027-01-10", R"({"breaches":[]})",
                      "inst-a"};
  REQUIRE(a.fx.store_->views.observe("default", f, 10));
  f.status = "breached";
  f.items = 2;
  f.observed_on = "2027-01-09";
  auto older = a.fx.store_->views.observe("default", f, 11);
  REQUIRE(older);
  CHECK_FALSE(*older);
  auto a1 = a.get_json("/v1/views/sla?customer=" + std::string("%3D"), fiona, 200);  // no match
  CHECK(a1["rows"].empty());
  // Renewal risk reads the SLA figures whichever was observed first: the renewal after the SLA
  // check, then a newer SLA check after the renewal.
  auto day = [&](int ahead) {
    return covenant::activities::dates::iso(
        covenant::activities::dates::Day{std::chrono::days{today_days(a) + ahead}});
  };
  // (observed after the checks above, whatever the test clock says)
  store::FindingRow sla3{"A-1", "sla",        "breached",           "",      "",
                         "",    "2099-01-01", R"({"breaches":[]})", "inst-a"};
  sla3.items = 3;
  REQUIRE(a.fx.store_->views.observe("default", sla3, 20));
  store::FindingRow renewal{"A-1", "renewal", "notice_due",           "ends",  day(10),
                            "",    day(0),    R"({"term_end":null})", "inst-a"};
  REQUIRE(a.fx.store_->views.observe("default", renewal, 21));
  auto a1_risk = [&] {
    for (const auto& r : walk(a, "/v1/views/renewal-risk?within=30&currency=CHF", fiona))
      if (r["contract_id"] == "A-1") return r;
    FAIL("A-1 is not in the renewal risk view");
    return json();
  };
  json r1 = a1_risk();
  CHECK(r1["factors"][0]["count"] == 3);
  CHECK(r1["factors"][0]["points"] == 30);
  CHECK(r1["factors"][4]["count"] == 2);  // ends unless renewed, deadline in 10 days, no notice
  sla3.items = 1;
  sla3.observed_on = "2099-01-02";
  REQUIRE(a.fx.store_->views.observe("default", sla3, 22));
  CHECK(a1_risk()["factors"][0]["count"] == 1);

  // A bad finding is refused where it enters.
  f.observed_on = "2027-02-30";
  CHECK_FALSE(a.fx.store_->views.observe("default", f, 12));
  f.observed_on = "2027-01-11";
  f.items = -1;
  CHECK_FALSE(a.fx.store_->views.observe("default", f, 12));
  // A damaged stored finding: a 500 naming it, never a row shown without it.
  f.items = 0;
  f.observed_on = "2099-01-03";  // after the checks above
  f.body = "{not json";
  REQUIRE(a.fx.store_->views.observe("default", f, 13));
  auto damaged = a.call("GET", "/v1/views/sla?limit=500", fiona);
  CHECK(damaged.status == 500);
  CHECK(damaged.body.find("A-1") != std::string::npos);
}

}  // namespace

TEST_CASE("The views tie to the book and page, filter and export it [sqlite]", "[sqlite][views]") {
  views_run("");
}

TEST_CASE("The views tie to the book and page, filter and export it [postgres]",
          "[postgres][views]") {
  covenant::testing::TestDatabase db;
  views_run(db.url());
}
