#include "app/renewal_risk.hpp"

#include "activities/dates.hpp"
#include "engine/time_format.hpp"

#include <algorithm>

namespace covenant::app {

using nlohmann::json;

namespace {

struct Weight {
  const char* name;
  const char* label;
  int weight, cap;
};

// Points per count, and the most a factor gives: together at most 108, the score caps at 100.
constexpr Weight kWeights[] = {
    {"sla_breaches", "SLA breaches in the latest check", 10, 30},
    {"billing_discrepancies", "billing differs from the contract", 8, 24},
    {"approval_exceptions", "approvals rejected, sent back or expired", 6, 18},
    {"open_escalations", "approvals open past their deadline", 10, 20},
    {"renewal_decision", "the renewal needs a decision", 8, 16},
};

int points_of(const Weight& w, std::int64_t count) {
  // Counts are small; capping before multiplying keeps any count from overflowing.
  std::int64_t capped =
      std::min<std::int64_t>(std::max<std::int64_t>(count, 0), (w.cap + w.weight - 1) / w.weight);
  return static_cast<int>(std::min<std::int64_t>(capped * w.weight, w.cap));
}

json money_or_null(std::int64_t minor, const std::string& currency) {
  if (currency.empty()) return nullptr;
  return {{"amount_minor", minor}, {"currency", currency}};
}

std::string day_of(std::int64_t us) {
  return us > 0 ? engine::format_rfc3339(engine::from_micros(us)).substr(0, 10) : "";
}

}  // namespace

json risk_model() {
  json out = json::array();
  for (const auto& w : kWeights)
    out.push_back({{"factor", w.name}, {"label", w.label}, {"weight", w.weight}, {"cap", w.cap}});
  return out;
}

RiskScore risk_score(const engine::store::RiskInput& in,
                     const std::vector<engine::store::ApprovalException>& exceptions,
                     activities::dates::Day today) {
  RiskScore r;
  std::int64_t sent_back = 0, overdue = 0;
  for (const auto& e : exceptions) (e.status == "overdue" ? overdue : sent_back) += 1;
  // The renewal: ending unless someone renews it is one count; a notice deadline within 30
  // days (or passed) with no renewal notice sent is another.
  std::int64_t decision = in.tag == "ends" ? 1 : 0;
  auto due = activities::dates::parse(in.due_on);
  if (due && (*due - today).count() <= 30 && in.notices == 0) ++decision;
  r.measured = {in.has_sla, in.has_billing, true, true, true};
  r.count = {in.has_sla ? in.breaches : 0, in.has_billing ? in.discrepancies : 0, sent_back,
             overdue, decision};
  int total = 0;
  for (std::size_t k = 0; k < kRiskFactors; ++k) {
    r.points[k] = r.measured[k] ? points_of(kWeights[k], r.count[k]) : 0;
    total += r.points[k];
  }
  r.score = std::min(total, 100);
  r.level = r.score >= 40 ? "high" : r.score >= 20 ? "medium" : "low";
  return r;
}

RenewalRisk renewal_risk(const engine::store::RiskInput& in,
                         const std::vector<engine::store::ApprovalException>& exceptions,
                         activities::dates::Day today) {
  RiskScore sc = risk_score(in, exceptions, today);
  std::array<json, kRiskFactors> evidence;
  evidence[0] = in.has_sla
                    ? json{{"checked_on", in.sla_observed_on},
                           {"breaches", in.breaches},
                           {"credits_owed", money_or_null(in.credits_minor, in.credits_currency)}}
                    : json("no SLA check recorded");
  evidence[1] = in.has_billing
                    ? json{{"checked_on", in.billing_observed_on},
                           {"discrepancies", in.discrepancies},
                           {"at_stake", money_or_null(in.at_stake_minor, in.at_stake_currency)}}
                    : json("no billing reconciliation recorded");
  evidence[2] = evidence[3] = json::array();
  for (const auto& e : exceptions) {
    json item = {{"approval_id", e.approval_id}, {"state", e.state}, {"status", e.status}};
    if (e.status == "overdue") {
      item["deadline"] = day_of(e.deadline_us);
      evidence[3].push_back(item);
    } else {
      item["closed_on"] = day_of(e.closed_us);
      evidence[2].push_back(item);
    }
  }
  auto due = activities::dates::parse(in.due_on);
  evidence[4] = {{"renews", in.tag == "ends" ? "ends unless renewed" : "automatically"},
                 {"notice_deadline", in.due_on},
                 {"days_to_notice", due ? (*due - today).count() : 0},
                 {"notice_sent", in.notices > 0}};
  RenewalRisk r;
  r.score = sc.score;
  r.level = sc.level;
  for (std::size_t k = 0; k < kRiskFactors; ++k) {
    RiskFactor f;
    f.name = kWeights[k].name;
    f.label = kWeights[k].label;
    f.weight = kWeights[k].weight;
    f.cap = kWeights[k].cap;
    f.measured = sc.measured[k];
    f.count = sc.count[k];
    f.points = sc.points[k];
    f.evidence = std::move(evidence[k]);
    r.factors.push_back(std::move(f));
  }
  return r;
}

}  // namespace covenant::app
