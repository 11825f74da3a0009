// bill.plan: the billing plan for a contract from its terms and resolved products.
//
// Recurring lines are billed every `billing_frequency` period from the effective date to the
// expiration date (end exclusive), in advance or in arrears. Each line's amount for the term is
// split over the periods by the days they cover (a partial last period is prorated by days of
// the full period it would have been), largest remainder first, so the periods sum exactly to
// the line. A line whose periods are all full and equal, with a whole per-period unit price,
// goes onto the billing system's subscription (the billing system raises those invoices);
// any other recurring amount is invoiced by Covenant at its period's date and flagged as an
// exception for finance. One-time fees are billed by milestone when the contract has
// milestones (a milestone tied to signing is due at once, the others wait for their event),
// else at the start. Every amount is integer minor units; the plan's total equals the
// transaction price to the unit, or the activity fails.
#include "activities/bill/allocate.hpp"
#include "activities/dates.hpp"
#include "activities/own.hpp"

#include <regex>

namespace covenant::activities {
namespace {

using bill::Wide;
using nlohmann::json;

constexpr const char* kActivity = "bill.plan";

int interval_months(const std::string& every) {
  if (every == "month") return 1;
  if (every == "quarter") return 3;
  if (every == "half_year") return 6;
  if (every == "year") return 12;
  return 0;
}

json money(std::int64_t minor, const std::string& currency) {
  return {{"amount_minor", minor}, {"currency", currency}};
}

struct Period {
  dates::Day start, end;
  bool full = true;
  long days = 0, full_days = 0;
};

bool due_at_signing(const std::string& event) {
  static const std::regex re(
      R"(signature|signing|execution|effective\s+date|contract\s+start|commencement)",
      std::regex::icase);
  return std::regex_search(event, re);
}

}  // namespace

Outcome bill_plan(const json& in) {
  const json terms = in.value("terms", json::object());
  const json products = in.value("products", json::object());
  if (!terms.is_object()) return invalid_input(kActivity, "'terms' must be an object");
  auto start_s = term_value(terms, "effective_date");
  auto end_s = term_value(terms, "expiration_date");
  if (!start_s.is_string()) return invalid_input(kActivity, "the terms have no effective_date");
  if (!end_s.is_string() || end_s == "perpetual")
    return invalid_input(kActivity,
                         "the terms have no expiration_date: a plan needs the term's end");
  auto start = dates::parse(start_s.get<std::string>());
  auto end = dates::parse(end_s.get<std::string>());
  if (!start || !end || *end <= *start)
    return invalid_input(kActivity,
                         "effective_date and expiration_date must be ISO dates, the "
                         "expiration after the start");
  if (!products.is_object() || !products.contains("lines") || !products["lines"].is_array())
    return invalid_input(kActivity, "'products' must be resolve.products' result with 'lines'");
  std::string currency = products.value("currency", "");
  if (currency.size() != 3) return invalid_input(kActivity, "'products.currency' is missing");
  std::string contract = in.value("contract_id", products.value("contract_id", "contract"));

  json freq = term_value(terms, "billing_frequency");
  std::string every = freq.is_object() ? freq.value("every", "year") : "year";
  std::string timing = freq.is_object() ? freq.value("timing", "advance") : "advance";
  int k = interval_months(every);
  if (k == 0) return invalid_input(kActivity, "unknown billing frequency '" + every + "'");
  json pay = term_value(terms, "payment_terms");
  int net_days = pay.is_object() ? pay.value("net_days", 30) : 30;

  // Billing periods on the grid start + i·k months; the last may be partial.
  std::vector<Period> periods;
  for (int i = 0;; ++i) {
    auto ps = dates::add_months(*start, i * k);
    if (ps >= *end) break;
    auto full_end = dates::add_months(*start, (i + 1) * k);
    Period p{ps, std::min(full_end, *end), full_end <= *end, 0, 0};
    p.days = dates::days_between(p.start, p.end);
    p.full_days = dates::days_between(ps, full_end);
    periods.push_back(p);
    if (i > 1200) return invalid_input(kActivity, "the term is too long");
  }
  // Term length in months when whole (for lines priced per their own term).
  int term_months = 0;
  while (dates::add_months(*start, term_months) < *end) ++term_months;
  bool whole_term = dates::add_months(*start, term_months) == *end;

  Wide P = 1;  // a common multiple of the partial periods' full lengths
  for (const auto& p : periods)
    if (!p.full) P *= p.full_days;

  json subscription_items = json::array(), subscription_periods = json::array();
  json invoices = json::array(), pending = json::array(), exceptions = json::array();
  json schedule = json::array();
  std::int64_t total = 0;
  std::vector<std::vector<std::int64_t>> period_amounts;  // per subscription line
  int invoice_no = 0;
  auto invoice = [&](dates::Day issue, json items, std::string reason) {
    std::int64_t sum = 0;
    for (const auto& it : items) sum += it["amount"]["amount_minor"].get<std::int64_t>();
    json inv = {{"id", contract + "-INV-" + std::to_string(++invoice_no)},
                {"issue_date", dates::iso(issue)},
                {"due_date", dates::iso(issue + std::chrono::days{net_days})},
                {"currency", currency},
                {"items", items},
                {"total", money(sum, currency)},
                {"reason", reason}};
    invoices.push_back(inv);
    schedule.push_back({{"date", dates::iso(issue)},
                        {"kind", "invoice"},
                        {"id", inv["id"]},
                        {"amount", money(sum, currency)}});
  };

  const json& lines = products["lines"];
  std::int64_t one_time_total = 0;
  json one_time_names = json::array();
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const json& line = lines[li];
    std::string where = "products.lines[" + std::to_string(li) + "]";
    if (!line.is_object() || !line.contains("amount_minor") ||
        !line["amount_minor"].is_number_integer() || line["amount_minor"].get<std::int64_t>() < 0)
      return invalid_input(kActivity, where + " needs a non-negative integer 'amount_minor'");
    std::int64_t amount = line["amount_minor"];
    std::string name = line.value("name", line.value("product", "line " + std::to_string(li)));
    if (line.value("kind", "") != "recurring") {
      one_time_total += amount;
      one_time_names.push_back(name);
      continue;
    }
    int line_months = line.value("term_months", 0);
    if (line_months <= 0) line_months = whole_term ? term_months : 12;
    // Weights: a full period counts k months; a partial one k·days/full_days months.
    std::vector<Wide> w;
    Wide wsum = 0;
    for (const auto& p : periods) {
      Wide wi = p.full ? Wide(k) * P : Wide(k) * p.days * (P / p.full_days);
      w.push_back(wi);
      wsum += wi;
    }
    // The line's amount over the contract's term: the amount itself when the line is priced
    // for this term (the usual case, partial periods or not), else scaled by whole months, or
    // by the days the periods cover when the term is not whole months.
    std::int64_t line_total = whole_term && line_months == term_months ? amount
                              : whole_term
                                  ? bill::round_div(Wide(amount) * term_months, Wide(line_months))
                                  : bill::round_div(Wide(amount) * wsum, Wide(line_months) * P);
    auto parts = bill::allocate(line_total, w);
    if (!parts) return invalid_input(kActivity, where + ": nothing to bill over the term");
    total += line_total;
    std::int64_t quantity = line.value("quantity", std::int64_t{1});
    if (quantity <= 0) return invalid_input(kActivity, where + ": quantity must be positive");
    bool all_full = true, equal = true;
    for (std::size_t i = 0; i < periods.size(); ++i) {
      all_full = all_full && periods[i].full;
      equal = equal && (*parts)[i] == (*parts)[0];
    }
    Wide unit_num = Wide(amount) * k;
    bool unit_whole = unit_num % (Wide(line_months) * quantity) == 0;
    if (all_full && equal && unit_whole) {
      subscription_items.push_back(
          {{"product", line.value("product", "")},
           {"name", name},
           {"quantity", quantity},
           {"unit_amount",
            money(static_cast<std::int64_t>(unit_num / (Wide(line_months) * quantity)), currency)},
           {"interval", "month"},
           {"interval_count", k},
           {"period_amount", money((*parts)[0], currency)}});
      period_amounts.push_back(*parts);
      continue;
    }
    exceptions.push_back(
        {{"kind", "invoiced_by_covenant"},
         {"line", name},
         {"message", "the periods of '" + name +
                         "' are not equal whole amounts (proration or an uneven price): "
                         "Covenant invoices them instead of the subscription"}});
    for (std::size_t i = 0; i < periods.size(); ++i) {
      const auto& p = periods[i];
      std::string desc = name + " " + dates::iso(p.start) + " to " +
                         dates::iso(p.end - std::chrono::days{1}) +
                         (p.full ? ""
                                 : " (prorated " + std::to_string(p.days) + "/" +
                                       std::to_string(p.full_days) + " days)");
      invoice(timing == "arrears" ? p.end : p.start,
              json::array({{{"description", desc}, {"amount", money((*parts)[i], currency)}}}),
              p.full ? "period" : "prorated period");
    }
  }
  // The subscription's expected invoices, one per period, all lines together.
  if (!subscription_items.empty()) {
    for (std::size_t i = 0; i < periods.size(); ++i) {
      std::int64_t sum = 0;
      for (const auto& pa : period_amounts) sum += pa[i];
      auto issue = timing == "arrears" ? periods[i].end : periods[i].start;
      subscription_periods.push_back({{"start", dates::iso(periods[i].start)},
                                      {"end", dates::iso(periods[i].end)},
                                      {"issue_date", dates::iso(issue)},
                                      {"due_date", dates::iso(issue + std::chrono::days{net_days})},
                                      {"amount", money(sum, currency)}});
      schedule.push_back({{"date", dates::iso(issue)},
                          {"kind", "subscription_period"},
                          {"amount", money(sum, currency)}});
    }
  }
  // One-time fees: by milestone, or at the start.
  json ms = term_value(terms, "milestones");
  json milestones = json::array();
  if (one_time_total > 0) {
    total += one_time_total;
    std::string what = one_time_names.size() == 1 ? one_time_names[0].get<std::string>()
                                                  : std::string("One-time fees");
    std::vector<Wide> w;
    if (ms.is_array())
      for (const auto& m : ms) w.push_back(m.value("basis_points", 0));
    Wide bp = 0;
    for (auto x : w) bp += x;
    if (!w.empty() && bp == 10000) {
      auto parts = bill::allocate(one_time_total, w);
      if (!parts) return invalid_input(kActivity, "milestones have no weight");
      for (std::size_t i = 0; i < ms.size(); ++i) {
        std::string event = ms[i].value("event", "");
        json item = {
            {"description", what + ": milestone " + std::to_string(i + 1) + " (" + event + ")"},
            {"amount", money((*parts)[i], currency)}};
        json m = {{"index", i + 1},
                  {"event", event},
                  {"basis_points", ms[i]["basis_points"]},
                  {"amount", money((*parts)[i], currency)},
                  {"description", item["description"]}};
        if (due_at_signing(event)) {
          invoice(*start, json::array({item}), "milestone: " + event);
          m["invoice"] = invoices.back()["id"];
          m["status"] = "invoiced";
        } else {
          m["status"] = "pending";
          m["net_days"] = net_days;
          pending.push_back(m);
          schedule.push_back(
              {{"event", event}, {"kind", "milestone"}, {"amount", money((*parts)[i], currency)}});
        }
        milestones.push_back(m);
      }
    } else {
      if (!w.empty())
        exceptions.push_back(
            {{"kind", "milestones_do_not_add_up"},
             {"message", "the milestones add up to " + std::to_string(static_cast<long long>(bp)) +
                             " basis points, not 100%: one-time fees are "
                             "invoiced at the start"}});
      json items = json::array();
      for (const auto& line : lines)
        if (line.value("kind", "") != "recurring")
          items.push_back({{"description", line.value("name", "")},
                           {"amount", money(line["amount_minor"], currency)}});
      invoice(*start, items, "one-time fees");
    }
  }

  std::int64_t expected = products.contains("transaction_price")
                              ? products["transaction_price"].value("amount_minor", total)
                              : total;
  std::int64_t planned = 0;
  for (const auto& s : subscription_periods)
    planned += s["amount"]["amount_minor"].get<std::int64_t>();
  for (const auto& i : invoices) planned += i["total"]["amount_minor"].get<std::int64_t>();
  for (const auto& m : pending) planned += m["amount"]["amount_minor"].get<std::int64_t>();
  if (planned != total)
    return error("Internal", std::string(kActivity) + ": the plan sums to " +
                                 std::to_string(planned) + " but the lines to " +
                                 std::to_string(total));
  if (total != expected)
    exceptions.push_back({{"kind", "total_differs_from_transaction_price"},
                          {"message", "the plan bills " + std::to_string(total) +
                                          " minor units over the term; the transaction price is " +
                                          std::to_string(expected)}});
  std::sort(schedule.begin(), schedule.end(), [](const json& a, const json& b) {
    return a.value("date", std::string("9999")) < b.value("date", std::string("9999"));
  });
  json payment_terms = {{"net_days", net_days}};
  if (pay.is_object() && pay.contains("discount")) {
    int bp = pay["discount"].value("basis_points", 0);
    payment_terms["discount_percent"] =
        std::to_string(bp / 100) + (bp % 100 ? "." + std::to_string(100 + bp % 100).substr(1) : "");
    payment_terms["discount_days"] = pay["discount"].value("days", 0);
  }
  json plan = {{"contract_id", contract},
               {"currency", currency},
               {"service_start", dates::iso(*start)},
               {"service_end", dates::iso(*end)},
               {"frequency", {{"every", every}, {"interval_months", k}, {"timing", timing}}},
               {"payment_terms", payment_terms},
               {"subscription", nullptr},
               {"invoices", invoices},
               {"milestones", milestones},
               {"pending_milestones", pending},
               {"schedule", schedule},
               {"exceptions", exceptions},
               {"total", money(total, currency)}};
  if (!subscription_items.empty())
    plan["subscription"] = {{"start_date", dates::iso(*start)},
                            {"end_date", dates::iso(*end)},
                            {"items", subscription_items},
                            {"periods", subscription_periods}};
  return ok(plan);
}

}  // namespace covenant::activities
