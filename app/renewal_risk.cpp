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

RiskFactor factor(const Weight& w, bool measured, std::int64_t count, json evidence) {
  RiskFactor f;
  f.name = w.name;
  f.label = w.label;
  f.weight = w.weight;
  f.cap = w.cap;
  f.measured = measured;
  f.count = measured ? std::max<std::int64_t>(count, 0) : 0;
  // Counts are small; capping before multiplying keeps any count from overflowing.
  std::int64_t capped = std::min<std::int64_t>(f.count, (w.cap + w.weight - 1) / w.weight);
  f.points = static_cast<int>(std::min<std::int64_t>(capped * w.weight, w.cap));
  f.evidence = std::move(evidence);
  return f;
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

RenewalRisk renewal_risk(const engine::store::RiskInput& in,
                         const std::vector<engine::store::ApprovalException>& exceptions,
                         const std::string& today, bool with_evidence) {
  RenewalRisk r;
  auto shown = [with_evidence](json e) { return with_evidence ? std::move(e) : json(); };
  r.factors.push_back(factor(
      kWeights[0], in.has_sla, in.breaches,
      !with_evidence ? json()
      : in.has_sla   ? json{{"checked_on", in.sla_observed_on},
                          {"breaches", in.breaches},
                          {"credits_owed", money_or_null(in.credits_minor, in.credits_currency)}}
                     : json("no SLA check recorded")));
  r.factors.push_back(factor(
      kWeights[1], in.has_billing, in.discrepancies,
      !with_evidence   ? json()
      : in.has_billing ? json{{"checked_on", in.billing_observed_on},
                              {"discrepancies", in.discrepancies},
                              {"at_stake", money_or_null(in.at_stake_minor, in.at_stake_currency)}}
                       : json("no billing reconciliation recorded")));
  json sent_back = json::array(), overdue = json::array();
  std::int64_t sent_back_n = 0, overdue_n = 0;
  for (const auto& e : exceptions) {
    (e.status == "overdue" ? overdue_n : sent_back_n) += 1;
    if (!with_evidence) continue;
    json item = {{"approval_id", e.approval_id}, {"state", e.state}, {"status", e.status}};
    if (e.status == "overdue") {
      item["deadline"] = day_of(e.deadline_us);
      overdue.push_back(item);
    } else {
      item["closed_on"] = day_of(e.closed_us);
      sent_back.push_back(item);
    }
  }
  r.factors.push_back(factor(kWeights[2], true, sent_back_n, shown(sent_back)));
  r.factors.push_back(factor(kWeights[3], true, overdue_n, shown(overdue)));
  // The renewal: ending unless someone renews it is one count; a notice deadline within 30
  // days (or passed) with no renewal notice sent is another.
  std::int64_t decision = in.tag == "ends" ? 1 : 0;
  std::int64_t days = 0;
  auto due = activities::dates::parse(in.due_on);
  auto now = activities::dates::parse(today);
  if (due && now) days = (*due - *now).count();
  bool close = due && now && days <= 30 && in.notices == 0;
  decision += close ? 1 : 0;
  r.factors.push_back(
      factor(kWeights[4], true, decision,
             shown({{"renews", in.tag == "ends" ? "ends unless renewed" : "automatically"},
                    {"notice_deadline", in.due_on},
                    {"days_to_notice", days},
                    {"notice_sent", in.notices > 0}})));
  int total = 0;
  for (const auto& f : r.factors) total += f.points;
  r.score = std::min(total, 100);
  r.level = r.score >= 40 ? "high" : r.score >= 20 ? "medium" : "low";
  return r;
}

}  // namespace covenant::app
