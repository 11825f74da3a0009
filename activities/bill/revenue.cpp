// revenue.schedule: an ASC 606 / IFRS 15 revenue schedule from the billing plan and the
// resolved products. Each product line is a performance obligation. The transaction price is
// allocated to the obligations by relative standalone selling price (the line's list amount,
// else its net amount), largest remainder first. A recurring obligation is recognised ratably
// by day over the service period and reported per calendar month; a one-time obligation at a
// point in time: per milestone when the plan bills it by milestone (a pending milestone is
// recognised when its event happens), else at the start. Every obligation's entries sum to its
// allocation and the schedule to the transaction price, exactly.
#include "activities/bill/allocate.hpp"
#include "activities/dates.hpp"
#include "activities/own.hpp"

namespace covenant::activities {
namespace {

using bill::Wide;
using nlohmann::json;

constexpr const char* kActivity = "revenue.schedule";

std::string month_of(dates::Day d) { return dates::iso(d).substr(0, 7); }

}  // namespace

Outcome revenue_schedule(const json& in) {
  const json plan = in.value("plan", json::object());
  const json products = in.value("products", json::object());
  if (!plan.is_object() || !plan.contains("total") || !plan.contains("service_start"))
    return invalid_input(kActivity, "'plan' must be bill.plan's result");
  if (!products.is_object() || !products.contains("lines") || !products["lines"].is_array() ||
      products["lines"].empty())
    return invalid_input(kActivity, "'products' must be resolve.products' result with 'lines'");
  std::string currency = plan.value("currency", "");
  auto start = dates::parse(plan.value("service_start", ""));
  auto end = dates::parse(plan.value("service_end", ""));
  if (!start || !end || *end <= *start)
    return invalid_input(kActivity, "the plan's service period is not a pair of dates");
  std::int64_t price = plan["total"].value("amount_minor", std::int64_t{-1});
  if (price < 0) return invalid_input(kActivity, "the plan has no total");

  const json& lines = products["lines"];
  std::vector<Wide> ssp;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    std::int64_t s = l.value(
        "ssp_minor", l.value("list_amount_minor", l.value("amount_minor", std::int64_t{-1})));
    if (s < 0)
      return invalid_input(kActivity, "products.lines[" + std::to_string(i) +
                                          "] has no standalone selling price or amount");
    ssp.push_back(s);
  }
  auto allocated = bill::allocate(price, ssp);
  if (!allocated) return invalid_input(kActivity, "the standalone selling prices are all zero");

  json obligations = json::array(), periods = json::array();
  const json& milestones = plan.value("milestones", json::array());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    std::string name = l.value("name", l.value("product", ""));
    json entries = json::array();
    std::string method;
    if (l.value("kind", "") == "recurring") {
      method = "ratable_daily";
      // Days of the service period in each calendar month.
      std::vector<Wide> days;
      std::vector<std::string> months;
      for (auto d = *start; d < *end;) {
        std::chrono::year_month_day ymd{d};
        auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{1};
        auto first_next =
            dates::Day{std::chrono::year_month_day{ym.year(), ym.month(), std::chrono::day{1}}};
        auto stop = std::min(first_next, *end);
        days.push_back(dates::days_between(d, stop));
        months.push_back(month_of(d));
        d = stop;
      }
      auto parts = bill::allocate((*allocated)[i], days);
      if (!parts) return invalid_input(kActivity, "an empty service period");
      for (std::size_t m = 0; m < months.size(); ++m)
        entries.push_back({{"period", months[m]},
                           {"days", static_cast<long long>(days[m])},
                           {"amount_minor", (*parts)[m]}});
    } else if (!milestones.empty()) {
      method = "point_in_time";
      std::vector<Wide> w;
      for (const auto& m : milestones) w.push_back(m.value("basis_points", 0));
      auto parts = bill::allocate((*allocated)[i], w);
      if (!parts) return invalid_input(kActivity, "milestones without weights");
      for (std::size_t m = 0; m < milestones.size(); ++m) {
        json e = {{"milestone", milestones[m].value("index", static_cast<int>(m) + 1)},
                  {"event", milestones[m].value("event", "")},
                  {"amount_minor", (*parts)[m]}};
        if (milestones[m].value("status", "") == "invoiced")
          e["period"] = month_of(*start);
        else
          e["period"] = "on " + milestones[m].value("event", std::string("event"));
        entries.push_back(e);
      }
    } else {
      method = "point_in_time";
      entries.push_back({{"period", month_of(*start)}, {"amount_minor", (*allocated)[i]}});
    }
    std::int64_t sum = 0;
    for (const auto& e : entries) sum += e["amount_minor"].get<std::int64_t>();
    if (sum != (*allocated)[i])
      return error("Internal", std::string(kActivity) + ": obligation '" + name + "' recognises " +
                                   std::to_string(sum) + " of " + std::to_string((*allocated)[i]));
    for (const auto& e : entries)
      periods.push_back(
          {{"period", e["period"]}, {"obligation", name}, {"amount_minor", e["amount_minor"]}});
    obligations.push_back(
        {{"obligation", name},
         {"product", l.value("product", "")},
         {"ssp", {{"amount_minor", static_cast<long long>(ssp[i])}, {"currency", currency}}},
         {"allocated", {{"amount_minor", (*allocated)[i]}, {"currency", currency}}},
         {"method", method},
         {"entries", entries}});
  }
  std::stable_sort(periods.begin(), periods.end(), [](const json& a, const json& b) {
    return a["period"].get<std::string>() < b["period"].get<std::string>();
  });
  return ok({{"name", "Revenue schedule " + plan.value("contract_id", std::string())},
             {"currency", currency},
             {"transaction_price", {{"amount_minor", price}, {"currency", currency}}},
             {"service_start", plan["service_start"]},
             {"service_end", plan["service_end"]},
             {"obligations", obligations},
             {"periods", periods}});
}

}  // namespace covenant::activities
