// Intake from CLM systems: what a "contract executed" webhook delivery must be before it
// starts anything. A delivery is signed by the vendor, in the vendor's way —
//   DocuSign Connect: X-DocuSign-Signature-1 (…-2, … while keys rotate) = base64 of
//     HMAC-SHA256(the Connect HMAC key, the raw body); JSON SIM body {event, generatedDateTime,
//     data: {accountId, envelopeId, envelopeSummary?: {customFields: {textCustomFields}}}}.
//   Ironclad: X-Ironclad-Webhook-Event-Id and X-Ironclad-Webhook-Verification {nonce,
//     signAlgorithm, signature, encoding}: an RSA-SHA256 signature, by Ironclad's webhook key,
//     of event id + raw body + nonce; body {companyID, webhookID, payload: {event, workflowID}}.
// — and is read into what the workflow starts with. Unsigned, badly signed, stale (DocuSign's
// generatedDateTime older than the source's max_age, or from the future) and malformed
// deliveries are refused; events the source does not take are ignored. Dedupe (a replayed
// event) is the caller's: by the event id, in the store. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::app::intake {

// One intake endpoint, from covenant.yaml's `intake:` (docs/intake.md).
struct Source {
  std::string name;                    // POST /v1/intake/{name}
  std::string vendor;                  // docusign | ironclad
  std::vector<std::string> hmac_keys;  // docusign: the Connect HMAC keys (any may sign)
  std::string public_key_pem;          // ironclad: the webhook verification key
  std::string ns = "default";          // where its contracts run
  std::string workflow = "contract-to-cash";
  // The workflow for a document of a kind the CLM names (DocuSign's `document_kind` envelope
  // custom field: agreement, msa, sow, order_form, amendment); `workflow` for any other.
  std::map<std::string, std::string> workflow_by_kind;
  std::int64_t max_age_s = 48 * 3600;  // docusign: older deliveries are stale
  std::vector<std::string> events;     // taken; default envelope-completed / workflow_completed
  // DocuSign: the account the envelopes belong to ("" any).
  std::string account_id;
  // Deliveries taken per second, and at once: past them a delivery is answered 429 with
  // Retry-After and not recorded (the vendor sends it again), so a flood of forged deliveries
  // cannot fill the record.
  double per_second = 10, burst = 50;
};

// A delivery read and verified: the vendor's event, its id (what a redelivery repeats), and
// the workflow's start input: {contract_id, document: {clm, …ids}, opportunity_id?,
// quote_id?, intake: {source, event, event_id}}.
struct Delivery {
  std::string event, event_id, contract_id;
  std::string kind;  // the document's kind as the CLM names it ("" unknown)
  nlohmann::json input;
};

// The workflow a delivery starts: the source's for its document's kind, else its default.
inline const std::string& workflow_for(const Source& s, const Delivery& d) {
  auto it = s.workflow_by_kind.find(d.kind);
  return it == s.workflow_by_kind.end() ? s.workflow : it->second;
}

struct Refusal {
  std::string outcome;  // refused | ignored
  std::string reason;   // unsigned, bad_signature, stale, malformed, wrong_account, event
  std::string detail;
};

using HeaderFn = std::function<std::string(const std::string& lower_name)>;

tl::expected<Delivery, Refusal> read_delivery(const Source& source, std::string_view body,
                                              const HeaderFn& header, std::int64_t now_us);

}  // namespace covenant::app::intake
