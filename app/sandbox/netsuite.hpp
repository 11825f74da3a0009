// The sandbox's NetSuite: OAuth2 client credentials at /services/rest/auth/oauth2/v1/token,
// and the REST record service under /services/rest/record/v1: upserts by external id
// (PUT or PATCH …/<type>/eid:<id> → 204 with Location), reads by internal id, NetSuite's
// error documents, and the checks that matter to Covenant: journal entries must balance,
// references (customers, accounts, terms) must exist, a revenue schedule's periods must sum
// to its total. Seeded with customers (the CRM's external ids), GL accounts and terms.
#pragma once

#include "app/sandbox/stripe.hpp"

namespace covenant::app::sandbox {

Answer netsuite(const std::string& method, const std::string& path, const std::string& body,
                const std::string& base_url, engine::store::RecordTx& tx, std::string& location);
Answer netsuite_token(const nlohmann::json& form, engine::store::RecordTx& tx);
bool netsuite_token_valid(const std::string& token, engine::store::RecordTx& tx);
void seed_netsuite(engine::store::RecordTx& tx);

}  // namespace covenant::app::sandbox
