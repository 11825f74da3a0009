#include "adapters/clm/clm.hpp"

#include "adapters/calendar/calendar.hpp"
#include "adapters/http/input.hpp"

namespace covenant::adapters::clm {

namespace {

using http::Error;
using http::Failure;

// DocuSign says {"errorCode", "message"}; Ironclad {"code", "message"}.
Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_object()) {
    for (const char* k : {"errorCode", "code"})
      if (j.contains(k) && j[k].is_string()) e.code = j[k].get<std::string>();
    if (j.contains("message") && j["message"].is_string())
      e.message = client.options().system + ": " + j["message"].get<std::string>();
  }
  return e;
}

using http::id_field;
using http::safe_id;

http::Result<http::Response> get(http::Client& client, const std::string& path) {
  http::Request r;
  r.path = path;
  return client.send(r, [&client](const http::Response& resp) { return classify(client, resp); });
}

http::Result<json> get_json(http::Client& client, const std::string& path) {
  auto res = get(client, path);
  if (!res) return tl::unexpected(res.error());
  auto j = http::parse_answer(res->body);
  if (!j.is_object())
    return tl::unexpected(Error{Failure::Transient,
                                client.options().system + ": an answer that is not a JSON object",
                                res->status, ""});
  return j;
}

// The signed document's answer: not empty, not past kMaxDocumentBytes.
http::Result<http::Response> document(http::Client& client, const std::string& path) {
  auto res = get(client, path);
  if (!res) return tl::unexpected(res.error());
  if (res->body.empty())
    return tl::unexpected(Error{Failure::Transient,
                                client.options().system + ": the signed document came back empty",
                                res->status, ""});
  if (res->body.size() > kMaxDocumentBytes)
    return tl::unexpected(Error{Failure::Permanent,
                                client.options().system + ": the signed document is " +
                                    std::to_string(res->body.size()) + " bytes, more than the " +
                                    std::to_string(kMaxDocumentBytes) + " Covenant reads",
                                res->status, "too_large"});
  return res;
}

// What the system says the document is: text or (the default, and what both send) a PDF.
std::string media_type_of(const http::Response& r) {
  return r.header("content-type").rfind("text/plain", 0) == 0 ? "text/plain" : "application/pdf";
}

// A reference value from the CLM: kept when it is short printable text, else left out (it
// names a CRM or CPQ record, so a bad one would only fail later, further from its cause).
void keep_reference(json& refs, const char* name, const json& v) {
  if (!v.is_string()) return;
  const auto& s = v.get_ref<const std::string&>();
  if (safe_id(s)) refs[name] = s;
}

}  // namespace

http::Result<SignedDocument> DocuSign::signed_document(const json& ref) {
  const std::string system = "docusign";
  auto account = id_field(ref, "account_id", system);
  if (!account) return tl::unexpected(account.error());
  auto envelope = id_field(ref, "envelope_id", system);
  if (!envelope) return tl::unexpected(envelope.error());
  std::string base = "/restapi/v2.1/accounts/" + *account + "/envelopes/" + *envelope;
  auto env = get_json(*http_, base + "?include=custom_fields");
  if (!env) return tl::unexpected(env.error());
  std::string status = env->value("status", "");
  if (status != "completed")
    return tl::unexpected(Error{Failure::Permanent,
                                "docusign: envelope " + *envelope + " is '" + status +
                                    "', not completed: only an executed contract is taken in",
                                0, "not_executed"});
  json refs = json::object();
  const json& fields = env->contains("customFields") && (*env)["customFields"].is_object()
                           ? (*env)["customFields"]
                           : json::object();
  if (fields.contains("textCustomFields") && fields["textCustomFields"].is_array())
    for (const auto& f : fields["textCustomFields"]) {
      if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) continue;
      std::string n = f["name"].get<std::string>();
      if (n == "contract_id" || n == "opportunity_id" || n == "quote_id" ||
          n == "parent_contract_id")
        keep_reference(refs, n.c_str(), f.value("value", json()));
    }
  auto doc = document(*http_, base + "/documents/combined");
  if (!doc) return tl::unexpected(doc.error());
  SignedDocument out;
  out.bytes = std::move(doc->body);
  out.media_type = media_type_of(*doc);
  out.name = "docusign:envelope/" + *envelope;
  out.metadata = {{"system", system},   {"title", env->value("emailSubject", json())},
                  {"status", status},   {"completed_at", env->value("completedDateTime", json())},
                  {"references", refs}, {"owner", nullptr}};
  // Who sent the envelope for signature (the deal's owner): invited to its deadlines.
  if (env->contains("sender") && (*env)["sender"].is_object()) {
    const json& email = (*env)["sender"].value("email", json());
    if (email.is_string() && calendar::valid_address(email.get<std::string>()))
      out.metadata["owner"] = email;
  }
  return out;
}

http::Result<SignedDocument> Ironclad::signed_document(const json& ref) {
  const std::string system = "ironclad";
  auto workflow = id_field(ref, "workflow_id", system);
  if (!workflow) return tl::unexpected(workflow.error());
  std::string base = "/public/api/v1/workflows/" + *workflow;
  auto wf = get_json(*http_, base);
  if (!wf) return tl::unexpected(wf.error());
  std::string status = wf->value("status", "");
  if (status != "completed")
    return tl::unexpected(Error{Failure::Permanent,
                                "ironclad: workflow " + *workflow + " is '" + status +
                                    "', not completed: only an executed contract is taken in",
                                0, "not_executed"});
  json refs = json::object();
  const json& attrs = wf->contains("attributes") && (*wf)["attributes"].is_object()
                          ? (*wf)["attributes"]
                          : json::object();
  keep_reference(refs, "contract_id", attrs.value("contractId", json()));
  keep_reference(refs, "opportunity_id", attrs.value("opportunityId", json()));
  keep_reference(refs, "quote_id", attrs.value("quoteId", json()));
  keep_reference(refs, "parent_contract_id", attrs.value("parentContractId", json()));
  auto doc = document(*http_, base + "/document/signedCopy/download");
  if (!doc) return tl::unexpected(doc.error());
  SignedDocument out;
  out.bytes = std::move(doc->body);
  out.media_type = media_type_of(*doc);
  out.name = "ironclad:workflow/" + *workflow;
  out.metadata = {
      {"system", system},   {"title", wf->value("title", json())},
      {"status", status},   {"completed_at", wf->value("lastUpdated", json())},
      {"references", refs}, {"owner", nullptr}};  // Ironclad's completed event names no owner
  return out;
}

}  // namespace covenant::adapters::clm
