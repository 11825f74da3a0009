// revenue.modify: an amendment's effect on the revenue schedule, as ASC 606 treats a contract
// modification (606-10-25-10 to 13). Given the schedule before, the schedule the amended
// contract would have over its whole term, and the date the amendment takes effect:
//   separate_contract — it adds distinct goods or services priced at their standalone selling
//     prices: the original schedule stands and the added obligations are a contract of their own;
//   prospective — the remaining goods or services are distinct from those already transferred
//     (a subscription's months are): what was recognised stands, and the consideration not yet
//     recognised (the amended price less what was recognised) is spread over what remains, in
//     the amended schedule's proportions;
//   cumulative_catch_up — they are not (one partly satisfied obligation): the amended schedule
//     applies from the start, and the difference it makes to what was already recognised is
//     recognised at once, in the effective month.
// Months before the effective date's month are recognised; the effective month is split by
// calendar day when the date is not its first. Every split is largest-remainder, every sum
// checked, and the new schedule adds up to its transaction price exactly. Pure.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <map>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kModifyActivity = "revenue.modify";

struct Entry {
  std::string period, obligation;
  std::int64_t amount = 0;
};

std::vector<Entry> entries_of(const Field& schedule) {
  std::vector<Entry> out;
  for (const auto& e : schedule.at("periods").items()) {
    e.object();
    out.push_back(
        {e.at("period").text(), e.at("obligation").text(), e.at("amount_minor").amount_minor()});
  }
  return out;
}

// "2027-05" for a calendar month; anything else ("on acceptance") is not yet recognised.
bool is_month(const std::string& p) {
  return p.size() == 7 && p[4] == '-' && dates::parse(p + "-01").has_value();
}

std::int64_t sum(const std::vector<Entry>& v, const std::string& what) {
  std::int64_t s = 0;
  for (const auto& e : v) s = checked_add(s, e.amount, what);
  return s;
}

json money_of(std::int64_t minor, const std::string& currency) {
  return {{"amount_minor", minor}, {"currency", currency}};
}

Outcome modify(const json& in) {
  Field root(in, "");
  root.object();
  Field before_f = root.at("before"), after_f = root.at("after");
  before_f.object();
  after_f.object();
  std::string currency = before_f.at("currency").currency();
  if (after_f.at("currency").currency() != currency)
    after_f.at("currency")
        .fail("the amended schedule is in another currency (" + after_f.at("currency").text() +
              " against " + currency + "): no conversion is made");
  dates::Day effective = root.at("effective_date").date();
  Field m = root.at("modification");
  m.object();
  bool adds_distinct = m.has("adds_distinct_goods") && m.at("adds_distinct_goods").raw() == true;
  bool at_ssp = m.has("priced_at_standalone") && m.at("priced_at_standalone").raw() == true;
  bool remaining_distinct =
      !m.has("remaining_distinct") || m.at("remaining_distinct").raw() == true;
  std::vector<Entry> before = entries_of(before_f), after = entries_of(after_f);
  // The amended contract's consideration, when it is not the amended schedule's total (an
  // amendment effective mid-term: the price before it until then, the amended price after —
  // bill.plan_change's total_after): the amended schedule is spread over it in its proportions.
  if (root.has("transaction_price")) {
    Field tp = root.at("transaction_price");
    tp.object();
    if (tp.at("currency").currency() != currency)
      tp.at("currency").fail("must be the schedule's currency, " + currency);
    std::int64_t price = tp.at("amount_minor").amount_minor();
    std::vector<money::Wide> weights;
    for (const auto& e : after) weights.push_back(e.amount);
    auto parts = money::allocate(price, weights);
    if (!parts) after_f.fail("has nothing to spread the transaction price over");
    for (std::size_t i = 0; i < after.size(); ++i) after[i].amount = (*parts)[i];
  }
  std::int64_t price_before = sum(before, "the schedule before");
  std::int64_t price_after = sum(after, "the amended schedule");
  std::string month = dates::iso(effective).substr(0, 7);
  auto ymd = std::chrono::year_month_day{effective};
  long days_in_month = dates::days_between(
      dates::Day{std::chrono::year_month_day{ymd.year(), ymd.month(), std::chrono::day{1}}},
      dates::add_months(
          dates::Day{std::chrono::year_month_day{ymd.year(), ymd.month(), std::chrono::day{1}}},
          1));
  long days_past = static_cast<long>(static_cast<unsigned>(ymd.day())) - 1;
  // An entry's part recognised before the effective date: all of an earlier month, the days
  // before it of the effective month, none of a later month or a pending event.
  auto past_part = [&](const Entry& e) -> std::int64_t {
    if (!is_month(e.period) || e.period > month) return 0;
    if (e.period < month) return e.amount;
    auto v = money::scale(e.amount, days_past, days_in_month);
    if (!v) root.fail("an amount does not fit in 64-bit minor units");
    return *v;
  };
  std::string kind, reason;
  std::vector<Entry> result;
  std::int64_t catch_up = 0, recognised = 0;
  for (const auto& e : before) recognised = checked_add(recognised, past_part(e), "recognised");
  if (adds_distinct && at_ssp) {
    kind = "separate_contract";
    reason = "it adds distinct goods or services at their standalone selling prices";
    std::map<std::string, bool> known;
    for (const auto& e : before) known[e.obligation] = true;
    result = before;
    for (const auto& e : after)
      if (!known.count(e.obligation)) result.push_back(e);
  } else if (remaining_distinct) {
    kind = "prospective";
    reason = "what remains is distinct from what was transferred before the modification";
    std::vector<Entry> remaining;
    std::vector<money::Wide> weights;
    for (const auto& e : after) {
      std::int64_t left = e.amount - past_part(e);
      if (left > 0) {
        remaining.push_back({e.period, e.obligation, left});
        weights.push_back(left);
      }
    }
    if (price_after < recognised)
      root.at("after").fail("the amended price (" + money::format(price_after, currency) +
                            ") is less than what was already recognised (" +
                            money::format(recognised, currency) +
                            "): a person decides how to treat it");
    std::int64_t to_spread = price_after - recognised;
    if (to_spread > 0 && remaining.empty())
      root.at("after").fail("nothing of the amended schedule remains to recognise " +
                            money::format(to_spread, currency) + " over");
    for (const auto& e : before)
      if (std::int64_t p = past_part(e); p > 0) result.push_back({e.period, e.obligation, p});
    if (to_spread > 0) {
      auto parts = money::allocate(to_spread, weights);
      if (!parts) root.fail("the remaining consideration cannot be spread");
      for (std::size_t i = 0; i < remaining.size(); ++i)
        if ((*parts)[i] > 0)
          result.push_back({remaining[i].period, remaining[i].obligation, (*parts)[i]});
    }
  } else {
    kind = "cumulative_catch_up";
    reason = "what remains is not distinct: one performance obligation, partly satisfied";
    std::map<std::string, std::int64_t> past_before, past_after;
    for (const auto& e : before)
      past_before[e.obligation] =
          checked_add(past_before[e.obligation], past_part(e), "recognised");
    for (const auto& e : before)
      if (std::int64_t p = past_part(e); p > 0) result.push_back({e.period, e.obligation, p});
    for (const auto& e : after) {
      std::int64_t p = past_part(e);
      past_after[e.obligation] = checked_add(past_after[e.obligation], p, "recognised");
      if (e.amount - p > 0) result.push_back({e.period, e.obligation, e.amount - p});
    }
    std::map<std::string, std::int64_t> adjust;
    for (const auto& [ob, v] : past_after) adjust[ob] = v - past_before[ob];
    for (const auto& [ob, v] : past_before)
      if (!past_after.count(ob)) adjust[ob] = -v;
    for (const auto& [ob, v] : adjust)
      if (v != 0) {
        result.push_back({month, ob + " (catch-up)", v});
        catch_up += v;
      }
  }
  // The new schedule by (obligation, period), and what changed against the old one.
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> by;
  for (const auto& e : before) by[{e.obligation, e.period}].first += e.amount;
  std::int64_t total = 0;
  json periods = json::array();
  for (const auto& e : result) {
    by[{e.obligation, e.period}].second += e.amount;
    total = checked_add(total, e.amount, "the modified schedule");
    periods.push_back(
        {{"period", e.period}, {"obligation", e.obligation}, {"amount_minor", e.amount}});
  }
  json changes = json::array();
  for (const auto& [key, v] : by)
    if (v.first != v.second)
      changes.push_back({{"obligation", key.first},
                         {"period", key.second},
                         {"before", v.first},
                         {"after", v.second},
                         {"delta", v.second - v.first}});
  // The amended price; for a separate contract, the original's and the added obligations'.
  std::int64_t expected = price_after;
  if (kind == "separate_contract") {
    expected = price_before;
    for (std::size_t i = before.size(); i < result.size(); ++i)
      expected = checked_add(expected, result[i].amount, "the two contracts' total");
  }
  if (total != expected)  // a defect, never an input: the splits above are exact
    return error("Internal", std::string(kModifyActivity) + ": the modified schedule sums to " +
                                 std::to_string(total) + ", not " + std::to_string(expected));
  return ok({{"classification", kind},
             {"reason", reason},
             {"effective_date", dates::iso(effective)},
             {"currency", currency},
             {"transaction_price_before", money_of(price_before, currency)},
             {"transaction_price_after", money_of(total, currency)},
             {"recognised_before_effective", money_of(recognised, currency)},
             {"catch_up", money_of(catch_up, currency)},
             {"periods", periods},
             {"changes", changes}});
}

}  // namespace

Outcome revenue_modify(const json& in) {
  return refuse_bad_input(kModifyActivity, [&] { return modify(in); });
}

}  // namespace covenant::activities
