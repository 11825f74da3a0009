// bill.plan_change: what an amendment changes in a contract's billing, as writes.
//
// Given the billing plan in force (`before`, what was approved and written), the plan the
// amended contract would have over its whole term (`after`, bill.plan on the merged terms), the
// date the amendment takes effect and what was written for the plan, it lines the two plans up
// period by period and says, for each period that differs:
//   - a period already invoiced (every invoice Covenant wrote; a subscription period whose
//     issue date has passed): the part of it from the effective date is credited at the price
//     before and charged at the amended price — the proration (the one proration rule of
//     bill/proration.hpp, whole months plus days). A net charge goes on one proration invoice;
//     a net credit is a credit note against the invoice that billed the period;
//   - a subscription period not invoiced yet that starts on or after the effective date: the
//     billing system will invoice it at the amended price once the subscription's prices change
//     (`subscription_change`, applied on `apply_on`: after the last invoice of a period that
//     starts before the effective date — that one is billed at the price before and prorated
//     like an invoiced one — and by the first invoice at the amended price);
//   - a period after the agreement's old end (a term extended): a new period, invoiced by
//     Covenant or by the subscription as the plan says.
// Periods that end before the effective date, and periods that are equal, stand. Whatever
// cannot be changed exactly is refused with ChangeNotPlanned and the reason, for a person: a
// change of currency, frequency or start, a shorter term, lines moved on or off the
// subscription or removed, a milestone or one-time fee changed, a credit against an invoice the
// billing system raised. Every sum is checked. Pure but for today's date.
#include "activities/bill/proration.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <map>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kChangeActivity = "bill.plan_change";

struct NotPlanned : std::runtime_error {
  using std::runtime_error::runtime_error;
};

json minor_json(std::int64_t minor, const std::string& currency) {
  return {{"amount_minor", minor}, {"currency", currency}};
}

// The part of `amount`, billed for [start, end), that falls on or after `from`.
std::int64_t part_from(std::int64_t amount, dates::Day start, dates::Day end, dates::Day from,
                       const std::string& what) {
  if (from <= start) return amount;
  if (from >= end) return 0;
  auto whole = bill::months_between(start, end), rest = bill::months_between(from, end);
  if (!whole || !rest) throw BadInput(what + ": the period is longer than 100 years");
  auto r =
      money::scale(amount, rest->units() * whole->per_month(), rest->per_month() * whole->units());
  if (!r) throw BadInput(what + ": the part after the effective date cannot be computed");
  return *r;
}

std::string id_of(const Field& f) {
  const json& v = f.raw();
  if (v.is_object() && v.contains("id") && v["id"].is_string()) return v["id"];
  if (v.is_object() && v.contains("invoice") && v["invoice"].is_object() &&
      v["invoice"].contains("id") && v["invoice"]["id"].is_string())
    return v["invoice"]["id"];
  return "";
}

class Change {
 public:
  Change(const Field& root, dates::Day today) : root_(root) {
    before_ = root.at("before");
    after_ = root.at("after");
    written_ = root.at("written");
    id_ = root.at("contract_id").text();
    effective_ = root.at("effective_date").date();
    as_of_ = root.has("as_of") ? root.at("as_of").date() : today;
  }

  Outcome run() {
    read_plans();
    subscription();
    covenant_invoices();
    return result();
  }

 private:
  void read_plans() {
    Field b = before(), a = after();
    b.object();
    a.object();
    written().object();
    if (id_.empty()) root_.at("contract_id").fail("the amendment's contract id");
    currency_ = b.at("currency").currency();
    if (a.at("currency").currency() != currency_)
      throw NotPlanned("the amended plan is in " + a.at("currency").text() + ", the agreement in " +
                       currency_ + ": a change of currency is a new contract");
    auto bs = b.at("service_start").date(), as = a.at("service_start").date();
    if (bs != as)
      throw NotPlanned("the amended plan starts " + dates::iso(as) + ", the agreement " +
                       dates::iso(bs) + ": an amendment does not move the start");
    start_ = bs;
    end_ = b.at("service_end").date();
    auto aend = a.at("service_end").date();
    if (aend < end_)
      throw NotPlanned("the amended term ends " + dates::iso(aend) + ", before the agreement's " +
                       dates::iso(end_) + ": ending early is a termination, for a person");
    if (effective_ < start_ || effective_ >= end_)
      throw NotPlanned("the amendment takes effect " + dates::iso(effective_) +
                       ", outside the agreement's term " + dates::iso(start_) + " to " +
                       dates::iso(end_));
    Field bf = b.at("frequency"), af = a.at("frequency");
    if (bf.at("interval_months").integer(1, 12) != af.at("interval_months").integer(1, 12) ||
        bf.at("timing").text() != af.at("timing").text())
      throw NotPlanned("the amendment changes how often or when the contract is billed");
    net_days_ = a.at("payment_terms").integer_or("net_days", 30, 0, 3650);
    if (b.raw().value("pending_milestones", json::array()) !=
        a.raw().value("pending_milestones", json::array()))
      throw NotPlanned(
          "the amendment changes milestones still to be reached: a person re-plans them");
  }

  Field before() const { return before_; }
  Field after() const { return after_; }
  Field written() const { return written_; }

  void subscription() {
    const json& bsub = before().raw().value("subscription", json());
    const json& asub = after().raw().value("subscription", json());
    if (bsub.is_null() != asub.is_null())
      throw NotPlanned("the amendment moves lines onto or off the billing system's subscription");
    if (bsub.is_null()) return;
    Field bs = before().at("subscription"), as = after().at("subscription");
    auto bitems = bs.at("items").items(), aitems = as.at("items").items();
    std::map<std::string, std::size_t> at_before;
    for (std::size_t i = 0; i < bitems.size(); ++i) at_before[bitems[i].at("product").text()] = i;
    std::map<std::string, bool> kept;
    bool changed = false;
    json items = json::array();
    auto prices = written().at("prices");
    for (const auto& it : aitems) {
      std::string product = it.at("product").text();
      std::int64_t unit = it.at("unit_amount").at("amount_minor").amount_minor();
      std::int64_t qty = it.at("quantity").integer(1, money::kLargest);
      json item = {
          {"product", product},
          {"name", it.text_or("name", product)},
          {"quantity", qty},
          {"unit_amount", minor_json(unit, currency_)},
          {"interval", it.one_of_or("interval", "month", {"day", "week", "month", "year"})},
          {"interval_count", it.integer_or("interval_count", 1, 1, 36)},
          {"from_price", nullptr},
          {"price_external_id", id_ + "-" + product}};
      auto was = at_before.find(product);
      bool this_changed = true;  // a line added to the subscription
      if (was != at_before.end()) {
        kept[product] = true;
        const Field& b = bitems[was->second];
        this_changed = b.at("unit_amount").at("amount_minor").amount_minor() != unit ||
                       b.at("quantity").integer(1, money::kLargest) != qty;
        auto ps = prices.items();
        if (ps.size() != bitems.size())
          prices.fail("must list the price written for each of the subscription's " +
                      std::to_string(bitems.size()) + " items, in order");
        std::string price = id_of(ps[was->second]);
        if (price.empty()) ps[was->second].fail("needs the price's 'id'");
        item["from_price"] = price;
      }
      item["changed"] = this_changed;
      changed = changed || this_changed;
      items.push_back(item);
    }
    for (const auto& [product, i] : at_before)
      if (!kept.count(product))
        throw NotPlanned("the amendment removes '" + product +
                         "' from the subscription: ending an obligation is for a person");
    auto bp = bs.at("periods").items(), ap = as.at("periods").items();
    if (ap.size() < bp.size())
      throw NotPlanned("the amended subscription has fewer periods than the agreement's");
    // The subscription takes the amended prices from its next invoice once changed, so the
    // change is applied after the last invoice of a period that starts before the amendment
    // takes effect (billed at the price before, and prorated here) and no later than the first
    // invoice of a period that starts on or after it.
    std::optional<dates::Day> last_old_issue, first_new_issue, first_new_start;
    for (std::size_t i = 0; i < bp.size(); ++i) {
      auto s = bp[i].at("start").date(), e = bp[i].at("end").date();
      if (ap[i].at("start").date() != s)
        throw NotPlanned("the amended subscription's periods do not line up with the agreement's");
      auto ae = ap[i].at("end").date();
      auto issue = bp[i].at("issue_date").date();
      std::int64_t B = bp[i].at("amount").at("amount_minor").amount_minor();
      std::int64_t A = ap[i].at("amount").at("amount_minor").amount_minor();
      bool billed = issue <= as_of_;
      if (s < effective_ && !billed)
        last_old_issue = std::max(last_old_issue.value_or(issue), issue);
      if (s >= effective_ && !billed && !first_new_issue) {
        first_new_issue = issue;
        first_new_start = s;
      }
      if (A == B && ae == e) {
        ++unchanged_;
        continue;
      }
      if (e <= effective_) {  // the amended plan differs here only as priced over the whole term
        ++before_effective_;
        continue;
      }
      if (billed || s < effective_) {  // invoiced, or to be, at the price before
        adjust("subscription", s, std::max(e, ae), B, A, e, ae, "");
        continue;
      }
      json adj = {{"source", "subscription"},
                  {"status", "repriced"},
                  {"period", {{"start", dates::iso(s)}, {"end", dates::iso(ae)}}},
                  {"before", minor_json(B, currency_)},
                  {"after", minor_json(A, currency_)},
                  {"net", minor_json(A - B, currency_)}};
      adjustments_.push_back(adj);
      total_ = checked_add(total_, A - B, "the change's total");
      subscription_total_ = checked_add(subscription_total_, A - B, "the subscription's change");
    }
    for (std::size_t i = bp.size(); i < ap.size(); ++i) {
      std::int64_t A = ap[i].at("amount").at("amount_minor").amount_minor();
      auto issue = ap[i].at("issue_date").date();
      new_periods_.push_back({{"start", ap[i].at("start").text()},
                              {"end", ap[i].at("end").text()},
                              {"issue_date", dates::iso(issue)},
                              {"amount", minor_json(A, currency_)},
                              {"billed_by", "subscription"}});
      if (!first_new_issue) {
        first_new_issue = issue;
        first_new_start = ap[i].at("start").date();
      }
      total_ = checked_add(total_, A, "the change's total");
      subscription_total_ = checked_add(subscription_total_, A, "the subscription's change");
    }
    if (changed) {
      std::string sub = written().at("subscription").text_or("id", "");
      if (sub.empty()) written().at("subscription").fail("needs the subscription's 'id'");
      dates::Day apply = as_of_;
      if (last_old_issue) apply = std::max(apply, *last_old_issue + std::chrono::days{1});
      if (first_new_issue && apply > *first_new_issue)
        throw NotPlanned("the subscription would have to change after " +
                         dates::iso(*last_old_issue) + " and by " + dates::iso(*first_new_issue) +
                         ": its periods are too short to change between them");
      subscription_change_ = {{"subscription", sub},
                              {"from", dates::iso(first_new_start.value_or(end_))},
                              {"apply_on", dates::iso(apply)},
                              {"apply_at", dates::iso(apply) + "T00:00:00Z"},
                              {"items", items}};
    }
  }

  void covenant_invoices() {
    auto bi = before().at("invoices").items(), ai = after().at("invoices").items();
    if (ai.size() < bi.size())
      throw NotPlanned("the amended plan has fewer invoices than the agreement's");
    std::vector<Field> winv;
    if (!bi.empty()) winv = written().at("invoices").items();
    for (std::size_t i = 0; i < bi.size(); ++i) {
      const Field &b = bi[i], &a = ai[i];
      if (b.at("issue_date").text() != a.at("issue_date").text())
        throw NotPlanned("the amended plan invoices " + a.at("id").text() + " on " +
                         a.at("issue_date").text() + ", the agreement on " +
                         b.at("issue_date").text());
      std::int64_t B = b.at("total").at("amount_minor").amount_minor();
      std::int64_t A = a.at("total").at("amount_minor").amount_minor();
      if (A == B) {
        ++unchanged_;
        continue;
      }
      if (!b.has("period") || !a.has("period"))
        throw NotPlanned("the amendment changes invoice " + b.at("id").text() + " (" +
                         b.at("reason").text() + "), which bills no period: a person re-plans it");
      auto s = b.at("period").at("start").date(), e = b.at("period").at("end").date();
      auto ae = a.at("period").at("end").date();
      if (a.at("period").at("start").date() != s ||
          a.at("period").at("product").text() != b.at("period").at("product").text())
        throw NotPlanned("the amended plan's invoice " + a.at("id").text() +
                         " bills another period or line than the agreement's");
      if (e <= effective_ && ae == e) {
        ++before_effective_;
        continue;
      }
      if (winv.size() != bi.size())
        written()
            .at("invoices")
            .fail("must list the invoice written for each of the plan's " +
                  std::to_string(bi.size()) + " invoices, in order");
      std::string billed = id_of(winv[i]);
      if (billed.empty()) winv[i].fail("needs the written invoice's 'id'");
      adjust("covenant", s, std::max(e, ae), B, A, e, ae, billed, b.at("id").text(),
             b.at("period").at("line").text());
    }
    for (std::size_t i = bi.size(); i < ai.size(); ++i) {
      json inv = ai[i].raw();
      if (!inv.is_object()) ai[i].object();
      json period =
          inv.contains("period") && inv["period"].is_object() ? inv["period"] : json::object();
      inv["id"] = id_ + "-INV-" + std::to_string(period_invoices_.size() + 1);
      inv["reason"] = "new period (" + id_ + ")";
      std::int64_t A = ai[i].at("total").at("amount_minor").amount_minor();
      new_periods_.push_back({{"start", period.contains("start") ? period["start"] : json()},
                              {"end", period.contains("end") ? period["end"] : json()},
                              {"issue_date", dates::iso(ai[i].at("issue_date").date())},
                              {"amount", minor_json(A, currency_)},
                              {"billed_by", "covenant"},
                              {"invoice", inv["id"]}});
      total_ = checked_add(total_, A, "the change's total");
      invoiced_ = checked_add(invoiced_, A, "the invoices to write");
      period_invoices_.push_back(inv);
    }
  }

  // A period already invoiced at `before` for [start, old_end): from the effective date it is
  // credited at that price and charged at `after` (for [start, new_end)).
  void adjust(const char* source, dates::Day start, dates::Day shown_end, std::int64_t before,
              std::int64_t after, dates::Day old_end, dates::Day new_end,
              const std::string& billed_invoice, const std::string& plan_invoice = "",
              const std::string& line = "") {
    std::string where = std::string(source) + " period " + dates::iso(start);
    std::int64_t credit = part_from(before, start, old_end, effective_, where);
    std::int64_t charge = part_from(after, start, new_end, effective_, where);
    std::int64_t net = charge - credit;  // both ≥ 0: no overflow
    auto from = std::max(start, effective_);
    std::string what = (line.empty() ? std::string("Subscription") : line) + " " +
                       dates::iso(from) + " to " + dates::iso(shown_end - std::chrono::days{1});
    json adj = {{"source", source},
                {"status", "prorated"},
                {"period", {{"start", dates::iso(start)}, {"end", dates::iso(shown_end)}}},
                {"from", dates::iso(from)},
                {"before", minor_json(before, currency_)},
                {"after", minor_json(after, currency_)},
                {"credit", minor_json(credit, currency_)},
                {"charge", minor_json(charge, currency_)},
                {"net", minor_json(net, currency_)}};
    if (!plan_invoice.empty()) adj["plan_invoice"] = plan_invoice;
    if (!billed_invoice.empty()) adj["billed_invoice"] = billed_invoice;
    adjustments_.push_back(adj);
    total_ = checked_add(total_, net, "the change's total");
    if (net > 0) {
      proration_items_.push_back(
          {{"description", what + " at the amended price (" + money::format(charge, currency_) +
                               ") less the price billed (" + money::format(credit, currency_) +
                               ")"},
           {"amount", minor_json(net, currency_)}});
      invoiced_ = checked_add(invoiced_, net, "the invoices to write");
    } else if (net < 0) {
      if (billed_invoice.empty())
        throw NotPlanned("the amendment credits " + money::format(-net, currency_) + " of " + what +
                         ", invoiced by the billing system: issue that credit there");
      credit_notes_.push_back({{"invoice", billed_invoice},
                               {"plan_invoice", plan_invoice},
                               {"amount", -net},
                               {"currency", currency_},
                               {"reason", "order_change"},
                               {"description", what + " at the amended price"}});
      credited_ = checked_add(credited_, -net, "the credit notes to write");
    }
  }

  Outcome result() {
    json proration = nullptr;
    if (!proration_items_.empty()) {
      std::int64_t sum = 0;
      for (const auto& it : proration_items_)
        sum = checked_add(sum, it["amount"]["amount_minor"].get<std::int64_t>(), "the proration");
      auto issue = std::max(as_of_, effective_);
      proration = {{"id", id_ + "-INV-P"},
                   {"issue_date", dates::iso(issue)},
                   {"due_date", dates::iso(issue + std::chrono::days{net_days_})},
                   {"currency", currency_},
                   {"items", proration_items_},
                   {"total", minor_json(sum, currency_)},
                   {"reason", "amendment proration (" + id_ + ")"}};
    }
    json invoices = period_invoices_;
    if (!proration.is_null()) invoices.push_back(proration);
    bool changed =
        !adjustments_.empty() || !new_periods_.empty() || !subscription_change_.is_null();
    // What the contract now brings in: the plan before, and the change.
    // After an earlier amendment the plan in force prices the whole term at the amended prices;
    // what the contract brings in is then given (`consideration_before`).
    std::int64_t total_before = before().at("total").at("amount_minor").amount_minor();
    if (root_.has("consideration_before")) {
      Field c = root_.at("consideration_before");
      c.object();
      if (c.at("currency").currency() != currency_)
        c.at("currency").fail("must be the plan's currency, " + currency_);
      total_before = c.at("amount_minor").amount_minor();
    }
    std::int64_t total_after = checked_add(total_before, total_, "the amended contract's total");
    if (total_after < 0) throw NotPlanned("the change credits more than the contract billed");
    return ok({{"contract_id", id_},
               {"agreement", before().text_or("contract_id", "")},
               {"effective_date", dates::iso(effective_)},
               {"as_of", dates::iso(as_of_)},
               {"currency", currency_},
               {"changed", changed},
               {"adjustments", adjustments_},
               {"new_periods", new_periods_},
               {"proration_invoice", proration},
               {"period_invoices", period_invoices_},
               {"invoices", invoices},
               {"credit_notes", credit_notes_},
               {"subscription_change", subscription_change_},
               {"unchanged", unchanged_},
               {"before_effective", before_effective_},
               {"writes",
                {{"invoiced", minor_json(invoiced_, currency_)},
                 {"credited", minor_json(credited_, currency_)},
                 {"subscription", minor_json(subscription_total_, currency_)}}},
               {"total_before", minor_json(total_before, currency_)},  // the consideration
               {"total_after", minor_json(total_after, currency_)},
               {"total_change", minor_json(total_, currency_)}});
  }

  Field root_;
  Field before_{json_null(), "before"}, after_{json_null(), "after"},
      written_{json_null(), "written"};
  std::string id_, currency_;
  dates::Day effective_{}, as_of_{}, start_{}, end_{};
  std::int64_t net_days_ = 30;
  json adjustments_ = json::array(), new_periods_ = json::array(), proration_items_ = json::array(),
       period_invoices_ = json::array(), credit_notes_ = json::array(),
       subscription_change_ = nullptr;
  std::int64_t unchanged_ = 0, before_effective_ = 0, total_ = 0, invoiced_ = 0, credited_ = 0,
               subscription_total_ = 0;

  static const json& json_null() {
    static const json n;
    return n;
  }
};

}  // namespace

Outcome bill_plan_change(const Systems& s, const json& in) {
  return refuse_bad_input(kChangeActivity, [&]() -> Outcome {
    Field root(in, "");
    root.object();
    dates::Day today{std::chrono::days{s.today ? s.today() : 0}};
    if (!root.has("as_of") && !s.today) root.at("as_of").fail("is needed: no date is known");
    try {
      return Change(root, today).run();
    } catch (const NotPlanned& e) {
      return error("ChangeNotPlanned", std::string(kChangeActivity) + ": " + e.what());
    }
  });
}

}  // namespace covenant::activities
