#include "app/intake.hpp"

#include "engine/base64.hpp"
#include "engine/time_format.hpp"
#include "workflows/json_input.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>
#include <regex>

namespace covenant::app::intake {

namespace {

using nlohmann::json;

Refusal refuse(std::string reason, std::string detail) {
  return {"refused", std::move(reason), std::move(detail)};
}

// Vendor ids go into URL paths and the store: letters, digits, '-', '_', '.', at most 80.
bool safe_id(const json& v) {
  static const std::regex id_re(R"(^[A-Za-z0-9_.\-]{1,80}$)");
  return v.is_string() && std::regex_match(v.get_ref<const std::string&>(), id_re);
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac_base64(const std::string& key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return engine::to_base64(std::string_view(reinterpret_cast<const char*>(mac), len));
}

// DocuSign sends one X-DocuSign-Signature-N per active HMAC key: any one matching a key of
// ours is enough.
std::optional<Refusal> check_docusign(const Source& s, std::string_view body,
                                      const HeaderFn& header) {
  std::vector<std::string> sent;
  for (int n = 1; n <= 100; ++n) {
    std::string v = header("x-docusign-signature-" + std::to_string(n));
    if (v.empty()) break;
    sent.push_back(v);
  }
  if (sent.empty())
    return refuse("unsigned", "the delivery has no X-DocuSign-Signature-1 header (HMAC)");
  for (const auto& key : s.hmac_keys) {
    std::string want = hmac_base64(key, body);
    for (const auto& got : sent)
      if (equal_secret(want, got)) return std::nullopt;
  }
  return refuse("bad_signature",
                "no X-DocuSign-Signature header matches an HMAC of the body by this source's key");
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

bool rsa_sha256_verifies(const std::string& public_pem, const std::string& message,
                         const std::string& signature) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) return false;
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::optional<Refusal> check_ironclad(const Source& s, std::string_view body,
                                      const HeaderFn& header, std::string& event_id) {
  event_id = header("x-ironclad-webhook-event-id");
  std::string verification = header("x-ironclad-webhook-verification");
  if (event_id.empty() || verification.empty())
    return refuse("unsigned",
                  "the delivery needs X-Ironclad-Webhook-Event-Id and "
                  "X-Ironclad-Webhook-Verification headers");
  if (!safe_id(json(event_id)))
    return refuse("malformed", "X-Ironclad-Webhook-Event-Id is not an event id");
  auto v = workflows::parse_json_input(verification, 4);
  if (!v || !v->is_object())
    return refuse("unsigned", "X-Ironclad-Webhook-Verification is not a JSON object");
  auto text = [&](const char* k) {
    return v->contains(k) && (*v)[k].is_string() ? (*v)[k].get<std::string>() : std::string();
  };
  std::string nonce = text("nonce"), algorithm = text("signAlgorithm"),
              signature = text("signature"), encoding = text("encoding");
  if (nonce.empty() || signature.empty())
    return refuse("unsigned", "X-Ironclad-Webhook-Verification has no nonce or signature");
  if ((algorithm != "RSA-SHA256" && algorithm != "sha256") || encoding != "base64")
    return refuse("bad_signature", "the signature is not RSA-SHA256 in base64 ('" + algorithm +
                                       "', '" + encoding + "')");
  auto raw = engine::from_base64(signature);
  if (!raw) return refuse("bad_signature", "the signature is not base64");
  std::string message = event_id + std::string(body) + nonce;
  if (!rsa_sha256_verifies(s.public_key_pem, message, *raw))
    return refuse("bad_signature",
                  "the signature does not verify with this source's Ironclad webhook key");
  return std::nullopt;
}

bool takes(const Source& s, const std::string& event, const char* fallback) {
  if (s.events.empty()) return event == fallback;
  return std::find(s.events.begin(), s.events.end(), event) != s.events.end();
}

// DocuSign envelope custom fields named like the start input's references.
bool known_kind(const std::string& k) {
  return k == "agreement" || k == "msa" || k == "sow" || k == "order_form" || k == "amendment";
}

void references_from_custom_fields(const json& summary, json& input, std::string& kind) {
  if (!summary.is_object() || !summary.contains("customFields")) return;
  const json& cf = summary["customFields"];
  if (!cf.is_object() || !cf.contains("textCustomFields") || !cf["textCustomFields"].is_array())
    return;
  for (const auto& f : cf["textCustomFields"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) continue;
    std::string n = f["name"].get<std::string>();
    if ((n == "contract_id" || n == "opportunity_id" || n == "quote_id" ||
         n == "parent_contract_id") &&
        f.contains("value") && safe_id(f["value"]))
      input[n] = f["value"];
    if (n == "document_kind" && f.contains("value") && f["value"].is_string() &&
        known_kind(f["value"].get<std::string>()))
      kind = f["value"].get<std::string>();
  }
}

tl::expected<Delivery, Refusal> read_docusign(const Source& s, const json& b, std::int64_t now_us) {
  if (!b.contains("event") || !b["event"].is_string())
    return tl::unexpected(refuse("malformed", "the body has no 'event' (JSON SIM format)"));
  std::string event = b["event"].get<std::string>();
  if (!b.contains("generatedDateTime") || !b["generatedDateTime"].is_string())
    return tl::unexpected(refuse("malformed", "the body has no 'generatedDateTime'"));
  auto generated = engine::parse_rfc3339(b["generatedDateTime"].get<std::string>());
  if (!generated)
    return tl::unexpected(refuse("malformed", "'generatedDateTime' is not an RFC 3339 time"));
  std::int64_t at = engine::to_micros(*generated);
  if (at < now_us - s.max_age_s * 1'000'000)
    return tl::unexpected(
        refuse("stale", "generated at " + b["generatedDateTime"].get<std::string>() +
                            ", more than " + std::to_string(s.max_age_s) + " s ago"));
  if (at > now_us + 300'000'000)
    return tl::unexpected(refuse("stale", "generated at " +
                                              b["generatedDateTime"].get<std::string>() +
                                              ", more than 5 minutes from now"));
  if (!takes(s, event, "envelope-completed"))
    return tl::unexpected(Refusal{"ignored", "event", "this source does not take '" + event + "'"});
  const json& data = b.contains("data") && b["data"].is_object() ? b["data"] : json::object();
  if (!data.contains("envelopeId") || !safe_id(data["envelopeId"]) || !data.contains("accountId") ||
      !safe_id(data["accountId"]))
    return tl::unexpected(refuse("malformed", "'data' needs an envelopeId and an accountId"));
  std::string account = data["accountId"].get<std::string>();
  if (!s.account_id.empty() && account != s.account_id)
    return tl::unexpected(
        refuse("wrong_account", "account " + account + " is not this source's account"));
  std::string envelope = data["envelopeId"].get<std::string>();
  Delivery d;
  d.event = event;
  // JSON SIM carries no event id: an envelope completes once, so (event, envelope) names it.
  d.event_id = event + ":" + envelope;
  d.input = json::object();
  const json& summary = data.contains("envelopeSummary") ? data["envelopeSummary"] : json();
  references_from_custom_fields(summary, d.input, d.kind);
  d.contract_id = d.input.value("contract_id", envelope);
  d.input["contract_id"] = d.contract_id;
  d.input["document"] = {{"clm", "docusign"}, {"account_id", account}, {"envelope_id", envelope}};
  return d;
}

tl::expected<Delivery, Refusal> read_ironclad(const Source& s, const json& b,
                                              const std::string& event_id) {
  const json& p = b.contains("payload") && b["payload"].is_object() ? b["payload"] : json();
  if (!p.is_object() || !p.contains("event") || !p["event"].is_string())
    return tl::unexpected(refuse("malformed", "the body has no 'payload.event'"));
  std::string event = p["event"].get<std::string>();
  if (!takes(s, event, "workflow_completed"))
    return tl::unexpected(Refusal{"ignored", "event", "this source does not take '" + event + "'"});
  if (!p.contains("workflowID") || !safe_id(p["workflowID"]))
    return tl::unexpected(refuse("malformed", "'payload.workflowID' is not a workflow id"));
  std::string workflow = p["workflowID"].get<std::string>();
  Delivery d;
  d.event = event;
  d.event_id = event_id;
  d.contract_id = workflow;
  d.input = {{"contract_id", workflow},
             {"document", {{"clm", "ironclad"}, {"workflow_id", workflow}}}};
  return d;
}

}  // namespace

tl::expected<Delivery, Refusal> read_delivery(const Source& s, std::string_view body,
                                              const HeaderFn& header, std::int64_t now_us) {
  std::string event_id;
  std::optional<Refusal> bad = s.vendor == "docusign" ? check_docusign(s, body, header)
                                                      : check_ironclad(s, body, header, event_id);
  if (bad) return tl::unexpected(*bad);
  // Signed by the vendor; still read as any outside JSON.
  auto parsed = workflows::parse_json_input(body);
  if (!parsed) return tl::unexpected(refuse("malformed", parsed.error().message));
  if (!parsed->is_object()) return tl::unexpected(refuse("malformed", "the body is not an object"));
  auto d = s.vendor == "docusign" ? read_docusign(s, *parsed, now_us)
                                  : read_ironclad(s, *parsed, event_id);
  if (!d) return d;
  d->input["intake"] = {{"source", s.name}, {"event", d->event}, {"event_id", d->event_id}};
  return d;
}

}  // namespace covenant::app::intake
