// The sandbox's NetSuite: OAuth2 client credentials at /services/rest/auth/oauth2/v1/token,
// and the REST record service under /services/rest/record/v1: upserts by external id
// (PUT or PATCH …/<type>/eid:<id> → 204 with Location), reads by internal id, NetSuite's
// error documents, and the checks that matter to Covenant: journal entries must balance,
// references (customers, accounts, terms) must exist, a revenue schedule's periods must sum
// to its total. Seeded with customers (the CRM's external ids), GL accounts and terms.
#pragma once

#include "sandbox/stripe.hpp"

namespace covenant::sandbox {

Answer netsuite(const std::string& method, const std::string& path, const std::string& body,
                const std::string& base_url, RecordTx& tx, std::string& location);
Answer netsuite_token(const nlohmann::json& form, RecordTx& tx);
bool netsuite_token_valid(const std::string& token, RecordTx& tx);
void seed_netsuite(RecordTx& tx);

}  // namespace covenant::sandbox
