#include "adapters/operations.hpp"

namespace covenant::adapters {

const std::vector<OperationSpec>& operations() {
  // Keep sorted by name. Each financial flag is a control: changing one to false removes
  // the approval gate from every workflow that uses the operation.
  static const std::vector<OperationSpec> ops = {
      {"billing.create_credit_note", System::Billing, true, "Issue a credit note against an invoice",
       {{"invoice", true}, {"amount", true}, {"reason", true}}},
      {"billing.create_invoice", System::Billing, true, "Create a draft invoice for a customer",
       {{"customer", true}, {"currency", true}, {"items", true}, {"due_date", false},
        {"description", false}, {"metadata", false}}},
      {"billing.create_invoice_item", System::Billing, true, "Add a line to a draft invoice",
       {{"customer", true}, {"invoice", false}, {"amount", true}, {"description", false}}},
      {"billing.create_subscription", System::Billing, true, "Start a subscription on prices",
       {{"customer", true}, {"items", true}, {"start_date", false}, {"collection_method", false},
        {"days_until_due", false}, {"metadata", false}}},
      {"billing.create_subscription_schedule", System::Billing, true,
       "Create a subscription schedule (phased prices and dates)",
       {{"customer", true}, {"phases", true}, {"start_date", true}}},
      {"billing.finalize_invoice", System::Billing, true, "Finalize a draft invoice",
       {{"invoice", true}}},
      {"billing.list_invoices", System::Billing, false, "List a customer's invoices",
       {{"customer", true}, {"since", false}}},
      {"billing.upsert_customer", System::Billing, false, "Create or update a billing customer",
       {{"external_id", true}, {"name", true}, {"email", false}, {"address", false},
        {"tax_id", false}, {"currency", false}}},
      {"billing.upsert_price", System::Billing, true, "Create or update a price for a product",
       {{"product", true}, {"amount", true}, {"interval", false}, {"external_id", true}}},
      {"billing.upsert_product", System::Billing, false, "Create or update a product",
       {{"external_id", true}, {"name", true}, {"description", false}}},
      {"cpq.get_quote", System::Cpq, false, "Read a quote", {{"quote_id", true}}},
      {"cpq.list_quote_lines", System::Cpq, false, "Read a quote's lines", {{"quote_id", true}}},
      {"crm.create_case", System::Crm, false, "Open a support or operations case",
       {{"account", true}, {"subject", true}, {"description", false}, {"priority", false}}},
      {"crm.create_task", System::Crm, false, "Create a task for a person or team",
       {{"account", false}, {"subject", true}, {"owner", false}, {"due_date", false},
        {"description", false}}},
      {"crm.find_account", System::Crm, false, "Find accounts by name, domain or tax id",
       {{"name", false}, {"domain", false}, {"tax_id", false}}},
      {"crm.get_opportunity", System::Crm, false, "Read an opportunity",
       {{"opportunity_id", true}}},
      {"crm.list_contacts", System::Crm, false, "Read an account's contacts", {{"account", true}}},
      {"crm.upsert_account", System::Crm, false, "Create or update an account by external id",
       {{"external_id", true}, {"name", true}, {"domain", false}, {"tax_id", false}}},
      {"erp.create_ar_invoice", System::Erp, true, "Create an accounts-receivable invoice",
       {{"customer", true}, {"currency", true}, {"lines", true}, {"terms", false},
        {"external_id", false}}},
      {"erp.create_revenue_schedule", System::Erp, true,
       "Create a revenue recognition schedule", {{"schedule", true}, {"external_id", false}}},
      {"erp.post_journal_entry", System::Erp, true, "Post a balanced journal entry",
       {{"lines", true}, {"date", true}, {"memo", false}, {"external_id", false}}},
      {"erp.record_payment_terms", System::Erp, true, "Record a customer's payment terms",
       {{"customer", true}, {"terms", true}}},
      {"notify.slack", System::Notifier, false, "Post a Slack-compatible message",
       {{"channel", false}, {"text", true}}},
      {"notify.webhook", System::Notifier, false, "Send a signed webhook",
       {{"url", false}, {"event", true}, {"payload", true}}},
      {"ticketing.list_tickets", System::Ticketing, false, "List an account's tickets",
       {{"account", true}, {"since", false}}},
  };
  return ops;
}

}  // namespace covenant::adapters
