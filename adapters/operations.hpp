// The operations Covenant's adapters offer, by capability, with the one fact the workflow
// language must know about each: whether it writes money (financial). The financial flag
// belongs here, with the adapter, not with the workflow author: a definition cannot make
// an invoice "not financial". Immutable data; safe to read from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace covenant::adapters {

enum class System { Crm, Cpq, Billing, Erp, Ticketing, Notifier, Work, Calendar };

struct InputSpec {
  std::string_view name;
  bool required;
  std::string_view type = "any";  // "string", "integer", "id", "list", "object" or "any"
  std::vector<std::string_view> choices = {};  // the values the system accepts, when closed
};

struct OperationSpec {
  std::string_view name;  // "<system>.<operation>", e.g. "billing.create_invoice"
  System system;
  bool financial;  // creates or changes invoices, subscriptions, prices, ledger or revenue
  std::string_view summary;
  std::vector<InputSpec> inputs;
};

// Every adapter operation, sorted by name.
const std::vector<OperationSpec>& operations();

}  // namespace covenant::adapters
