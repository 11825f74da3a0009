// Contract lifecycle systems (CLM and e-signature) as Covenant reads them: the signed
// document of an executed contract and the references that came with it (the CRM
// opportunity, the CPQ quote, the contract's own id). Two shapes: DocuSign's eSignature REST
// API (an envelope and its combined PDF) and Ironclad's public API (a workflow and its signed
// copy). Reads only: nothing here writes to the CLM. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace covenant::adapters::clm {

using nlohmann::json;

// The largest signed document Covenant fetches (a bigger answer is refused, not truncated).
inline constexpr std::size_t kMaxDocumentBytes = 32u << 20;

struct SignedDocument {
  std::string bytes;       // the document as signed
  std::string media_type;  // application/pdf, text/plain, …
  std::string name;        // where it came from: "docusign:envelope/<id>", …
  // {title, status, completed_at, references: {contract_id?, opportunity_id?, quote_id?}}
  json metadata;
};

class Clm {
 public:
  virtual ~Clm() = default;
  // `ref`: DocuSign {account_id, envelope_id}; Ironclad {workflow_id}. The contract must be
  // executed (an envelope "completed", a workflow "completed"): anything else is refused
  // (Permanent, code "not_executed"), so a draft never starts a contract's billing.
  virtual http::Result<SignedDocument> signed_document(const json& ref) = 0;
};

// DocuSign eSignature REST API v2.1: GET /restapi/v2.1/accounts/{account}/envelopes/{id}
// ?include=custom_fields (status, subject, completion, text custom fields) and
// GET …/envelopes/{id}/documents/combined (the signed PDF). References are the envelope's
// text custom fields named contract_id, opportunity_id and quote_id.
class DocuSign final : public Clm {
 public:
  explicit DocuSign(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<SignedDocument> signed_document(const json& ref) override;

 private:
  std::shared_ptr<http::Client> http_;
};

// Ironclad's public API v1: GET /public/api/v1/workflows/{id} (status, title, attributes)
// and GET /public/api/v1/workflows/{id}/document/signedCopy/download. References are the
// workflow's attributes contractId, opportunityId and quoteId.
class Ironclad final : public Clm {
 public:
  explicit Ironclad(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<SignedDocument> signed_document(const json& ref) override;

 private:
  std::shared_ptr<http::Client> http_;
};

}  // namespace covenant::adapters::clm
