#include "sandbox/clm.hpp"

#include "engine/base64.hpp"
#include "engine/time_format.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <regex>

namespace covenant::sandbox {

namespace {

using nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string rsa_sign_base64(const std::string& private_pem, const std::string& message) {
  std::unique_ptr<BIO, BioFree> b(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> k(
      PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (!k || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
    return "";
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1)
    return "";
  sig.resize(len);
  return engine::to_base64(sig);
}

void clm_reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// What the API shows of a record: its body without the sandbox's own fields (_…).
json visible(json body) {
  for (auto it = body.begin(); it != body.end();)
    it = it.key().rfind('_', 0) == 0 ? body.erase(it) : std::next(it);
  return body;
}

bool bearer(const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  return auth.rfind("Bearer ", 0) == 0 && auth.size() > 7;
}

}  // namespace

std::string docusign_hmac(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return engine::to_base64(std::string_view(reinterpret_cast<const char*>(mac), len));
}

ClmSandbox::ClmSandbox(RecordStore& db, const engine::Clock& clock) : db_(db), clock_(clock) {
  std::unique_ptr<EVP_PKEY, PkeyFree> k(EVP_RSA_gen(2048));
  if (!k) return;
  std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem())), pub(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(priv.get(), k.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1)
    private_pem_ = bio_text(priv.get());
  if (PEM_write_bio_PUBKEY(pub.get(), k.get()) == 1) public_pem_ = bio_text(pub.get());
}

ClmSandbox::~ClmSandbox() = default;

void ClmSandbox::install(
    httplib::Server& http,
    std::function<bool(const httplib::Request&, httplib::Response&)> injected) {
  // DocuSign: an envelope, and its combined signed document.
  http.Get(R"(/restapi/v2\.1/accounts/([^/]+)/envelopes/([^/]+)(/documents/combined)?)",
           [this, injected](const httplib::Request& req, httplib::Response& res) {
             if (injected(req, res)) return;
             if (!bearer(req))
               return clm_reply(res, 401,
                                {{"errorCode", "AUTHORIZATION_INVALID_TOKEN"},
                                 {"message",
                                  "The access token provided is expired, revoked or "
                                  "malformed."}});
             std::optional<Record> env;
             auto r = db_.run(
                 [&](RecordTx& tx) { env = tx.get("docusign", "envelope", req.matches[2]); });
             if (!r) return clm_reply(res, 500, {{"errorCode", "UNSPECIFIED_ERROR"}});
             if (!env || env->body.value("accountId", "") != req.matches[1].str())
               return clm_reply(res, 404,
                                {{"errorCode", "ENVELOPE_DOES_NOT_EXIST"},
                                 {"message",
                                  "The envelope specified either does not exist or "
                                  "you have no rights to it."}});
             if (req.matches[3].length() == 0) return clm_reply(res, 200, visible(env->body));
             auto bytes = engine::from_base64(env->body.value("_document", ""));
             res.status = 200;
             res.set_content(bytes.value_or(""), env->body.value("_media_type", "application/pdf"));
           });
  // Ironclad: a workflow, its signed copy, and the webhook verification key.
  http.Get("/public/api/v1/webhooks/verification-key",
           [this](const httplib::Request&, httplib::Response& res) {
             res.status = 200;
             res.set_content(public_pem_, "application/x-pem-file");
           });
  http.Get(
      R"(/public/api/v1/workflows/([^/]+)(/document/signedCopy/download)?)",
      [this, injected](const httplib::Request& req, httplib::Response& res) {
        if (injected(req, res)) return;
        if (!bearer(req))
          return clm_reply(res, 401, {{"code", "UNAUTHORIZED"}, {"message", "Unauthorized"}});
        std::optional<Record> wf;
        auto r =
            db_.run([&](RecordTx& tx) { wf = tx.get("ironclad", "workflow", req.matches[1]); });
        if (!r) return clm_reply(res, 500, {{"code", "INTERNAL"}});
        if (!wf)
          return clm_reply(res, 404, {{"code", "NOT_FOUND"}, {"message", "Workflow not found"}});
        if (req.matches[2].length() == 0) return clm_reply(res, 200, visible(wf->body));
        auto bytes = engine::from_base64(wf->body.value("_document", ""));
        res.status = 200;
        res.set_content(bytes.value_or(""), wf->body.value("_media_type", "application/pdf"));
      });
  http.Post("/_sandbox/clm/contracts", [this](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("vendor") || !j["vendor"].is_string())
      return clm_reply(res, 400, {{"error", "give {vendor: docusign|ironclad, …}"}});
    std::string vendor = j["vendor"].get<std::string>();
    if (vendor != "docusign" && vendor != "ironclad")
      return clm_reply(res, 400, {{"error", "vendor is docusign or ironclad"}});
    std::string bytes, media = "application/pdf";
    if (j.contains("text") && j["text"].is_string()) {
      bytes = j["text"].get<std::string>();
      media = "text/plain";
    } else if (j.contains("pdf_base64") && j["pdf_base64"].is_string()) {
      auto raw = engine::from_base64(j["pdf_base64"].get<std::string>());
      if (!raw) return clm_reply(res, 400, {{"error", "pdf_base64 is not base64"}});
      bytes = *raw;
    } else {
      return clm_reply(res, 400, {{"error", "give the document as text or pdf_base64"}});
    }
    json refs = j.value("references", json::object());
    std::string completed = engine::format_rfc3339(clock_.now());
    json out;
    auto r = db_.run([&](RecordTx& tx) {
      std::string id = j.value("id", "");
      if (vendor == "docusign") {
        if (id.empty()) id = "env-" + std::to_string(tx.next("docusign_envelope"));
        json fields = json::array();
        for (const auto& [k, v] : refs.items()) fields.push_back({{"name", k}, {"value", v}});
        json body = {{"envelopeId", id},
                     {"accountId", j.value("account_id", "acct-covenant-demo")},
                     {"status", j.value("status", "completed")},
                     {"emailSubject", j.value("title", "Please sign")},
                     {"sender",
                      {{"userName", "Contracts Desk"},
                       {"email", j.value("sender_email", "contracts@covenant.test")}}},
                     {"completedDateTime", completed},
                     {"customFields", {{"textCustomFields", fields}}},
                     {"_document", engine::to_base64(bytes)},
                     {"_media_type", media}};
        tx.put({"docusign", "envelope", id, "", body, 0});
        out = visible(body);
      } else {
        if (id.empty()) id = "wf-" + std::to_string(tx.next("ironclad_workflow"));
        json attrs = json::object();
        if (refs.contains("contract_id")) attrs["contractId"] = refs["contract_id"];
        if (refs.contains("opportunity_id")) attrs["opportunityId"] = refs["opportunity_id"];
        if (refs.contains("quote_id")) attrs["quoteId"] = refs["quote_id"];
        if (refs.contains("parent_contract_id"))
          attrs["parentContractId"] = refs["parent_contract_id"];
        json body = {{"id", id},
                     {"title", j.value("title", "Contract")},
                     {"status", j.value("status", "completed")},
                     {"lastUpdated", completed},
                     {"attributes", attrs},
                     {"_document", engine::to_base64(bytes)},
                     {"_media_type", media}};
        tx.put({"ironclad", "workflow", id, "", body, 0});
        out = visible(body);
      }
    });
    if (!r) return clm_reply(res, 500, {{"error", r.error().message}});
    clm_reply(res, 201, out);
  });
  http.Post("/_sandbox/clm/deliver", [this](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("url") || !j["url"].is_string() || !j.contains("id"))
      return clm_reply(res, 400, {{"error", "give {vendor, id, url, secret?, fault?}"}});
    json out = deliver(j);
    clm_reply(res, out.contains("error") ? 400 : 200, out);
  });
}

// Builds the vendor's delivery for one contract, signs it (or, with a fault, does not, or
// signs wrongly, or dates it two days back), and posts it to `url` — twice for "replay".
json ClmSandbox::deliver(const json& order) {
  std::string vendor = order.value("vendor", "docusign");
  std::string id = order["id"].is_string() ? order["id"].get<std::string>() : "";
  std::string fault = order.value("fault", "");
  static const std::regex url_re(R"(^(http://[^/]+)(/.*)$)");
  std::smatch m;
  std::string url = order["url"].get<std::string>();
  if (!std::regex_match(url, m, url_re)) return {{"error", "url must be http://host:port/path"}};
  std::optional<Record> rec;
  std::int64_t seq = 0;
  auto r = db_.run([&](RecordTx& tx) {
    rec = tx.get(vendor, vendor == "docusign" ? "envelope" : "workflow", id);
    seq = tx.next("clm_delivery");
  });
  if (!r) return {{"error", r.error().message}};
  if (!rec) return {{"error", "no " + vendor + " contract " + id}};
  auto when = clock_.now();
  if (order.contains("at") && order["at"].is_string())  // a test's own clock
    if (auto at = engine::parse_rfc3339(order["at"].get<std::string>())) when = *at;
  if (fault == "stale") when -= std::chrono::hours(72);
  std::string body;
  httplib::Headers headers;
  if (vendor == "docusign") {
    json summary = {{"status", rec->body.value("status", "")},
                    {"emailSubject", rec->body.value("emailSubject", "")},
                    {"customFields", rec->body.value("customFields", json::object())}};
    body = json{{"event", order.value("event", "envelope-completed")},
                {"apiVersion", "v2.1"},
                {"uri",
                 "/restapi/v2.1/accounts/" + rec->body.value("accountId", "") + "/envelopes/" + id},
                {"retryCount", 0},
                {"configurationId", 10'472'311},
                {"generatedDateTime", engine::format_rfc3339(when)},
                {"data",
                 {{"accountId", rec->body.value("accountId", "")},
                  {"userId", "user-covenant-sandbox"},
                  {"envelopeId", id},
                  {"envelopeSummary", summary}}}}
               .dump();
    std::string key = order.value("secret", "");
    if (fault == "bad_signature") key += "-not-the-key";
    if (fault != "unsigned") headers.emplace("X-DocuSign-Signature-1", docusign_hmac(key, body));
    headers.emplace("X-Authorization-Digest", "HMACSHA256");
  } else {
    std::string event_id = "webhookEvent" + std::to_string(seq);
    body = json{{"companyID", "company-covenant-sandbox"},
                {"webhookID", "webhook-1"},
                {"payload",
                 {{"event", order.value("event", "workflow_completed")},
                  {"templateID", "template-msa"},
                  {"workflowID", id}}}}
               .dump();
    std::string nonce = "nonce" + std::to_string(seq * 7919 + 13);
    std::string signed_part = fault == "bad_signature" ? body + " " : body;
    if (fault != "unsigned") {
      json v = {{"nonce", nonce},
                {"signAlgorithm", "RSA-SHA256"},
                {"signature", rsa_sign_base64(private_pem_, event_id + signed_part + nonce)},
                {"encoding", "base64"}};
      headers.emplace("X-Ironclad-Webhook-Verification", v.dump());
    }
    headers.emplace("X-Ironclad-Webhook-Event-Id", event_id);
  }
  json results = json::array();
  httplib::Client client(m[1].str());
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(30));
  for (int n = 0; n < (fault == "replay" ? 2 : 1); ++n) {
    auto res = client.Post(m[2].str(), headers, body, "application/json");
    if (!res)
      results.push_back({{"status", 0}, {"error", httplib::to_string(res.error())}});
    else
      results.push_back(
          {{"status", res->status}, {"body", json::parse(res->body, nullptr, false)}});
  }
  return {{"deliveries", results}, {"body", body}};
}

}  // namespace covenant::sandbox
