#include "activities/runner.hpp"

#include "activities/catalog.hpp"
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

template <class System>
using Write2 = h::Result<json> (System::*)(const json&, const std::string&);

Outcome Runner::run(const std::string& activity, const json& input, const std::string& key) const {
  using Billing = adapters::billing::Billing;
  using Write = h::Result<json> (Billing::*)(const json&, const std::string&);
  static const std::map<std::string, Write> billing_writes = {
      {"billing.upsert_customer", &Billing::upsert_customer},
      {"billing.upsert_product", &Billing::upsert_product},
      {"billing.upsert_price", &Billing::upsert_price},
      {"billing.create_subscription", &Billing::create_subscription},
      {"billing.create_subscription_schedule", &Billing::create_subscription_schedule},
      {"billing.create_invoice", &Billing::create_invoice},
      {"billing.create_invoice_item", &Billing::create_invoice_item},
      {"billing.finalize_invoice", &Billing::finalize_invoice},
      {"billing.create_credit_note", &Billing::create_credit_note},
  };
  static const BuiltinCatalog catalog;
  if (!catalog.find(activity))
    return {false, nullptr, "UnknownActivity", "no activity named '" + activity + "'", false};
  if (!input.is_object())
    return {false, nullptr, "InvalidInput", activity + ": the input must be an object", false};
  if (activity.rfind("billing.", 0) == 0) {
    if (!s_.billing)
      return {false, nullptr, "NotConfigured", activity + ": no billing system is configured",
              false};
    h::Result<json> r = activity == "billing.list_invoices"
                            ? s_.billing->list_invoices(input)
                            : (s_.billing.get()->*billing_writes.at(activity))(input, key);
    if (!r) return failed(r.error());
    return {true, *r, "", "", false};
  }
  if (activity.rfind("crm.", 0) == 0 || activity.rfind("cpq.", 0) == 0) {
    bool crm = activity[1] == 'r';
    if (crm ? !s_.crm : !s_.cpq)
      return {false, nullptr, "NotConfigured",
              activity + ": no " + (crm ? "CRM" : "CPQ") + " system is configured", false};
    static const std::map<std::string, std::function<h::Result<json>(const Systems&, const json&,
                                                                     const std::string&)>>
        ops = {
            {"crm.find_account", [](const Systems& s, const json& in,
                                    const std::string&) { return s.crm->find_account(in); }},
            {"crm.upsert_account",
             [](const Systems& s, const json& in, const std::string& k) {
               return s.crm->upsert_account(in, k);
             }},
            {"crm.get_opportunity", [](const Systems& s, const json& in,
                                       const std::string&) { return s.crm->get_opportunity(in); }},
            {"crm.list_contacts", [](const Systems& s, const json& in,
                                     const std::string&) { return s.crm->list_contacts(in); }},
            {"crm.create_task", [](const Systems& s, const json& in,
                                   const std::string& k) { return s.crm->create_task(in, k); }},
            {"crm.create_case", [](const Systems& s, const json& in,
                                   const std::string& k) { return s.crm->create_case(in, k); }},
            {"cpq.get_quote", [](const Systems& s, const json& in,
                                 const std::string&) { return s.cpq->get_quote(in); }},
            {"cpq.list_quote_lines",
             [](const Systems& s, const json& in, const std::string&) {
               return s.cpq->list_quote_lines(in);
             }},
        };
    auto it = ops.find(activity);
    if (it != ops.end()) {
      auto r = it->second(s_, input, key);
      if (!r) return failed(r.error());
      return {true, *r, "", "", false};
    }
  }
  if (activity.rfind("erp.", 0) == 0) {
    if (!s_.erp)
      return {false, nullptr, "NotConfigured", activity + ": no ERP system is configured", false};
    using Erp = adapters::erp::Erp;
    static const std::map<std::string, Write2<Erp>> erp_writes = {
        {"erp.post_journal_entry", &Erp::post_journal_entry},
        {"erp.create_ar_invoice", &Erp::create_ar_invoice},
        {"erp.create_revenue_schedule", &Erp::create_revenue_schedule},
        {"erp.record_payment_terms", &Erp::record_payment_terms},
    };
    auto it = erp_writes.find(activity);
    if (it != erp_writes.end()) {
      auto r = (s_.erp.get()->*it->second)(input, key);
      if (!r) return failed(r.error());
      return {true, *r, "", "", false};
    }
  }
  if (activity == "ticketing.list_tickets") {
    if (!s_.ticketing)
      return {false, nullptr, "NotConfigured", activity + ": no ticketing system is configured",
              false};
    auto r = s_.ticketing->list_tickets(input);
    if (!r) return failed(r.error());
    return {true, *r, "", "", false};
  }
  if (activity == "notify.slack") {
    if (!s_.slack)
      return {false, nullptr, "NotConfigured", activity + ": no Slack webhook is configured",
              false};
    auto r = s_.slack->post(input);
    if (!r) return failed(r.error());
    return {true, *r, "", "", false};
  }
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
