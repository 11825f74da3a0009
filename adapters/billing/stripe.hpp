// Billing on Stripe's API (https://api.stripe.com): form-encoded bodies with bracketed
// nesting, the secret key as a bearer token, every write with an Idempotency-Key derived
// from the engine's key (Stripe replays the first answer for a repeated key), and Stripe's
// error objects turned into Permanent errors carrying Stripe's message. Customers are found
// by metadata[external_id]; products use the external id as their Stripe id; prices carry
// it as their lookup_key.
#pragma once

#include "adapters/billing/billing.hpp"

#include <memory>

namespace covenant::adapters::billing {

class Stripe final : public Billing {
 public:
  explicit Stripe(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> upsert_customer(const json& in, const std::string& key) override;
  http::Result<json> upsert_product(const json& in, const std::string& key) override;
  http::Result<json> upsert_price(const json& in, const std::string& key) override;
  http::Result<json> create_subscription(const json& in, const std::string& key) override;
  http::Result<json> create_subscription_schedule(const json& in, const std::string& key) override;
  http::Result<json> update_subscription(const json& in, const std::string& key) override;
  http::Result<json> create_invoice(const json& in, const std::string& key) override;
  http::Result<json> create_invoice_item(const json& in, const std::string& key) override;
  http::Result<json> finalize_invoice(const json& in, const std::string& key) override;
  http::Result<json> list_invoices(const json& in) override;
  http::Result<json> create_credit_note(const json& in, const std::string& key) override;

 private:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  http::Result<json> call(const std::string& method, const std::string& path, const Fields& f,
                          const std::string& idempotency_key);
  std::shared_ptr<http::Client> http_;
};

}  // namespace covenant::adapters::billing
