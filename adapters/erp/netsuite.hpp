// ERP on NetSuite's REST record service (/services/rest/record/v1): OAuth2 bearer tokens
// (client credentials at /services/rest/auth/oauth2/v1/token), records as JSON with
// references as {"id"} or {"externalId"}, and writes as upserts on an external id
// (PUT /record/v1/<type>/eid:<external id>, answered 204 with the record in `Location`), so
// a retried write updates the record it made instead of making another. Amounts go out as
// exact decimals. NetSuite's errors ({"o:errorDetails": [{"detail", "o:errorCode"}]}) become
// Permanent errors with its message. Revenue schedules are the custom record
// customrecord_covenant_rev_schedule (docs/adapters.md).
#pragma once

#include "adapters/erp/erp.hpp"

#include <memory>

namespace covenant::adapters::erp {

class NetSuite final : public Erp {
 public:
  explicit NetSuite(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> post_journal_entry(const json& in, const std::string& key) override;
  http::Result<json> create_ar_invoice(const json& in, const std::string& key) override;
  http::Result<json> create_revenue_schedule(const json& in, const std::string& key) override;
  http::Result<json> record_payment_terms(const json& in, const std::string& key) override;

 private:
  // PUT (or PATCH) the record at eid:<external id>, then read it back.
  http::Result<json> upsert(const std::string& type, const std::string& external_id,
                            const std::string& body, const std::string& method = "PUT");
  std::shared_ptr<http::Client> http_;
};

// Minor units as exact decimal text: 480050 with 2 digits → "4800.50".
std::string decimal_text(std::int64_t minor, int digits);

}  // namespace covenant::adapters::erp
