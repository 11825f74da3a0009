#include "activities/catalog.hpp"

#include "adapters/operations.hpp"

namespace covenant::activities {
namespace {

using workflows::ActivityInfo;

// Covenant's own activities. None writes money directly: they compute plans and schedules
// that the financial adapter operations then write behind an approval gate.
std::vector<ActivityInfo> own_activities() {
  return {
      {"bill.plan",
       false,
       "Build a billing plan (invoices, proration, milestones) from terms",
       {{"terms", true, ""},
        {"products", false, ""},
        {"customer", false, ""},
        {"contract_id", false, ""}},
       false},
      {"extract.terms",
       false,
       "Extract contract terms with evidence and confidence",
       {{"document", true, ""}, {"min_confidence", false, ""}, {"required", false, ""}},
       false},
      {"ingest.contract",
       false,
       "Store a contract document (text or PDF) as evidence",
       {{"source", true, ""}, {"contract_id", false, ""}, {"media_type", false, ""}},
       false},
      {"ingest.order_form",
       false,
       "Store and parse a JSON order form",
       {{"source", true, ""}, {"contract_id", false, ""}},
       false},
      {"monitor.billing_accuracy",
       false,
       "Reconcile invoices written against the billing plan",
       {{"customer", true, ""}, {"plan", true, ""}},
       false},
      {"monitor.renewal",
       false,
       "Check renewal and notice dates",
       {{"terms", true, ""}, {"lead_days", false, ""}},
       false},
      {"monitor.sla",
       false,
       "Check tickets against SLA commitments",
       {{"account", true, ""},
        {"terms", true, ""},
        {"since", false, ""},
        {"measured_uptime", false, ""},
        {"monthly_fees", false, ""}},
       false},
      {"provision.entitlements",
       false,
       "Derive entitlements from the resolved products",
       {{"products", true, ""}, {"account", true, ""}},
       false},
      {"provision.request",
       false,
       "Ask for provisioning (a CRM task per entitlement)",
       {{"entitlements", true, ""},
        {"account", true, ""},
        {"contract_id", false, ""},
        {"owner", false, ""}},
       false},
      {"resolve.customer",
       false,
       "Match the contract's customer against CRM accounts",
       {{"parties", true, ""}, {"opportunity", false, ""}, {"threshold", false, ""}},
       false},
      {"resolve.products",
       false,
       "Match products and prices against the CPQ quote lines",
       {{"terms", true, ""}, {"quote", true, ""}, {"contract_id", false, ""}},
       false},
      {"revenue.schedule",
       false,
       "Allocate the transaction price and schedule revenue",
       {{"plan", true, ""}, {"products", true, ""}},
       false},
  };
}

}  // namespace

BuiltinCatalog::BuiltinCatalog() {
  for (auto& a : own_activities()) by_name_.emplace(a.name, std::move(a));
  for (const auto& op : adapters::operations()) {
    ActivityInfo info{std::string(op.name), op.financial, std::string(op.summary), {}, false};
    for (const auto& in : op.inputs) info.inputs.push_back({std::string(in.name), in.required, ""});
    by_name_.emplace(info.name, std::move(info));
  }
}

const ActivityInfo* BuiltinCatalog::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<const ActivityInfo*> BuiltinCatalog::all() const {
  std::vector<const ActivityInfo*> out;
  for (const auto& [name, info] : by_name_) out.push_back(&info);
  return out;
}

}  // namespace covenant::activities
