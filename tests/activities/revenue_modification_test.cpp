// revenue.modify: an amendment raising a subscription's price mid-term, under each of ASC 606's
// three treatments of a contract modification, worked by hand; the new schedule always adds up
// to its price exactly, and what would need a judgement is refused.
#include "activities/own.hpp"

#include <catch2/catch.hpp>

using covenant::activities::revenue_modify;
using nlohmann::json;

namespace {

// A schedule with one obligation's monthly amounts for 2027-01 … 2027-12.
json schedule(const std::vector<std::int64_t>& months,
              const std::string& obligation = "Subscription", const char* currency = "USD") {
  json periods = json::array();
  for (std::size_t i = 0; i < months.size(); ++i) {
    std::string p = std::string("2027-") + (i < 9 ? "0" : "") + std::to_string(i + 1);
    periods.push_back({{"period", p}, {"obligation", obligation}, {"amount_minor", months[i]}});
  }
  return {{"currency", currency}, {"periods", periods}};
}

json run(const json& before, const json& after, const std::string& effective, const json& m) {
  auto o = revenue_modify(
      {{"before", before}, {"after", after}, {"effective_date", effective}, {"modification", m}});
  INFO(o.message);
  REQUIRE(o.ok);
  return o.result;
}

std::int64_t at(const json& r, const std::string& period, const std::string& obligation) {
  std::int64_t s = 0;
  for (const auto& e : r["periods"])
    if (e["period"] == period && e["obligation"] == obligation)
      s += e["amount_minor"].get<std::int64_t>();
  return s;
}

std::int64_t total(const json& r) {
  std::int64_t s = 0;
  for (const auto& e : r["periods"]) s += e["amount_minor"].get<std::int64_t>();
  return s;
}

const std::vector<std::int64_t> kFlat(12, 100000);  // USD 1,000.00 a month

}  // namespace

TEST_CASE("A mid-term price rise is prospective: what remains absorbs the new price") {
  std::vector<std::int64_t> raised = kFlat;
  for (int i = 6; i < 12; ++i) raised[i] = 120000;  // +20% from July
  json r = run(schedule(kFlat), schedule(raised), "2027-07-01", json::object());
  CHECK(r["classification"] == "prospective");
  CHECK(r["recognised_before_effective"]["amount_minor"] == 600000);
  CHECK(r["transaction_price_after"]["amount_minor"] == 1320000);
  CHECK(total(r) == 1320000);
  CHECK(at(r, "2027-06", "Subscription") == 100000);  // recognised stays as it was
  CHECK(at(r, "2027-07", "Subscription") == 120000);
  CHECK(r["changes"].size() == 6);  // July to December, +200.00 each
  CHECK(r["changes"][0]["delta"] == 20000);
  CHECK(r["catch_up"]["amount_minor"] == 0);

  // Effective on the 16th: July's first 15 days were recognised at the old price.
  std::vector<std::int64_t> blended = raised;
  blended[6] = 110000;
  json mid = run(schedule(kFlat), schedule(blended), "2027-07-16", json::object());
  CHECK(mid["recognised_before_effective"]["amount_minor"] == 600000 + 48387);  // 100000 × 15/31
  CHECK(total(mid) == 1310000);  // exactly the amended price
  CHECK(at(mid, "2027-07", "Subscription") > 48387);
}

TEST_CASE("Without distinct remaining goods, the change is caught up at once") {
  std::vector<std::int64_t> raised(12, 110000);
  json r = run(schedule(kFlat), schedule(raised), "2027-07-01", {{"remaining_distinct", false}});
  CHECK(r["classification"] == "cumulative_catch_up");
  CHECK(r["catch_up"]["amount_minor"] == 60000);  // six months at +100.00, recognised in July
  CHECK(at(r, "2027-07", "Subscription (catch-up)") == 60000);
  CHECK(at(r, "2027-07", "Subscription") == 110000);
  CHECK(at(r, "2027-03", "Subscription") == 100000);  // the past is not rewritten
  CHECK(total(r) == 1320000);
}

TEST_CASE("Distinct goods at their standalone price are a separate contract") {
  json after = schedule(kFlat);
  for (int i = 7; i <= 12; ++i) {
    std::string p = std::string("2027-") + (i < 10 ? "0" : "") + std::to_string(i);
    after["periods"].push_back(
        {{"period", p}, {"obligation", "Premium support"}, {"amount_minor", 5000}});
  }
  json r = run(schedule(kFlat), after, "2027-07-01",
               {{"adds_distinct_goods", true}, {"priced_at_standalone", true}});
  CHECK(r["classification"] == "separate_contract");
  CHECK(total(r) == 1200000 + 30000);
  CHECK(at(r, "2027-09", "Subscription") == 100000);  // the original stands
  CHECK(at(r, "2027-09", "Premium support") == 5000);
  // The same goods at a discount are not a separate contract: the price is reallocated.
  json d = run(schedule(kFlat), after, "2027-07-01",
               {{"adds_distinct_goods", true}, {"priced_at_standalone", false}});
  CHECK(d["classification"] == "prospective");
}

TEST_CASE("A modification that needs a judgement is refused") {
  auto refused = [](const json& before, const json& after, const std::string& effective) {
    auto o = revenue_modify({{"before", before},
                             {"after", after},
                             {"effective_date", effective},
                             {"modification", json::object()}});
    REQUIRE_FALSE(o.ok);
    CHECK(o.code == "InvalidInput");
    return o.message;
  };
  CHECK(refused(schedule(kFlat), schedule(kFlat, "Subscription", "EUR"), "2027-07-01")
            .find("another currency") != std::string::npos);
  // Cut below what was already recognised.
  CHECK(refused(schedule(kFlat), schedule(std::vector<std::int64_t>(12, 10000)), "2027-09-01")
            .find("less than what was already recognised") != std::string::npos);
  CHECK(refused(schedule(kFlat), schedule(kFlat), "mid-July").find("effective_date") !=
        std::string::npos);
}
