// bill.plan: the billing plan for a contract from its terms and resolved products.
//
// Recurring lines are billed every `billing_frequency` period from the effective date to the
// expiration date (end exclusive), in advance or in arrears. What a line costs over the term
// follows the one proration rule (bill/proration.hpp: whole months plus a fraction of a month
// by days), whatever the frequency; its amount is then split over the periods by the time they
// cover, largest remainder first, so the periods sum exactly to the line. A line whose periods
// are all full and equal, with a whole per-period unit price, goes onto the billing system's
// subscription (the billing system raises those invoices); any other recurring amount is
// invoiced by Covenant at its period's date and flagged as an exception for finance. One-time
// fees are billed by milestone when the contract's milestones add up to 100%: a milestone due
// at signing is invoiced at once, one due a stated time after signing on that date, the others
// wait for their event (bill/milestone_event.hpp; unclear wording is flagged for a person).
// Every input field is typed and checked (activities/input.hpp) and every amount is integer
// minor units in checked arithmetic: an input that would overflow is refused, naming the field.
#include "activities/bill/milestone_event.hpp"
#include "activities/bill/proration.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <algorithm>

namespace covenant::activities {
namespace {

using bill::Wide;
using nlohmann::json;

constexpr const char* kActivity = "bill.plan";

json money_json(std::int64_t minor, const std::string& currency) {
  return {{"amount_minor", minor}, {"currency", currency}};
}

struct Line {
  std::string where, product, name;
  bool recurring = false;
  std::int64_t amount = 0, quantity = 1, months = 0;
};

struct Milestone {
  std::int64_t basis_points = 0;
  std::string event;
  json phase;  // {id, name, depends_on, duration_days?} when the event names a phase, else null
};

struct PlanInput {
  std::string contract, currency, every, timing;
  dates::Day start, end;
  bill::Months term;
  int interval = 12;  // months per billing period
  std::int64_t net_days = 30;
  json payment_discount;  // {discount_percent, discount_days} or null
  std::vector<Line> lines;
  std::vector<Milestone> milestones;
  std::optional<std::int64_t> transaction_price;
};

int interval_months(const std::string& every) {
  return every == "month" ? 1 : every == "quarter" ? 3 : every == "half_year" ? 6 : 12;
}

// The terms: the period, the billing frequency, payment terms and milestones.
void read_terms(const Field& terms, PlanInput& p) {
  terms.object();
  Field start = terms.term("effective_date"), end = terms.term("expiration_date");
  if (start.is_null()) start.fail("is missing: a plan starts on the effective date");
  if (end.is_null() || end.raw() == "perpetual")
    end.fail("is " + shown(end.raw()) + ": a plan needs the term's end");
  p.start = start.date();
  p.end = end.date();
  if (p.end <= p.start) end.fail("must be after the effective date");
  auto term = bill::months_between(p.start, p.end);
  if (!term) end.fail("is more than 100 years after the effective date");
  p.term = *term;

  Field freq = terms.term("billing_frequency");
  if (!freq.is_null()) freq.object();
  p.every = freq.is_null()
                ? "year"
                : freq.one_of_or("every", "year", {"month", "quarter", "half_year", "year"});
  p.timing =
      freq.is_null() ? "advance" : freq.one_of_or("timing", "advance", {"advance", "arrears"});
  p.interval = interval_months(p.every);

  Field pay = terms.term("payment_terms");
  if (!pay.is_null()) {
    pay.object();
    p.net_days = pay.integer_or("net_days", 30, 0, 3650);
    if (pay.has("discount")) {
      Field d = pay.at("discount");
      d.object();
      std::int64_t bp = d.at("basis_points").integer(0, 10000);
      std::int64_t days = d.integer_or("days", 0, 0, p.net_days);
      p.payment_discount = {{"discount_percent",
                             std::to_string(bp / 100) +
                                 (bp % 100 ? "." + std::to_string(100 + bp % 100).substr(1) : "")},
                            {"discount_days", days}};
    }
  }
  Field ms = terms.term("milestones");
  if (!ms.is_null())
    for (const Field& m : ms.items()) {
      m.object();
      Field bp = m.at("basis_points");
      json phase;
      if (m.has("phase")) {
        phase = {{"id", m.at("phase").text()},
                 {"name", m.text_or("name", m.at("phase").text())},
                 {"depends_on", json::array()}};
        if (m.has("depends_on"))
          for (const Field& d : m.at("depends_on").items()) phase["depends_on"].push_back(d.text());
        if (m.has("duration_days")) phase["duration_days"] = m.at("duration_days").integer(0, 3650);
      }
      p.milestones.push_back({bp.integer(0, 10000), m.at("event").text(), std::move(phase)});
    }
}

// resolve.products' result: the currency, the lines, the quote's transaction price.
void read_products(const Field& root, PlanInput& p) {
  Field products = root.at("products");
  products.object();
  p.currency = products.at("currency").currency();
  p.contract = root.text_or("contract_id", products.text_or("contract_id", "contract"));
  if (p.contract.empty()) p.contract = "contract";
  auto lines = products.at("lines").items();
  if (lines.empty()) products.at("lines").fail("has no lines: there is nothing to bill");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Field& l = lines[i];
    l.object();
    Line line;
    line.where = l.path();
    line.recurring = l.at("kind").one_of({"recurring", "one_time"}) == "recurring";
    line.amount = l.at("amount_minor").amount_minor();
    line.quantity = l.integer_or("quantity", 1, 1, money::kLargest);
    line.product = l.text_or("product", "");
    line.name =
        l.text_or("name", line.product.empty() ? "line " + std::to_string(i + 1) : line.product);
    if (line.recurring) line.months = l.at("term_months").integer(1, bill::kMaxTermMonths);
    p.lines.push_back(line);
  }
  if (products.has("transaction_price")) {
    Field tp = products.at("transaction_price");
    tp.object();
    if (tp.at("currency").currency() != p.currency)
      tp.at("currency").fail("must be the products' currency, " + p.currency);
    p.transaction_price = tp.at("amount_minor").amount_minor();
  }
}

PlanInput read_input(const json& in) {
  Field root(in, "");
  PlanInput p;
  read_terms(root.at("terms"), p);
  read_products(root, p);
  return p;
}

struct Period {
  dates::Day start, end;
  bool full = true;
  Wide length = 0;  // in units of 1/term.month_days of a month
  std::int64_t whole_months = 0;
};

std::vector<Period> billing_periods(const PlanInput& p) {
  std::vector<Period> periods;
  Wide left = p.term.units(), full = Wide(p.interval) * p.term.per_month();
  for (int i = 0; left > 0; ++i) {
    auto ps = dates::add_months(p.start, i * p.interval);
    auto full_end = dates::add_months(p.start, (i + 1) * p.interval);
    Period per{ps, std::min(full_end, p.end), full_end <= p.end, std::min(left, full), 0};
    per.whole_months = per.full ? p.interval : p.term.whole - std::int64_t{i} * p.interval;
    periods.push_back(per);
    left -= per.length;
  }
  return periods;
}

std::string prorated(const Period& per, const bill::Months& term) {
  std::string days = std::to_string(term.days) + "/" + std::to_string(term.month_days) + " days";
  if (per.whole_months == 0) return "prorated " + days;
  return "prorated " + std::to_string(per.whole_months) +
         (per.whole_months == 1 ? " month and " : " months and ") + days;
}

class Planner {
 public:
  explicit Planner(const PlanInput& p) : p_(p), periods_(billing_periods(p)) {}

  Outcome plan() {
    for (const Line& line : p_.lines)
      if (line.recurring) recurring(line);
    subscription_periods();
    one_time_fees();
    return result();
  }

 private:
  json money(std::int64_t minor) const { return money_json(minor, p_.currency); }
  dates::Day issue_of(const Period& per) const {
    return p_.timing == "arrears" ? per.end : per.start;
  }
  std::string due(dates::Day issue) const {
    return dates::iso(issue + std::chrono::days{p_.net_days});
  }

  // `period`: {start, end, product, line} when the invoice bills one line's period (what an
  // amendment's plan change lines up), else null.
  void invoice(dates::Day issue, json items, const std::string& reason, json period = nullptr) {
    std::int64_t sum = 0;
    for (const auto& it : items)
      sum =
          checked_add(sum, it["amount"]["amount_minor"].get<std::int64_t>(), "an invoice's total");
    json inv = {{"id", p_.contract + "-INV-" + std::to_string(invoices_.size() + 1)},
                {"issue_date", dates::iso(issue)},
                {"due_date", due(issue)},
                {"currency", p_.currency},
                {"items", std::move(items)},
                {"total", money(sum)},
                {"reason", reason}};
    if (!period.is_null()) inv["period"] = std::move(period);
    schedule_.push_back({{"date", dates::iso(issue)},
                         {"kind", "invoice"},
                         {"id", inv["id"]},
                         {"amount", money(sum)}});
    invoices_.push_back(std::move(inv));
  }

  void recurring(const Line& line) {
    auto line_total = bill::over_term(line.amount, line.months, p_.term);
    if (!line_total)
      throw BadInput(line.where +
                     ".amount_minor over the term passes the largest amount Covenant "
                     "computes (" +
                     std::to_string(money::kLargest) + " minor units)");
    total_ = checked_add(total_, *line_total, "the plan's total");
    std::vector<Wide> weights;
    for (const auto& per : periods_) weights.push_back(per.length);
    auto parts = money::allocate(*line_total, weights);
    if (!parts) throw BadInput(line.where + ": nothing to bill over the term");
    bool all_full = true, equal = true;
    for (std::size_t i = 0; i < periods_.size(); ++i) {
      all_full = all_full && periods_[i].full;
      equal = equal && (*parts)[i] == (*parts)[0];
    }
    Wide unit_num = Wide(line.amount) * p_.interval, unit_den = Wide(line.months) * line.quantity;
    if (all_full && equal && unit_num % unit_den == 0) {
      subscription_items_.push_back(
          {{"product", line.product},
           {"name", line.name},
           {"quantity", line.quantity},
           {"unit_amount", money(*money::narrow(unit_num / unit_den))},  // ≤ a period's amount
           {"interval", "month"},
           {"interval_count", p_.interval},
           {"period_amount", money((*parts)[0])}});
      subscription_amounts_.push_back(*parts);
      return;
    }
    exceptions_.push_back(
        {{"kind", "invoiced_by_covenant"},
         {"line", line.name},
         {"message", "the periods of '" + line.name +
                         "' are not equal whole amounts (proration or an uneven price): "
                         "Covenant invoices them instead of the subscription"}});
    for (std::size_t i = 0; i < periods_.size(); ++i) {
      const auto& per = periods_[i];
      std::string desc = line.name + " " + dates::iso(per.start) + " to " +
                         dates::iso(per.end - std::chrono::days{1}) +
                         (per.full ? "" : " (" + prorated(per, p_.term) + ")");
      invoice(issue_of(per), json::array({{{"description", desc}, {"amount", money((*parts)[i])}}}),
              per.full ? "period" : "prorated period",
              {{"start", dates::iso(per.start)},
               {"end", dates::iso(per.end)},
               {"product", line.product},
               {"line", line.name}});
    }
  }

  // The subscription's expected invoices, one per period, all its lines together.
  void subscription_periods() {
    if (subscription_items_.empty()) return;
    for (std::size_t i = 0; i < periods_.size(); ++i) {
      std::int64_t sum = 0;
      for (const auto& amounts : subscription_amounts_)
        sum = checked_add(sum, amounts[i], "a subscription period's amount");
      auto issue = issue_of(periods_[i]);
      sub_periods_.push_back({{"start", dates::iso(periods_[i].start)},
                              {"end", dates::iso(periods_[i].end)},
                              {"issue_date", dates::iso(issue)},
                              {"due_date", due(issue)},
                              {"amount", money(sum)}});
      schedule_.push_back(
          {{"date", dates::iso(issue)}, {"kind", "subscription_period"}, {"amount", money(sum)}});
    }
  }

  void one_time_fees() {
    std::int64_t fees = 0;
    std::vector<const Line*> lines;
    for (const Line& line : p_.lines)
      if (!line.recurring) {
        fees =
            checked_add(fees, line.amount, line.where + ".amount_minor added to the one-time fees");
        lines.push_back(&line);
      }
    if (fees == 0) return;
    total_ = checked_add(total_, fees, "the plan's total");
    std::int64_t bp = 0;
    std::vector<Wide> weights;
    for (const auto& m : p_.milestones) {
      bp += m.basis_points;  // ≤ 10,000 each: no overflow for any list that fits in memory
      weights.push_back(m.basis_points);
    }
    if (p_.milestones.empty() || bp != 10000) {
      if (!p_.milestones.empty())
        exceptions_.push_back(
            {{"kind", "milestones_do_not_add_up"},
             {"message", "the milestones add up to " + std::to_string(bp) +
                             " basis points, not 100%: one-time fees are invoiced at the start"}});
      json items = json::array();
      for (const Line* line : lines)
        items.push_back({{"description", line->name}, {"amount", money(line->amount)}});
      invoice(p_.start, items, "one-time fees");
      return;
    }
    auto parts = money::allocate(fees, weights);
    std::string what = lines.size() == 1 ? lines.front()->name : "One-time fees";
    for (std::size_t i = 0; i < p_.milestones.size(); ++i) {
      const Milestone& ms = p_.milestones[i];
      auto meaning = bill::classify_milestone_event(ms.event);
      std::int64_t amount = (*parts)[i];
      json item = {
          {"description", what + ": milestone " + std::to_string(i + 1) + " (" + ms.event + ")"},
          {"amount", money(amount)}};
      json m = {{"index", i + 1},          {"event", ms.event},
                {"kind", meaning.kind},    {"basis_points", ms.basis_points},
                {"amount", money(amount)}, {"description", item["description"]}};
      std::optional<dates::Day> date;
      if (meaning.at_signing) date = p_.start;
      if (meaning.after_signing)
        date = dates::add(p_.start, meaning.after_signing->first, meaning.after_signing->second);
      if (date && *date > dates::add_months(p_.start, bill::kMaxTermMonths)) {
        date.reset();  // not a date anyone means: a person reads it
        meaning.unclear = "'" + ms.event + "' is more than 100 years after signing";
      }
      if (date) {
        invoice(*date, json::array({item}), "milestone: " + ms.event);
        m["invoice"] = invoices_.back()["id"];
        m["date"] = dates::iso(*date);
        m["status"] = "invoiced";
      } else {
        m["status"] = "pending";
        m["net_days"] = p_.net_days;
        if (ms.phase.is_object()) m.update(ms.phase);  // a phase: milestones.schedule dates it
        if (!meaning.unclear.empty()) {
          m["unclear"] = meaning.unclear;
          exceptions_.push_back({{"kind", "milestone_event_unclear"},
                                 {"milestone", i + 1},
                                 {"message", meaning.unclear + "; it waits for its event"}});
        }
        pending_.push_back(m);
        schedule_.push_back(
            {{"event", ms.event}, {"kind", "milestone"}, {"amount", money(amount)}});
      }
      milestones_.push_back(m);
    }
  }

  Outcome result() {
    std::int64_t planned = 0;
    for (const auto& s : sub_periods_)
      planned = checked_add(planned, s["amount"]["amount_minor"].get<std::int64_t>(), "the plan");
    for (const auto& i : invoices_)
      planned = checked_add(planned, i["total"]["amount_minor"].get<std::int64_t>(), "the plan");
    for (const auto& m : pending_)
      planned = checked_add(planned, m["amount"]["amount_minor"].get<std::int64_t>(), "the plan");
    if (planned != total_)  // a defect, never an input: the rule above is exact
      return error("Internal", std::string(kActivity) + ": the plan sums to " +
                                   std::to_string(planned) + " but the lines to " +
                                   std::to_string(total_));
    std::int64_t expected = p_.transaction_price.value_or(total_);
    if (total_ != expected)
      exceptions_.push_back({{"kind", "total_differs_from_transaction_price"},
                             {"message", "the plan bills " + money::format(total_, p_.currency) +
                                             " over the term; the transaction price is " +
                                             money::format(expected, p_.currency)}});
    std::stable_sort(schedule_.begin(), schedule_.end(), [](const json& a, const json& b) {
      return a.value("date", std::string("9999")) < b.value("date", std::string("9999"));
    });
    json payment_terms = {{"net_days", p_.net_days}};
    if (p_.payment_discount.is_object()) payment_terms.update(p_.payment_discount);
    json plan = {
        {"contract_id", p_.contract},
        {"currency", p_.currency},
        {"service_start", dates::iso(p_.start)},
        {"service_end", dates::iso(p_.end)},
        {"term",
         {{"months", p_.term.whole}, {"days", p_.term.days}, {"month_days", p_.term.month_days}}},
        {"frequency",
         {{"every", p_.every}, {"interval_months", p_.interval}, {"timing", p_.timing}}},
        {"payment_terms", payment_terms},
        {"subscription", nullptr},
        {"invoices", invoices_},
        {"milestones", milestones_},
        {"pending_milestones", pending_},
        {"schedule", schedule_},
        {"exceptions", exceptions_},
        {"total", money(total_)}};
    if (!subscription_items_.empty())
      plan["subscription"] = {{"start_date", dates::iso(p_.start)},
                              {"end_date", dates::iso(p_.end)},
                              {"items", subscription_items_},
                              {"periods", sub_periods_}};
    return ok(plan);
  }

  const PlanInput& p_;
  std::vector<Period> periods_;
  std::int64_t total_ = 0;
  json subscription_items_ = json::array(), sub_periods_ = json::array();
  std::vector<std::vector<std::int64_t>> subscription_amounts_;
  json invoices_ = json::array(), pending_ = json::array(), milestones_ = json::array();
  json schedule_ = json::array(), exceptions_ = json::array();
};

}  // namespace

Outcome bill_plan(const json& in) {
  return refuse_bad_input(kActivity, [&] {
    PlanInput p = read_input(in);
    return Planner(p).plan();
  });
}

}  // namespace covenant::activities
