#include "activities/registry.hpp"

#include "activities/own.hpp"
#include "adapters/notifier/webhook_client.hpp"
#include "adapters/operations.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace covenant::activities {

namespace {

using nlohmann::json;
namespace h = adapters::http;
using adapters::billing::Billing;
using adapters::crm::Cpq;
using adapters::crm::Crm;
using adapters::erp::Erp;
using Clock = std::function<std::int64_t()>;

// An adapter call: the system it needs (named when it is not configured) and the call.
Run call(const char* system, std::function<bool(const Systems&)> configured,
         std::function<h::Result<json>(const Systems&, const json&, const std::string&)> fn) {
  return [system, configured, fn](const Systems& s, const json& in, const std::string& key,
                                  const Clock&) -> Outcome {
    if (!configured(s))
      return {false, nullptr, "NotConfigured", std::string("no ") + system + " is configured",
              false};
    // An answer the adapter reads a field of that is missing or of another type than the
    // system's API documents (an id that is null, a list that is a string): the system's
    // answer is bad — an error naming the system, retried as for any failing system (a
    // proxy's page, a version change), never an exception escaping into the worker.
    try {
      auto r = fn(s, in, key);
      if (!r) return failed(r.error());
      return {true, *r, "", "", false};
    } catch (const nlohmann::json::exception& e) {
      std::string what = e.what();
      if (auto close = what.find("] ");
          what.rfind("[json.exception.", 0) == 0 && close != std::string::npos)
        what.erase(0, close + 2);
      return {false, nullptr, "Unavailable",
              std::string(system) + ": an answer did not have the shape its API documents (" +
                  what + ")",
              true};
    }
  };
}

template <class Sys>
Run write(const char* system, std::shared_ptr<Sys> Systems::*field,
          h::Result<json> (Sys::*fn)(const json&, const std::string&)) {
  return call(
      system, [field](const Systems& s) { return s.*field != nullptr; },
      [field, fn](const Systems& s, const json& in, const std::string& key) {
        return ((s.*field).get()->*fn)(in, key);
      });
}

template <class Sys>
Run read(const char* system, std::shared_ptr<Sys> Systems::*field,
         h::Result<json> (Sys::*fn)(const json&)) {
  return call(
      system, [field](const Systems& s) { return s.*field != nullptr; },
      [field, fn](const Systems& s, const json& in, const std::string&) {
        return ((s.*field).get()->*fn)(in);
      });
}

// notify.webhook: a signed event to the configured endpoint (or the input's url); the
// event id is the engine's key, so a receiver drops a repeat of a delivered event.
Outcome notify_webhook(const Systems& s, const json& in, const std::string& key,
                       const Clock& timestamp_s) {
  std::string url = in.value("url", s.webhook_url);
  if (url.empty() || s.webhook_secret.empty())
    return {false, nullptr, "NotConfigured", "no webhook endpoint is configured", false};
  json body = {{"id", key}, {"type", in.value("event", "")}, {"data", in.value("payload", json())}};
  auto d =
      adapters::notifier::post_webhook({url, {s.webhook_secret}, key, body.dump(), timestamp_s()});
  if (d.outcome == adapters::notifier::Delivery::Delivered)
    return {true, {{"delivered", true}, {"event_id", key}}, "", "", false};
  bool transient = d.outcome == adapters::notifier::Delivery::Transient;
  return {false, nullptr, transient ? "Unavailable" : "Invalid", "webhook: " + d.message,
          transient};
}

// calendar.invite: the event is stamped with the engine's time (DTSTAMP); the rest is the
// adapter's.
Outcome calendar_invite(const Systems& s, const json& in, const std::string& key,
                        const Clock& timestamp_s) {
  return call(
      "calendar", [](const Systems& sys) { return sys.calendar != nullptr; },
      [&timestamp_s](const Systems& sys, const json& i, const std::string& k) {
        return sys.calendar->invite(i, k, timestamp_s());
      })(s, in, key, timestamp_s);
}

struct Entry {
  std::string name;
  std::optional<workflows::ActivityInfo> info;  // own activities; adapters' come from adapters/
  Run run;
};

Entry own(std::string name, std::string summary, std::vector<workflows::ActivityInput> inputs,
          Run run) {
  workflows::ActivityInfo info{name, false, std::move(summary), std::move(inputs), false};
  return {std::move(name), std::move(info), std::move(run)};
}

Entry adapter(std::string name, Run run) { return {std::move(name), std::nullopt, std::move(run)}; }

std::vector<Activity> build() {
  constexpr const char* kBilling = "billing system";
  // THE TABLE. Covenant's own activities (none writes money: they compute what the
  // financial adapter operations then write behind a gate), then one entry per adapter
  // operation, whose financial flag and inputs are the system's (adapters/operations.cpp).
  std::vector<Entry> entries = {
      own("bill.plan", "Build a billing plan (invoices, proration, milestones) from terms",
          {{"terms", true, ""},
           {"products", false, ""},
           {"customer", false, ""},
           {"contract_id", false, ""}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return bill_plan(in);
          }),
      own("bill.plan_change",
          "What an amendment changes in the billing: prorated credits and charges, repriced "
          "and new periods, as writes",
          {{"contract_id", true, "the amendment's contract id", "string"},
           {"before", true, "the billing plan in force (bill.plan's result, as written)", "object"},
           {"after", true, "bill.plan's result for the amended contract over its whole term",
            "object"},
           {"effective_date", true, "when the amendment takes effect", "string"},
           {"written", true, "{subscription, prices, invoices}: what was written for `before`",
            "object"},
           {"as_of", false, "the day the change is computed (today when not given)", "string"},
           {"consideration_before", false,
            "what the contract brings in as it stands, when not `before`'s total (after an "
            "earlier amendment)",
            "object"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return bill_plan_change(s, in);
          }),
      own("bill.rate_usage",
          "Rate a period's metered usage against tiers and the minimum commitment",
          {{"period", true, "{start, end}", "object"},
           {"quantity", true, "units used in the period", "integer"},
           {"pricing", true,
            "{currency, metric, model: graduated|volume, per_units, tiers, "
            "minimum_commitment_minor}",
            "object"},
           {"contract_id", false, "", "string"}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return bill_rate_usage(in);
          }),
      own("contract.merge_terms",
          "The terms an SOW or amendment works under: inherited from, or superseding, its "
          "agreement's",
          {{"parent", true, "{contract_id, terms}", "object"},
           {"document", true, "{contract_id, kind: sow|amendment, terms}", "object"},
           {"effective_date", false, "an amendment's, when its terms do not say", "string"}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return contract_merge_terms(in);
          }),
      own("contracts.find_parent",
          "Link an SOW or amendment to its agreement in the book: by the CLM's id, else by the "
          "title and date it names",
          {{"document", true, "{contract_id, kind: sow|amendment}", "object"},
           {"reference", false, "extract.terms' referenced_agreement: {name, date}"},
           {"parent_contract_id", false, "the agreement's contract id, when known", "string"},
           {"customer", false, "the customer's external id: an agreement of another is refused",
            "string"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return contracts_find_parent(s, in);
          }),
      own("contracts.record",
          "Put a contract in the book with the state it stands in, or record an amendment and "
          "move its agreement on one version",
          {{"contract_id", true, "", "string"},
           {"state", true, "{terms, products, plan, revenue, written, ...}", "object"},
           {"kind", false, "agreement|msa|sow|order_form|amendment (else the terms')", "string"},
           {"title", false, "else the title the terms' document_kind was read from", "string"},
           {"agreement_date", false, "else the terms' agreement or effective date", "string"},
           {"customer", false, "the customer's external id", "string"},
           {"parent", false, "the agreement an SOW or amendment belongs to", "string"},
           {"based_on_version", false, "an amendment: the agreement's version it was computed from",
            "integer"},
           {"parent_state", false, "an amendment: the agreement's state after it", "object"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return contracts_record(s, in);
          }),
      own("contracts.settle",
          "Settle what was written for a contract in the book (its subscription, prices, "
          "invoices), at the version recorded",
          {{"contract_id", true, "", "string"},
           {"version", true, "the version contracts.record gave", "integer"},
           {"written", true, "{subscription, prices, invoices, billing_customer}: each replaces",
            "object"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return contracts_settle(s, in);
          }),
      own("contracts.observe",
          "Keep a monitor's latest finding for a contract in the book, for the views across "
          "contracts (renewals, billing accuracy, SLA scorecards)",
          {{"contract_id", true, "", "string"},
           {"monitor", true, "renewal|sla|billing_accuracy: whose result `finding` is", "string"},
           {"finding", true, "the monitor's result, as it returned it", "object"},
           {"notice", false, "renewal: the renewal notice sent in this notice window", "object"},
           {"currency", false, "billing_accuracy: the plan's currency", "string"}},
          [](const Systems& s, const json& in, const std::string& key, const Clock&) {
            return contracts_observe(s, in, key);
          }),
      own("obligations.record",
          "Put a contract's obligations register in the book: what it obliges each party to do "
          "and by when (reviewed extractions, the renewal window, payment milestones, phases)",
          {{"contract_id", true, "", "string"},
           {"terms", true, "the reviewed terms (their obligations, dates, renewal, milestones)",
            "object"},
           {"plan", false, "bill.plan's billing plan: its milestones and phases", "object"},
           {"customer", false, "who owes the payments (the customer's name)", "string"},
           {"provider", false, "who delivers the phases (the provider's name)", "string"},
           {"customer_party", false,
            "the customer as the contract names it (resolve.customer's matched_party): of two "
            "parties, the other is the provider when `provider` is not given",
            "string"}},
          [](const Systems& s, const json& in, const std::string& key, const Clock&) {
            return obligations_record(s, in, key);
          }),
      own("extract.terms", "Extract contract terms with evidence and confidence",
          {{"document", true, ""}, {"min_confidence", false, ""}, {"required", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return extract_terms(s, in);
          }),
      own("ingest.contract", "Store a contract document (text or PDF) as evidence",
          {{"source", true, ""}, {"contract_id", false, ""}, {"media_type", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return ingest_contract(s, in);
          }),
      own("ingest.order_form", "Store and parse a JSON order form",
          {{"source", true, ""}, {"contract_id", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return ingest_order_form(s, in);
          }),
      own("ingest.signed_document",
          "Fetch an executed contract's signed document from the CLM and store it as evidence",
          {{"source", true,
            "{clm: docusign, account_id, envelope_id} or {clm: ironclad, workflow_id}", "object"},
           {"contract_id", true, "", "string"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return ingest_signed_document(s, in);
          }),
      own("milestones.schedule",
          "Order dependent milestones, date each from its predecessors' acceptance; refuse cycles",
          {{"start", true, "the date milestones without predecessors start", "string"},
           {"milestones", true, "[{id, name, depends_on, duration_days, due_date}]", "list"},
           {"accepted", false, "{milestone id: acceptance date}", "object"},
           {"tracked", false, "{milestone id: the task made for it}", "object"},
           {"invoiced", false, "{milestone id: the invoice written for it}", "object"}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return milestones_schedule(in);
          }),
      own("usage.total", "A contract's metered usage of one metric over a period",
          {{"contract_id", true, "", "string"},
           {"metric", true, "", "string"},
           {"period", true, "{start, end}: end exclusive", "object"}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return usage_total(s, in);
          }),
      own("revenue.modify",
          "An amendment's effect on the revenue schedule under ASC 606's contract modification "
          "rules",
          {{"before", true, "revenue.schedule's result for the contract as it was", "object"},
           {"after", true, "revenue.schedule's result for the amended contract", "object"},
           {"effective_date", true, "", "string"},
           {"modification", true, "{adds_distinct_goods, priced_at_standalone, remaining_distinct}",
            "object"},
           {"transaction_price", false,
            "the amended contract's consideration (bill.plan_change's total_after), when it is "
            "not the amended schedule's total",
            "object"}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return revenue_modify(in);
          }),
      own("monitor.billing_accuracy", "Reconcile invoices written against the billing plan",
          {{"customer", true, ""}, {"plan", true, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return monitor_billing_accuracy(s, in);
          }),
      own("monitor.renewal", "Check renewal and notice dates",
          {{"terms", true, ""}, {"lead_days", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return monitor_renewal(s, in);
          }),
      own("monitor.sla", "Check tickets against SLA commitments",
          {{"account", true, ""},
           {"terms", true, ""},
           {"since", false, ""},
           {"measured_uptime", false, ""},
           {"monthly_fees", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return monitor_sla(s, in);
          }),
      own("provision.entitlements", "Derive entitlements from the resolved products",
          {{"products", true, ""}, {"account", true, ""}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return provision_entitlements(in);
          }),
      own("provision.request", "Ask for provisioning (a CRM task per entitlement)",
          {{"entitlements", true, ""},
           {"account", true, ""},
           {"contract_id", false, ""},
           {"owner", false, ""}},
          [](const Systems& s, const json& in, const std::string& key, const Clock&) {
            return provision_request(s, in, key);
          }),
      own("resolve.customer", "Match the contract's customer against CRM accounts",
          {{"parties", true, ""}, {"opportunity", false, ""}, {"threshold", false, ""}},
          [](const Systems& s, const json& in, const std::string&, const Clock&) {
            return resolve_customer(s, in);
          }),
      own("resolve.products", "Match products and prices against the CPQ quote lines",
          {{"terms", true, ""}, {"quote", true, ""}, {"contract_id", false, ""}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return resolve_products(in);
          }),
      own("revenue.schedule", "Allocate the transaction price and schedule revenue",
          {{"plan", true, ""}, {"products", true, ""}},
          [](const Systems&, const json& in, const std::string&, const Clock&) {
            return revenue_schedule(in);
          }),
      adapter("billing.upsert_customer",
              write(kBilling, &Systems::billing, &Billing::upsert_customer)),
      adapter("billing.upsert_product",
              write(kBilling, &Systems::billing, &Billing::upsert_product)),
      adapter("billing.upsert_price", write(kBilling, &Systems::billing, &Billing::upsert_price)),
      adapter("billing.create_subscription",
              write(kBilling, &Systems::billing, &Billing::create_subscription)),
      adapter("billing.create_subscription_schedule",
              write(kBilling, &Systems::billing, &Billing::create_subscription_schedule)),
      adapter("billing.update_subscription",
              write(kBilling, &Systems::billing, &Billing::update_subscription)),
      adapter("billing.create_invoice",
              write(kBilling, &Systems::billing, &Billing::create_invoice)),
      adapter("billing.create_invoice_item",
              write(kBilling, &Systems::billing, &Billing::create_invoice_item)),
      adapter("billing.finalize_invoice",
              write(kBilling, &Systems::billing, &Billing::finalize_invoice)),
      adapter("billing.create_credit_note",
              write(kBilling, &Systems::billing, &Billing::create_credit_note)),
      adapter("billing.list_invoices", read(kBilling, &Systems::billing, &Billing::list_invoices)),
      adapter("calendar.invite", calendar_invite),
      adapter("crm.find_account", read("CRM system", &Systems::crm, &Crm::find_account)),
      adapter("crm.upsert_account", write("CRM system", &Systems::crm, &Crm::upsert_account)),
      adapter("crm.get_opportunity", read("CRM system", &Systems::crm, &Crm::get_opportunity)),
      adapter("crm.list_contacts", read("CRM system", &Systems::crm, &Crm::list_contacts)),
      adapter("crm.create_task", write("CRM system", &Systems::crm, &Crm::create_task)),
      adapter("crm.create_case", write("CRM system", &Systems::crm, &Crm::create_case)),
      adapter("cpq.get_quote", read("CPQ system", &Systems::cpq, &Cpq::get_quote)),
      adapter("cpq.list_quote_lines", read("CPQ system", &Systems::cpq, &Cpq::list_quote_lines)),
      adapter("erp.post_journal_entry",
              write("ERP system", &Systems::erp, &Erp::post_journal_entry)),
      adapter("erp.create_ar_invoice", write("ERP system", &Systems::erp, &Erp::create_ar_invoice)),
      adapter("erp.create_revenue_schedule",
              write("ERP system", &Systems::erp, &Erp::create_revenue_schedule)),
      adapter("erp.record_payment_terms",
              write("ERP system", &Systems::erp, &Erp::record_payment_terms)),
      adapter("ticketing.list_tickets", read("ticketing system", &Systems::ticketing,
                                             &adapters::ticketing::Ticketing::list_tickets)),
      adapter("jira.create_issue",
              write("Jira", &Systems::jira, &adapters::worktools::WorkTracker::create_task)),
      adapter("jira.get_issue",
              read("Jira", &Systems::jira, &adapters::worktools::WorkTracker::get_task)),
      adapter("asana.create_task",
              write("Asana", &Systems::asana, &adapters::worktools::WorkTracker::create_task)),
      adapter("asana.get_task",
              read("Asana", &Systems::asana, &adapters::worktools::WorkTracker::get_task)),
      adapter("notify.slack",
              read("Slack webhook", &Systems::slack, &adapters::notifier::Slack::post)),
      adapter("notify.teams",
              read("Teams webhook", &Systems::teams, &adapters::notifier::Teams::post)),
      adapter("notify.webhook", notify_webhook),
  };
  std::map<std::string, const adapters::OperationSpec*> ops;
  for (const auto& op : adapters::operations()) ops.emplace(std::string(op.name), &op);
  std::vector<Activity> out;
  for (auto& e : entries) {
    workflows::ActivityInfo info;
    if (e.info) {
      info = std::move(*e.info);
    } else {
      auto it = ops.find(e.name);
      if (it == ops.end())
        throw std::logic_error("activity registry: '" + e.name + "' is no adapter operation");
      const auto& op = *it->second;
      info = {e.name, op.financial, std::string(op.summary), {}, false};
      for (const auto& in : op.inputs) {
        workflows::ActivityInput input{std::string(in.name), in.required, "", std::string(in.type)};
        for (auto c : in.choices) input.choices.emplace_back(c);
        info.inputs.push_back(std::move(input));
      }
      ops.erase(it);
    }
    out.push_back({std::move(info), std::move(e.run)});
  }
  if (!ops.empty())
    throw std::logic_error("activity registry: adapter operation '" + ops.begin()->first +
                           "' has no entry, so a workflow could name it and never run it");
  std::sort(out.begin(), out.end(),
            [](const Activity& a, const Activity& b) { return a.info.name < b.info.name; });
  return out;
}

}  // namespace

const std::vector<Activity>& registry() {
  static const std::vector<Activity> all = build();
  return all;
}

const Activity* find_activity(std::string_view name) {
  const auto& all = registry();
  auto it = std::lower_bound(all.begin(), all.end(), name,
                             [](const Activity& a, std::string_view n) { return a.info.name < n; });
  return it != all.end() && it->info.name == name ? &*it : nullptr;
}

}  // namespace covenant::activities
