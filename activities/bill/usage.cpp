// bill.rate_usage: a period's metered usage rated against the contract's price tiers —
// graduated (each tier's units at its own price) or volume (every unit at the price of the
// tier the total falls in), with per-tier flat fees — then held to the minimum commitment: a
// period that used less is trued up to it. The result is the invoice to approve and write, and
// the spend against the commitment (under- or over-consumption, the discount the tiers earned).
// Prices are integer minor units per `per_units` units (USD 0.15 per 1,000 calls: 15 per 1000);
// each tier's line is rounded to the minor unit once, halves up, and every sum is checked.
// Usage past a bounded last tier is refused: no price was agreed for it. Pure.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <algorithm>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kRateActivity = "bill.rate_usage";

struct UsageTier {
  std::optional<std::int64_t> up_to;  // nullopt: no upper bound (the last tier only)
  std::int64_t unit_amount = 0, flat_amount = 0;
};

json usage_money(std::int64_t minor, const std::string& currency) {
  return {{"amount_minor", minor}, {"currency", currency}};
}

Outcome rate_usage_period(const json& in) {
  Field root(in, "");
  root.object();
  std::string contract = root.text_or("contract_id", "");
  Field period = root.at("period");
  period.object();
  dates::Day from = period.at("start").date(), to = period.at("end").date();
  if (to <= from) period.at("end").fail("the period ends after it starts");
  std::int64_t quantity = root.at("quantity").integer(0, money::kLargest);
  Field pricing = root.at("pricing");
  pricing.object();
  std::string currency = pricing.at("currency").currency();
  std::string metric = pricing.text_or("metric", "units");
  std::string model = pricing.one_of_or("model", "graduated", {"graduated", "volume"});
  std::int64_t per_units = pricing.integer_or("per_units", 1, 1, 1'000'000'000);
  std::int64_t commitment = 0;
  if (pricing.has("minimum_commitment_minor"))
    commitment = pricing.at("minimum_commitment_minor").amount_minor();
  std::vector<UsageTier> tiers;
  auto items = pricing.at("tiers").items();
  if (items.empty() || items.size() > 50) pricing.at("tiers").fail("1 to 50 tiers");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Field& f = items[i];
    f.object();
    UsageTier t;
    if (f.has("up_to")) {
      t.up_to = f.at("up_to").integer(1, money::kLargest);
      if (!tiers.empty() && tiers.back().up_to && *t.up_to <= *tiers.back().up_to)
        f.at("up_to").fail("tiers go up: more than the tier before's " +
                           std::to_string(*tiers.back().up_to));
    } else if (i + 1 != items.size()) {
      f.fail("only the last tier may have no up_to");
    }
    t.unit_amount = f.at("unit_amount_minor").amount_minor();
    if (f.has("flat_amount_minor")) t.flat_amount = f.at("flat_amount_minor").amount_minor();
    tiers.push_back(t);
  }
  if (tiers.back().up_to && quantity > *tiers.back().up_to)
    root.at("quantity")
        .fail(std::to_string(quantity) + " " + metric + " is past the last tier (up to " +
              std::to_string(*tiers.back().up_to) + "): no price was agreed for the rest");
  auto priced = [&](std::int64_t unit, std::int64_t units, const std::string& what) {
    auto v = money::scale(unit, units, per_units);
    if (!v) root.fail(what + " does not fit in 64-bit minor units");
    return *v;
  };
  json lines = json::array();
  std::int64_t usage = 0, at_units = 0, top_unit = 0;
  std::int64_t below = 0;  // the previous tier's bound
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const UsageTier& t = tiers[i];
    top_unit = std::max(top_unit, t.unit_amount);
    std::int64_t upper = t.up_to.value_or(money::kLargest);
    std::int64_t units = 0;
    if (model == "graduated") {
      units = quantity > below ? std::min(quantity, upper) - below : 0;
    } else if (quantity > below && quantity <= upper) {
      units = quantity;  // volume: the tier the total falls in prices all of it
    }
    std::string name = "tier " + std::to_string(i + 1);
    if (units > 0) {
      std::int64_t part = priced(t.unit_amount, units, name);
      std::int64_t flat = t.flat_amount;
      std::int64_t amount = checked_add(part, flat, name);
      usage = checked_add(usage, amount, "the usage charge");
      at_units = checked_add(at_units, part, "the usage charge");
      lines.push_back({{"tier", i + 1},
                       {"from", below + 1},
                       {"to", t.up_to ? json(*t.up_to) : json()},
                       {"quantity", units},
                       {"unit_amount_minor", t.unit_amount},
                       {"per_units", per_units},
                       {"flat", usage_money(flat, currency)},
                       {"amount", usage_money(amount, currency)}});
    }
    below = upper;
    if (upper >= quantity && model == "graduated") break;
  }
  std::int64_t true_up = commitment > usage ? commitment - usage : 0;
  std::int64_t total = checked_add(usage, true_up, "the period's total");
  std::int64_t list = priced(top_unit, quantity, "the usage at the top rate");
  json variance = {
      {"commitment_used_bp",
       commitment > 0
           ? json(*money::scale(std::min(usage, money::kLargest / 10'000), 10'000, commitment))
           : json()},
      {"under_consumed", usage_money(true_up, currency)},
      {"over_consumed", usage_money(usage > commitment ? usage - commitment : 0, currency)},
      {"discount_earned", usage_money(list > at_units ? list - at_units : 0, currency)}};
  std::string span = dates::iso(from) + " to " + dates::iso(to);
  json invoice_items = json::array();
  if (usage > 0)
    invoice_items.push_back({{"description", std::to_string(quantity) + " " + metric + ", " + span},
                             {"amount", usage_money(usage, currency)}});
  if (true_up > 0)
    invoice_items.push_back({{"description", "Minimum commitment true-up, " + span},
                             {"amount", usage_money(true_up, currency)}});
  return ok({{"contract_id", contract},
             {"metric", metric},
             {"period", {{"start", dates::iso(from)}, {"end", dates::iso(to)}}},
             {"quantity", quantity},
             {"model", model},
             {"currency", currency},
             {"lines", lines},
             {"usage_amount", usage_money(usage, currency)},
             {"commitment", commitment > 0 ? usage_money(commitment, currency) : json()},
             {"true_up", usage_money(true_up, currency)},
             {"total", usage_money(total, currency)},
             {"variance", variance},
             {"invoice", {{"items", invoice_items}, {"total", usage_money(total, currency)}}}});
}

}  // namespace

Outcome usage_total(const Systems& s, const json& in) {
  constexpr const char* activity = "usage.total";
  return refuse_bad_input(activity, [&]() -> Outcome {
    Field root(in, "");
    root.object();
    std::string contract = root.at("contract_id").text(), metric = root.at("metric").text();
    if (contract.empty()) root.at("contract_id").fail("a contract id");
    if (metric.empty()) root.at("metric").fail("a metric");
    Field period = root.at("period");
    period.object();
    dates::Day from = period.at("start").date(), to = period.at("end").date();
    if (to <= from) period.at("end").fail("the period ends after it starts");
    if (!s.usage) return error("NotConfigured", std::string(activity) + ": no usage ledger");
    auto t = s.usage->total(s.ns, contract, metric, from.time_since_epoch().count(),
                            to.time_since_epoch().count());
    if (!t)
      return error(t.error().retryable ? "Unavailable" : "Invalid",
                   std::string(activity) + ": " + t.error().message, t.error().retryable);
    return ok({{"contract_id", contract},
               {"metric", metric},
               {"period", {{"start", dates::iso(from)}, {"end", dates::iso(to)}}},
               {"quantity", t->quantity},
               {"records", t->records}});
  });
}

Outcome bill_rate_usage(const json& in) {
  return refuse_bad_input(kRateActivity, [&] { return rate_usage_period(in); });
}

}  // namespace covenant::activities
