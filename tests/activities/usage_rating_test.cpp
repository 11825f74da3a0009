// bill.rate_usage: usage rated by graduated and volume tiers, flat fees, the minimum commitment's
// true-up, and the variance against the commitment — worked by hand — and inputs that would
// need a guess (usage past the last tier, tiers out of order, amounts past 64 bits) refused.
#include "activities/own.hpp"

#include <catch2/catch.hpp>

using covenant::activities::bill_rate_usage;
using nlohmann::json;

namespace {

// API calls: the first 100,000 included, then USD 2.00 per 1,000 up to 1,000,000, then
// USD 1.50 per 1,000; at least USD 1,000.00 a month.
json pricing(const char* model = "graduated") {
  return {{"currency", "USD"},
          {"metric", "API calls"},
          {"model", model},
          {"per_units", 1000},
          {"tiers", json::array({{{"up_to", 100000}, {"unit_amount_minor", 0}},
                                 {{"up_to", 1000000}, {"unit_amount_minor", 200}},
                                 {{"unit_amount_minor", 150}}})},
          {"minimum_commitment_minor", 100000}};
}

json rate(std::int64_t quantity, json p = pricing()) {
  auto o = bill_rate_usage({{"contract_id", "C-7"},
                            {"period", {{"start", "2027-03-01"}, {"end", "2027-04-01"}}},
                            {"quantity", quantity},
                            {"pricing", p}});
  INFO(o.message);
  REQUIRE(o.ok);
  return o.result;
}

std::string refused(const json& p, std::int64_t quantity = 10) {
  auto o = bill_rate_usage({{"period", {{"start", "2027-03-01"}, {"end", "2027-04-01"}}},
                            {"quantity", quantity},
                            {"pricing", p}});
  REQUIRE_FALSE(o.ok);
  CHECK(o.code == "InvalidInput");
  return o.message;
}

std::int64_t minor(const json& m) { return m["amount_minor"].get<std::int64_t>(); }

}  // namespace

TEST_CASE("Graduated tiers price each tier's units at its own rate, trued up to the commitment") {
  // 1,234,567 calls: 100,000 free; 900,000 at 2.00/1000 = 1,800.00; 234,567 at 1.50/1000 =
  // 351.8505 → 351.85.
  json r = rate(1234567);
  REQUIRE(r["lines"].size() == 3);
  CHECK(r["lines"][0]["quantity"] == 100000);
  CHECK(minor(r["lines"][1]["amount"]) == 180000);
  CHECK(r["lines"][2]["quantity"] == 234567);
  CHECK(minor(r["lines"][2]["amount"]) == 35185);
  CHECK(minor(r["usage_amount"]) == 215185);
  CHECK(minor(r["true_up"]) == 0);
  CHECK(minor(r["total"]) == 215185);
  CHECK(minor(r["variance"]["over_consumed"]) == 115185);
  CHECK(r["variance"]["commitment_used_bp"] == 21519);  // 215.19%
  // At the top rate (2.00/1000) all of it would be 2,469.13; the tiers earned 317.28 off.
  CHECK(minor(r["variance"]["discount_earned"]) == 246913 - 215185);
  CHECK(r["invoice"]["items"].size() == 1);
  CHECK(minor(r["invoice"]["total"]) == 215185);

  // A quiet month: 300,000 calls = 400.00 of usage, trued up by 600.00 to the 1,000.00 commitment.
  json quiet = rate(300000);
  CHECK(minor(quiet["usage_amount"]) == 40000);
  CHECK(minor(quiet["true_up"]) == 60000);
  CHECK(minor(quiet["total"]) == 100000);
  CHECK(quiet["variance"]["commitment_used_bp"] == 4000);
  CHECK(minor(quiet["variance"]["under_consumed"]) == 60000);
  REQUIRE(quiet["invoice"]["items"].size() == 2);
  CHECK(quiet["invoice"]["items"][1]["description"] ==
        "Minimum commitment true-up, 2027-03-01 to 2027-04-01");
  // Nothing used: the commitment alone.
  json none = rate(0);
  CHECK(minor(none["usage_amount"]) == 0);
  CHECK(minor(none["total"]) == 100000);
  // Exactly on a tier's bound: all of it in that tier.
  json bound = rate(1000000);
  CHECK(bound["lines"].size() == 2);
  CHECK(minor(bound["usage_amount"]) == 180000);
}

TEST_CASE("Volume tiers price every unit at the rate of the tier the total falls in") {
  json r = rate(1234567, pricing("volume"));
  REQUIRE(r["lines"].size() == 1);
  CHECK(r["lines"][0]["tier"] == 3);
  CHECK(minor(r["usage_amount"]) == 185185);  // 1,234,567 × 1.50/1000 = 1,851.8505
  json small = rate(50000, pricing("volume"));
  CHECK(minor(small["usage_amount"]) == 0);  // the free tier
  CHECK(minor(small["total"]) == 100000);
  // Flat fees: charged once when the tier is reached.
  json p = pricing("graduated");
  p["tiers"][1]["flat_amount_minor"] = 5000;
  p.erase("minimum_commitment_minor");
  json flat = rate(200000, p);
  CHECK(minor(flat["usage_amount"]) == 20000 + 5000);
  CHECK(flat["commitment"].is_null());
  CHECK(flat["variance"]["commitment_used_bp"].is_null());
}

TEST_CASE("Usage that would need a guess, or money past 64 bits, is refused") {
  json bounded = pricing();
  bounded["tiers"] = json::array({{{"up_to", 1000}, {"unit_amount_minor", 5}}});
  CHECK(refused(bounded, 1001).find("past the last tier") != std::string::npos);
  json out_of_order = pricing();
  out_of_order["tiers"][1]["up_to"] = 50000;
  CHECK(refused(out_of_order).find("tiers go up") != std::string::npos);
  json open_middle = pricing();
  open_middle["tiers"][0].erase("up_to");
  CHECK(refused(open_middle).find("only the last tier") != std::string::npos);
  json negative = pricing();
  negative["tiers"][1]["unit_amount_minor"] = -1;
  CHECK(refused(negative).find("tiers[1].unit_amount_minor") != std::string::npos);
  json currency = pricing();
  currency["currency"] = "usd";
  CHECK(refused(currency).find("currency") != std::string::npos);
  json none = pricing();
  none["tiers"] = json::array();
  CHECK(refused(none).find("1 to 50 tiers") != std::string::npos);
  // 2^62 units at the largest price: the product is checked, never wrapped.
  json huge = pricing();
  huge["per_units"] = 1;
  huge["tiers"] = json::array({{{"unit_amount_minor", 4611686018427387904LL}}});
  CHECK(refused(huge, 4).find("64-bit") != std::string::npos);
  CHECK(bill_rate_usage({{"period", {{"start", "2027-04-01"}, {"end", "2027-03-01"}}},
                         {"quantity", 1},
                         {"pricing", pricing()}})
            .message.find("ends after it starts") != std::string::npos);
  CHECK(bill_rate_usage({{"period", {{"start", "2027-03-01"}, {"end", "2027-04-01"}}},
                         {"quantity", -5},
                         {"pricing", pricing()}})
            .code == "InvalidInput");
}
