#include "activities/runner.hpp"

#include "activities/catalog.hpp"
#include "activities/own.hpp"
#include "adapters/notifier/webhook_client.hpp"

#include <functional>
#include <map>

namespace covenant::activities {

using nlohmann::json;
namespace h = adapters::http;

Outcome failed(const h::Error& e) {
  Outcome o;
  o.message = e.message;
  switch (e.kind) {
    case h::Failure::Transient:
      o.code = "Unavailable";
      o.retryable = true;
      return o;
    case h::Failure::AlreadyDone:
      o.code = "Conflict";
      return o;
    case h::Failure::Permanent:
      break;
  }
  if (e.code == "bad_input")
    o.code = "InvalidInput";
  else if (e.status == 401 || e.status == 403)
    o.code = "Unauthorized";
  else if (e.status == 404 || e.code == "resource_missing")
    o.code = "NotFound";
  else if (e.status == 409 || e.code == "idempotency_error")
    o.code = "Conflict";
  else
    o.code = "Invalid";
  return o;
}

namespace {

// One activity: which system it needs (named when it is not configured) and the call.
struct Op {
  const char* system;
  std::function<bool(const Systems&)> configured;
  std::function<h::Result<json>(const Systems&, const json&, const std::string&)> call;
};

template <class Sys>
Op write(const char* system, std::shared_ptr<Sys> Systems::*field,
         h::Result<json> (Sys::*fn)(const json&, const std::string&)) {
  return {system, [field](const Systems& s) { return s.*field != nullptr; },
          [field, fn](const Systems& s, const json& in, const std::string& key) {
            return ((s.*field).get()->*fn)(in, key);
          }};
}

template <class Sys>
Op read(const char* system, std::shared_ptr<Sys> Systems::*field,
        h::Result<json> (Sys::*fn)(const json&)) {
  return {system, [field](const Systems& s) { return s.*field != nullptr; },
          [field, fn](const Systems& s, const json& in, const std::string&) {
            return ((s.*field).get()->*fn)(in);
          }};
}

const std::map<std::string, Op>& operations() {
  using adapters::billing::Billing;
  using adapters::crm::Cpq;
  using adapters::crm::Crm;
  using adapters::erp::Erp;
  constexpr const char* kBilling = "billing system";
  static const std::map<std::string, Op> ops = {
      {"billing.upsert_customer", write(kBilling, &Systems::billing, &Billing::upsert_customer)},
      {"billing.upsert_product", write(kBilling, &Systems::billing, &Billing::upsert_product)},
      {"billing.upsert_price", write(kBilling, &Systems::billing, &Billing::upsert_price)},
      {"billing.create_subscription",
       write(kBilling, &Systems::billing, &Billing::create_subscription)},
      {"billing.create_subscription_schedule",
       write(kBilling, &Systems::billing, &Billing::create_subscription_schedule)},
      {"billing.create_invoice", write(kBilling, &Systems::billing, &Billing::create_invoice)},
      {"billing.create_invoice_item",
       write(kBilling, &Systems::billing, &Billing::create_invoice_item)},
      {"billing.finalize_invoice", write(kBilling, &Systems::billing, &Billing::finalize_invoice)},
      {"billing.create_credit_note",
       write(kBilling, &Systems::billing, &Billing::create_credit_note)},
      {"billing.list_invoices", read(kBilling, &Systems::billing, &Billing::list_invoices)},
      {"crm.find_account", read("CRM system", &Systems::crm, &Crm::find_account)},
      {"crm.upsert_account", write("CRM system", &Systems::crm, &Crm::upsert_account)},
      {"crm.get_opportunity", read("CRM system", &Systems::crm, &Crm::get_opportunity)},
      {"crm.list_contacts", read("CRM system", &Systems::crm, &Crm::list_contacts)},
      {"crm.create_task", write("CRM system", &Systems::crm, &Crm::create_task)},
      {"crm.create_case", write("CRM system", &Systems::crm, &Crm::create_case)},
      {"cpq.get_quote", read("CPQ system", &Systems::cpq, &Cpq::get_quote)},
      {"cpq.list_quote_lines", read("CPQ system", &Systems::cpq, &Cpq::list_quote_lines)},
      {"erp.post_journal_entry", write("ERP system", &Systems::erp, &Erp::post_journal_entry)},
      {"erp.create_ar_invoice", write("ERP system", &Systems::erp, &Erp::create_ar_invoice)},
      {"erp.create_revenue_schedule",
       write("ERP system", &Systems::erp, &Erp::create_revenue_schedule)},
      {"erp.record_payment_terms", write("ERP system", &Systems::erp, &Erp::record_payment_terms)},
      {"ticketing.list_tickets", read("ticketing system", &Systems::ticketing,
                                      &adapters::ticketing::Ticketing::list_tickets)},
      {"notify.slack", read("Slack webhook", &Systems::slack, &adapters::notifier::Slack::post)},
  };
  return ops;
}

}  // namespace

Outcome Runner::run(const std::string& activity, const json& input, const std::string& key) const {
  static const BuiltinCatalog catalog;
  if (!catalog.find(activity))
    return {false, nullptr, "UnknownActivity", "no activity named '" + activity + "'", false};
  if (!input.is_object())
    return {false, nullptr, "InvalidInput", activity + ": the input must be an object", false};
  if (auto it = operations().find(activity); it != operations().end()) {
    const Op& op = it->second;
    if (!op.configured(s_))
      return {false, nullptr, "NotConfigured",
              activity + ": no " + std::string(op.system) + " is configured", false};
    auto r = op.call(s_, input, key);
    if (!r) return failed(r.error());
    return {true, *r, "", "", false};
  }
  static const std::map<std::string,
                        std::function<Outcome(const Systems&, const json&, const std::string&)>>
      own = {
          {"ingest.contract", [](auto& s, auto& in, auto&) { return ingest_contract(s, in); }},
          {"ingest.order_form", [](auto& s, auto& in, auto&) { return ingest_order_form(s, in); }},
          {"extract.terms", [](auto& s, auto& in, auto&) { return extract_terms(s, in); }},
          {"resolve.customer", [](auto& s, auto& in, auto&) { return resolve_customer(s, in); }},
          {"resolve.products", [](auto&, auto& in, auto&) { return resolve_products(in); }},
          {"bill.plan", [](auto&, auto& in, auto&) { return bill_plan(in); }},
          {"revenue.schedule", [](auto&, auto& in, auto&) { return revenue_schedule(in); }},
          {"provision.entitlements",
           [](auto&, auto& in, auto&) { return provision_entitlements(in); }},
          {"provision.request",
           [](auto& s, auto& in, auto& key) { return provision_request(s, in, key); }},
          {"monitor.renewal", [](auto& s, auto& in, auto&) { return monitor_renewal(s, in); }},
          {"monitor.sla", [](auto& s, auto& in, auto&) { return monitor_sla(s, in); }},
          {"monitor.billing_accuracy",
           [](auto& s, auto& in, auto&) { return monitor_billing_accuracy(s, in); }},
      };
  if (auto it = own.find(activity); it != own.end()) return it->second(s_, input, key);
  if (activity == "notify.webhook") {
    std::string url = input.value("url", s_.webhook_url);
    if (url.empty() || s_.webhook_secret.empty())
      return {false, nullptr, "NotConfigured", activity + ": no webhook endpoint is configured",
              false};
    json body = {
        {"id", key}, {"type", input.value("event", "")}, {"data", input.value("payload", json())}};
    // The event id is the engine's key: receivers drop a repeat of a delivered event.
    auto d = adapters::notifier::post_webhook(
        {url, s_.webhook_secret, key, body.dump(), timestamp_s_()});
    if (d.outcome == adapters::notifier::Delivery::Delivered)
      return {true, {{"delivered", true}, {"event_id", key}}, "", "", false};
    bool transient = d.outcome == adapters::notifier::Delivery::Transient;
    return {false, nullptr, transient ? "Unavailable" : "Invalid", "webhook: " + d.message,
            transient};
  }
  return {false, nullptr, "NotImplemented",
          "activity '" + activity + "' is in the catalog but not implemented yet", false};
}

}  // namespace covenant::activities
