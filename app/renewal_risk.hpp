// Renewal risk: an explainable score per contract renewing soon. The score is the sum of the
// points of a few factors, each a count read from what Covenant holds — the SLA monitor's
// breaches, the billing reconciliation's discrepancies, approvals that did not go as asked,
// approvals left open past their deadline, and whether the renewal needs a decision — times a
// published weight, capped per factor; every factor is shown with its weight, its count, its
// points and the evidence it was read from. No factor is guessed: one not measured for a
// contract says so and scores nothing.
#pragma once

#include "activities/dates.hpp"
#include "engine/store/book_views.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::app {

struct RiskFactor {
  std::string name;       // sla_breaches, billing_discrepancies, approval_exceptions, …
  std::string label;      // what a person reads
  int weight = 0;         // points per count
  int cap = 0;            // the most points the factor gives
  bool measured = false;  // false: nothing to read it from for this contract
  std::int64_t count = 0;
  int points = 0;
  nlohmann::json evidence;  // what the count was read from
};

struct RenewalRisk {
  int score = 0;      // 0 to 100
  std::string level;  // high (>= 40), medium (>= 20), low
  std::vector<RiskFactor> factors;
};

// The factors and their weights, in the order they are shown (for the docs and the page).
nlohmann::json risk_model();

inline constexpr std::size_t kRiskFactors = 5;

// What the score is computed from: each factor's count, whether it was measured, its points.
struct RiskScore {
  std::array<std::int64_t, kRiskFactors> count{};
  std::array<bool, kRiskFactors> measured{};
  std::array<int, kRiskFactors> points{};
  int score = 0;
  const char* level = "low";
};

// The counts, points and score alone (ranking a whole window); renewal_risk explains them.
RiskScore risk_score(const engine::store::RiskInput& in,
                     const std::vector<engine::store::ApprovalException>& exceptions,
                     activities::dates::Day today);

// `today`: days to the notice deadline are counted from it. The score and points are
// risk_score's; each factor comes with the evidence its count was read from.
RenewalRisk renewal_risk(const engine::store::RiskInput& in,
                         const std::vector<engine::store::ApprovalException>& exceptions,
                         activities::dates::Day today);

}  // namespace covenant::app
