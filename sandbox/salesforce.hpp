// The sandbox's Salesforce: OAuth2 client credentials at /services/oauth2/token, and under
// /services/data/v60.0 sObject reads, upserts by external id, and SOQL queries
// (SELECT fields FROM object [WHERE a = 'x' AND|OR b LIKE '%y%' …] [LIMIT n]), with
// Salesforce's 18-character ids and error arrays. Seeded on first use with realistic
// accounts, contacts, opportunities and Salesforce CPQ quotes (SBQQ__Quote__c) and lines.
// Pure over a RecordTx.
#pragma once

#include "sandbox/stripe.hpp"

namespace covenant::sandbox {

// The answer to one Salesforce request (auth already checked). `body` is the JSON body.
Answer salesforce(const std::string& method, const std::string& path, const std::string& query,
                  const nlohmann::json& body, RecordTx& tx);
// Issues an access token for client credentials; 400 invalid_client when they are wrong.
Answer salesforce_token(const nlohmann::json& form, RecordTx& tx, const std::string& instance_url);
bool salesforce_token_valid(const std::string& token, RecordTx& tx);
// Adds the seed records when the sandbox has no accounts yet.
void seed_salesforce(RecordTx& tx);
// A CPQ quote with its lines, as Salesforce CPQ keeps an amendment quote: {account (an Account
// Id, else the first seeded account's), start_date, term_months, currency, lines: [{product,
// name, quantity, list_price, net_price, term_months}]}. {quote_id} or {error}.
nlohmann::json add_cpq_quote(const nlohmann::json& order, RecordTx& tx);

}  // namespace covenant::sandbox
