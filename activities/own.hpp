// Covenant's own activities (the ones that are not one adapter call): ingest, extract,
// resolve, bill, revenue, provision and monitor. Each takes the Runner's systems, the input
// and the engine's idempotency key, and returns an Outcome with an error code workflows can
// catch (see runner.hpp). The computing ones (bill.plan, revenue.schedule, resolve.products)
// are pure functions of their input.
#pragma once

#include "activities/runner.hpp"

namespace covenant::activities {

Outcome ingest_contract(const Systems& s, const nlohmann::json& in);
Outcome ingest_order_form(const Systems& s, const nlohmann::json& in);
Outcome ingest_signed_document(const Systems& s, const nlohmann::json& in);
Outcome extract_terms(const Systems& s, const nlohmann::json& in);
Outcome resolve_customer(const Systems& s, const nlohmann::json& in);
Outcome resolve_products(const nlohmann::json& in);
Outcome bill_plan(const nlohmann::json& in);
Outcome revenue_schedule(const nlohmann::json& in);
Outcome milestones_schedule(const nlohmann::json& in);
Outcome contract_merge_terms(const nlohmann::json& in);
Outcome revenue_modify(const nlohmann::json& in);
Outcome bill_rate_usage(const nlohmann::json& in);
Outcome usage_total(const Systems& s, const nlohmann::json& in);
Outcome contracts_record(const Systems& s, const nlohmann::json& in);
Outcome contracts_find_parent(const Systems& s, const nlohmann::json& in);
Outcome contracts_settle(const Systems& s, const nlohmann::json& in);
// `key`: the attempt's idempotency key; the instance it names observed the finding.
Outcome contracts_observe(const Systems& s, const nlohmann::json& in, const std::string& key);
// `key`: the attempt's idempotency key; the instance it names writes the register.
Outcome obligations_record(const Systems& s, const nlohmann::json& in, const std::string& key);
// The register a contract's reviewed terms and billing plan make (obligations.record's).
nlohmann::json obligations_register(const nlohmann::json& in);
Outcome bill_plan_change(const Systems& s, const nlohmann::json& in);
Outcome provision_entitlements(const nlohmann::json& in);
Outcome provision_request(const Systems& s, const nlohmann::json& in, const std::string& key);
Outcome monitor_renewal(const Systems& s, const nlohmann::json& in);
Outcome monitor_sla(const Systems& s, const nlohmann::json& in);
Outcome monitor_billing_accuracy(const Systems& s, const nlohmann::json& in);

// Helpers shared by the activities above.
// A title as the book files it: its words, lower case, a leading "the" left out
// ("The Master Services Agreement" and "MASTER SERVICES AGREEMENT" are one key).
std::string contract_title_key(const std::string& title);
// A field of extracted terms: the plain value (`.terms.fees`), also when a reviewer sent the
// field back as extract.terms' {value, confidence, evidence}; null when absent.
inline nlohmann::json term_value(const nlohmann::json& terms, const char* name) {
  if (!terms.is_object() || !terms.contains(name)) return nullptr;
  const nlohmann::json& v = terms[name];
  if (v.is_object() && v.contains("value") && v.contains("confidence")) return v["value"];
  return v;
}
inline Outcome ok(nlohmann::json result) { return {true, std::move(result), "", "", false}; }
inline Outcome invalid_input(const std::string& activity, const std::string& what) {
  return {false, nullptr, "InvalidInput", activity + ": " + what, false};
}
inline Outcome error(std::string code, std::string message, bool retryable = false) {
  return {false, nullptr, std::move(code), std::move(message), retryable};
}

}  // namespace covenant::activities
