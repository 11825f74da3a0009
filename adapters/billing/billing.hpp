// Billing systems, by capability: customers, products and prices, subscriptions and their
// schedules, invoices and their items, reconciliation reads, credit notes. Inputs are the
// activity's input (see adapters/operations.cpp); amounts are integer minor units with an
// ISO 4217 currency, either {"amount_minor": 125000, "currency": "USD"} or "amount_minor"
// beside a "currency". Every write takes the engine's idempotency key and passes it the way
// the system expects, so a retried write happens once. Results are normalised JSON.
// Implementations: stripe.hpp. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace covenant::adapters::billing {

using nlohmann::json;

class Billing {
 public:
  virtual ~Billing() = default;
  virtual http::Result<json> upsert_customer(const json& in, const std::string& key) = 0;
  virtual http::Result<json> upsert_product(const json& in, const std::string& key) = 0;
  virtual http::Result<json> upsert_price(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_subscription(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_subscription_schedule(const json& in,
                                                          const std::string& key) = 0;
  // Changes a subscription's prices and quantities from its next invoice on, without
  // prorating (the proration is Covenant's, approved with the change).
  virtual http::Result<json> update_subscription(const json& in, const std::string& key) = 0;
  // A draft invoice with one line per item.
  virtual http::Result<json> create_invoice(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_invoice_item(const json& in, const std::string& key) = 0;
  virtual http::Result<json> finalize_invoice(const json& in, const std::string& key) = 0;
  virtual http::Result<json> list_invoices(const json& in) = 0;
  virtual http::Result<json> create_credit_note(const json& in, const std::string& key) = 0;
};

// An amount in minor units from an input value: an integer, {"amount_minor", "currency"},
// or an object with "amount_minor". Errors name `what`.
http::Result<std::int64_t> minor_units(const json& v, const std::string& what);
// Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (proleptic Gregorian), for systems that
// take Unix timestamps; nullopt when malformed.
std::optional<std::int64_t> unix_day(const std::string& iso_date);

}  // namespace covenant::adapters::billing
