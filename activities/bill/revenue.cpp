// revenue.schedule: an ASC 606 / IFRS 15 revenue schedule from the billing plan and the
// resolved products. Each product line is a performance obligation. The transaction price is
// allocated to the obligations by relative standalone selling price over the same period as the
// price: the line's `ssp_minor` when given (for the contract's term), else its list amount (or
// net amount) — for a recurring line scaled from its own term to the contract's by the billing
// proration rule (bill/proration.hpp) — largest remainder first, so a contract without discount
// allocates exactly its prices. A recurring obligation is recognised ratably
// by day over the service period and reported per calendar month; a one-time obligation at a
// point in time: per milestone when the plan bills it by milestone (a pending milestone is
// recognised when its event happens), else at the start. Every obligation's entries sum to its
// allocation and the schedule to the transaction price, exactly.
#include "activities/bill/proration.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"

namespace covenant::activities {
namespace {

using bill::Wide;
using nlohmann::json;

constexpr const char* kRevenueActivity = "revenue.schedule";

std::string month_of(dates::Day d) { return dates::iso(d).substr(0, 7); }

struct RevenueMilestone {
  std::int64_t index = 1, basis_points = 0;
  std::string event, period;  // period: a month when invoiced, "on <event>" while pending
};

struct Obligation {
  std::string name, product;
  bool recurring = false;
  std::int64_t ssp = 0;  // standalone selling price over the contract's term
};

// The plan's milestones, each with the period it is recognised in.
std::vector<RevenueMilestone> read_milestones(const Field& plan, dates::Day start) {
  std::vector<RevenueMilestone> out;
  if (!plan.has("milestones")) return out;
  for (const Field& m : plan.at("milestones").items()) {
    m.object();
    RevenueMilestone ms;
    ms.index = m.integer_or("index", static_cast<std::int64_t>(out.size()) + 1, 1, 1'000'000);
    ms.basis_points = m.at("basis_points").integer(0, 10000);
    ms.event = m.at("event").text();
    bool invoiced = m.at("status").one_of({"invoiced", "pending"}) == "invoiced";
    ms.period = !invoiced       ? "on " + ms.event
                : m.has("date") ? month_of(m.at("date").date())
                                : month_of(start);
    out.push_back(ms);
  }
  return out;
}

// One obligation per product line, its SSP scaled to the contract's term unless given for it.
std::vector<Obligation> read_obligations(const Field& products, const bill::Months& term) {
  auto lines = products.at("lines").items();
  if (lines.empty()) products.at("lines").fail("has no lines: no performance obligation");
  std::vector<Obligation> out;
  for (const Field& l : lines) {
    l.object();
    Obligation ob;
    ob.recurring = l.at("kind").one_of({"recurring", "one_time"}) == "recurring";
    ob.product = l.text_or("product", "");
    ob.name = l.text_or("name", ob.product);
    if (l.has("ssp_minor")) {
      ob.ssp = l.at("ssp_minor").amount_minor();  // given for the contract's term
    } else {
      Field base = l.has("list_amount_minor") ? l.at("list_amount_minor") : l.at("amount_minor");
      ob.ssp = base.amount_minor();
      if (ob.recurring) {
        auto scaled =
            bill::over_term(ob.ssp, l.at("term_months").integer(1, bill::kMaxTermMonths), term);
        if (!scaled)
          base.fail("over the contract's term passes the largest amount Covenant computes (" +
                    std::to_string(money::kLargest) + " minor units)");
        ob.ssp = *scaled;
      }
    }
    out.push_back(ob);
  }
  return out;
}

// Ratably by day: the days of [start, end) in each calendar month.
json ratable_entries(std::int64_t allocated, dates::Day start, dates::Day end) {
  std::vector<Wide> days;
  std::vector<std::string> months;
  for (auto d = start; d < end;) {
    std::chrono::year_month_day ymd{d};
    auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{1};
    auto stop = std::min(dates::Day{ym / std::chrono::day{1}}, end);
    days.push_back(dates::days_between(d, stop));
    months.push_back(month_of(d));
    d = stop;
  }
  auto parts = money::allocate(allocated, days);  // the term is not empty
  json entries = json::array();
  for (std::size_t m = 0; m < months.size(); ++m)
    entries.push_back({{"period", months[m]},
                       {"days", static_cast<long long>(days[m])},
                       {"amount_minor", (*parts)[m]}});
  return entries;
}

// At points in time: per milestone by its weight, or all in the start month.
json point_in_time_entries(std::int64_t allocated, const std::vector<RevenueMilestone>& milestones,
                           const Field& plan, dates::Day start) {
  if (milestones.empty())
    return json::array({{{"period", month_of(start)}, {"amount_minor", allocated}}});
  std::vector<Wide> w;
  for (const auto& m : milestones) w.push_back(m.basis_points);
  auto parts = money::allocate(allocated, w);
  if (!parts) plan.at("milestones").fail("have no weight: their basis points are all zero");
  json entries = json::array();
  for (std::size_t m = 0; m < milestones.size(); ++m)
    entries.push_back({{"milestone", milestones[m].index},
                       {"event", milestones[m].event},
                       {"amount_minor", (*parts)[m]},
                       {"period", milestones[m].period}});
  return entries;
}

Outcome schedule(const json& in) {
  Field root(in, "");
  Field plan = root.at("plan");
  plan.object();
  std::string currency = plan.at("currency").currency();
  auto start = plan.at("service_start").date();
  auto end = plan.at("service_end").date();
  auto term = bill::months_between(start, end);
  if (!term) plan.at("service_end").fail("must be after service_start, and at most 100 years on");
  Field total = plan.at("total");
  total.object();
  if (total.at("currency").currency() != currency)
    total.at("currency").fail("must be the plan's currency, " + currency);
  std::int64_t price = total.at("amount_minor").amount_minor();
  auto milestones = read_milestones(plan, start);
  Field products = root.at("products");
  products.object();
  if (products.has("currency") && products.at("currency").currency() != currency)
    products.at("currency").fail("must be the plan's currency, " + currency);
  auto lines = read_obligations(products, *term);

  std::vector<Wide> ssp;
  for (const auto& ob : lines) ssp.push_back(ob.ssp);
  auto allocated = money::allocate(price, ssp);
  if (!allocated) products.at("lines").fail("have standalone selling prices that are all zero");

  json obligations = json::array(), periods = json::array();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Obligation& ob = lines[i];
    std::int64_t share = (*allocated)[i];
    json entries = ob.recurring ? ratable_entries(share, start, end)
                                : point_in_time_entries(share, milestones, plan, start);
    std::int64_t sum = 0;
    for (const auto& e : entries) sum += e["amount_minor"].get<std::int64_t>();  // ≤ share
    if (sum != share)  // a defect, never an input: the splits above are exact
      return error("Internal", std::string(kRevenueActivity) + ": obligation '" + ob.name +
                                   "' recognises " + std::to_string(sum) + " of " +
                                   std::to_string(share));
    for (const auto& e : entries)
      periods.push_back(
          {{"period", e["period"]}, {"obligation", ob.name}, {"amount_minor", e["amount_minor"]}});
    obligations.push_back({{"obligation", ob.name},
                           {"product", ob.product},
                           {"ssp", {{"amount_minor", ob.ssp}, {"currency", currency}}},
                           {"allocated", {{"amount_minor", share}, {"currency", currency}}},
                           {"method", ob.recurring ? "ratable_daily" : "point_in_time"},
                           {"entries", entries}});
  }
  std::stable_sort(periods.begin(), periods.end(), [](const json& a, const json& b) {
    return a["period"].get<std::string>() < b["period"].get<std::string>();
  });
  return ok({{"name", "Revenue schedule " + plan.text_or("contract_id", "")},
             {"currency", currency},
             {"transaction_price", {{"amount_minor", price}, {"currency", currency}}},
             {"service_start", dates::iso(start)},
             {"service_end", dates::iso(end)},
             {"obligations", obligations},
             {"periods", periods}});
}

}  // namespace

Outcome revenue_schedule(const json& in) {
  return refuse_bad_input(kRevenueActivity, [&] { return schedule(in); });
}

}  // namespace covenant::activities
