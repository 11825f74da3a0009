// ERP systems, by capability: post balanced journal entries, create accounts-receivable
// invoices, record revenue recognition schedules, record a customer's payment terms. Every
// write is exactly once: it is keyed by an external id (the input's, or the engine's
// idempotency key). Amounts in and out are integer minor units with a currency.
// Implementation: netsuite.hpp. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

namespace covenant::adapters::erp {

using nlohmann::json;

class Erp {
 public:
  virtual ~Erp() = default;
  virtual http::Result<json> post_journal_entry(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_ar_invoice(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_revenue_schedule(const json& in, const std::string& key) = 0;
  virtual http::Result<json> record_payment_terms(const json& in, const std::string& key) = 0;
};

}  // namespace covenant::adapters::erp
