// CRM and CPQ on Salesforce's REST API (/services/data/v60.0): OAuth2 client credentials,
// sObjects as JSON, upsert by external id (PATCH …/sobjects/Account/External_Id__c/{id},
// which Salesforce makes idempotent), SOQL queries (…/query?q=, following nextRecordsUrl),
// Salesforce CPQ's SBQQ__Quote__c and SBQQ__QuoteLine__c, and its error arrays
// ([{"message", "errorCode", "fields"}]) turned into Permanent errors with its message.
// Tasks and cases are upserted on Covenant_Key__c = the engine's idempotency key, so a
// retried create makes one record.
#pragma once

#include "adapters/crm/crm.hpp"

#include <memory>

namespace covenant::adapters::crm {

inline constexpr const char* kSalesforceApi = "/services/data/v60.0";

class Salesforce final : public Crm, public Cpq {
 public:
  explicit Salesforce(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> find_account(const json& in) override;
  http::Result<json> upsert_account(const json& in, const std::string& key) override;
  http::Result<json> get_opportunity(const json& in) override;
  http::Result<json> list_contacts(const json& in) override;
  http::Result<json> create_task(const json& in, const std::string& key) override;
  http::Result<json> create_case(const json& in, const std::string& key) override;
  http::Result<json> get_quote(const json& in) override;
  http::Result<json> list_quote_lines(const json& in) override;

 private:
  http::Result<json> call(const std::string& method, const std::string& path,
                          const json& body = nullptr);
  http::Result<json> query(const std::string& soql);  // every page's records
  std::shared_ptr<http::Client> http_;
};

// A SOQL string literal: quotes and backslashes escaped.
std::string soql_quote(const std::string& s);

}  // namespace covenant::adapters::crm
