// The sandbox's CLM systems: DocuSign's eSignature REST API (envelopes with their text custom
// fields, the combined signed PDF) and Ironclad's public API (workflows with attributes, the
// signed copy, the webhook verification key), each behind a bearer token; and their
// "contract executed" webhooks, signed as each vendor signs them, sent on request with faults
// (an unsigned delivery, a bad signature, a stale one, the same event twice):
//   POST /_sandbox/clm/contracts  {vendor, id?, account_id?, title, text | pdf_base64,
//                                  references: {contract_id, opportunity_id, quote_id}, status?}
//   POST /_sandbox/clm/deliver    {vendor, id, url, secret?, fault?, event?, at?}
// (fault: unsigned | bad_signature | stale | replay; at: the delivery's time, RFC 3339)
// Thread-safe (the key pair is made once, then only read).
#pragma once

#include "engine/clock.hpp"

#include <httplib.h>

#include <memory>
#include <string>

#include "sandbox/record_store.hpp"
#include "sandbox/stripe.hpp"

namespace covenant::sandbox {

class ClmSandbox {
 public:
  ClmSandbox(RecordStore& db, const engine::Clock& clock);
  ~ClmSandbox();
  // `injected` applies the fault rules to a request (true: it answered already).
  void install(httplib::Server& http,
               std::function<bool(const httplib::Request&, httplib::Response&)> injected);
  // Ironclad's webhook verification key (PEM), as GET /public/api/v1/webhooks/verification-key
  // serves it.
  const std::string& ironclad_public_pem() const { return public_pem_; }

 private:
  nlohmann::json deliver(const nlohmann::json& order);
  RecordStore& db_;
  const engine::Clock& clock_;
  std::string private_pem_, public_pem_;
};

// DocuSign Connect's signature: base64 of HMAC-SHA256(key, body).
std::string docusign_hmac(const std::string& key, const std::string& body);

}  // namespace covenant::sandbox
