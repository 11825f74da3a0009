#include "sandbox/netsuite.hpp"

#include "adapters/http/decimal.hpp"
#include "workflows/money.hpp"

#include <cstdio>
#include <regex>

#include "sandbox/form.hpp"

namespace covenant::sandbox {

namespace {

using nlohmann::json;
namespace h = adapters::http;

constexpr const char* kNetsuite = "netsuite";
constexpr const char* kRecord = "/services/rest/record/v1/";

Answer ns_error(int status, const std::string& code, const std::string& detail) {
  return {status,
          {{"type", "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1"},
           {"title", status == 404 ? "Not Found" : "Bad Request"},
           {"status", status},
           {"o:errorDetails", json::array({{{"detail", detail}, {"o:errorCode", code}}})}}};
}

bool exists(RecordTx& tx, const std::string& type, const json& ref) {
  if (!ref.is_object()) return false;
  if (ref.contains("externalId"))
    return tx.by_external_id(kNetsuite, type, ref["externalId"]).has_value();
  if (ref.contains("id")) return tx.get(kNetsuite, type, ref["id"]).has_value();
  if (ref.contains("refName"))
    for (const auto& r : tx.list(kNetsuite, type))
      if (r.body.value("name", "") == ref["refName"]) return true;
  return false;
}

std::optional<std::int64_t> minor(const json& v, const std::string& currency) {
  return h::to_minor(v, h::minor_digits(currency));
}

// Checks a record of `type` before it is stored; an error answer, or nullopt when fine.
std::optional<Answer> check(const std::string& type, const json& b, RecordTx& tx) {
  std::string currency = b.contains("currency") ? b["currency"].value("refName", "USD") : "USD";
  if (type == "journalEntry") {
    std::int64_t debits = 0, credits = 0;
    for (const auto& l : b.value("line", json::object()).value("items", json::array())) {
      if (!exists(tx, "account", l.value("account", json())))
        return ns_error(400, "INVALID_KEY_OR_REF",
                        "Invalid account reference key " + l.value("account", json()).dump() + ".");
      for (const char* side : {"debit", "credit"})
        if (l.contains(side)) {
          auto m = minor(l[side], currency);
          if (!m)
            return ns_error(400, "INVALID_FLD_VALUE",
                            std::string("Invalid ") + side + " amount " + l[side].dump() + ".");
          auto& sum = std::string(side) == "debit" ? debits : credits;
          auto next = money::add(sum, *m);
          if (!next)
            return ns_error(400, "INVALID_FLD_VALUE",
                            std::string("The ") + side + "s are too large.");
          sum = *next;
        }
    }
    if (debits != credits || debits == 0)
      return ns_error(400, "USER_ERROR", "The transaction is not in balance.");
  } else if (type == "invoice") {
    if (!exists(tx, "customer", b.value("entity", json())))
      return ns_error(400, "INVALID_KEY_OR_REF",
                      "Invalid entity reference key " + b.value("entity", json()).dump() + ".");
    if (b.contains("terms") && !exists(tx, "term", b["terms"]))
      return ns_error(400, "INVALID_KEY_OR_REF",
                      "Invalid terms reference key " + b["terms"].dump() + ".");
    if (b.value("item", json::object()).value("items", json::array()).empty())
      return ns_error(400, "USER_ERROR",
                      "You must enter at least one line item for this transaction.");
    for (const auto& l : b["item"]["items"])
      if (!minor(l.value("amount", json()), currency))
        return ns_error(400, "INVALID_FLD_VALUE",
                        "Invalid amount " + l.value("amount", json()).dump() + ".");
  } else if (type == "customrecord_covenant_rev_schedule") {
    std::string cur = b.value("custrecord_cov_currency", "");
    auto total = minor(b.value("custrecord_cov_total", json()), cur);
    std::int64_t sum = 0;
    for (const auto& p : b.value("custrecord_cov_periods", json::array())) {
      auto m = minor(p.value("amount", json()), cur);
      if (!m) return ns_error(400, "INVALID_FLD_VALUE", "Invalid period amount.");
      sum += *m;
    }
    if (!total || sum != *total)
      return ns_error(400, "USER_ERROR",
                      "The periods of the revenue schedule do not sum to its total.");
  } else if (type == "customer") {
    if (b.contains("terms") && !exists(tx, "term", b["terms"]))
      return ns_error(400, "INVALID_KEY_OR_REF",
                      "Invalid terms reference key " + b["terms"].dump() + ".");
  } else {
    return ns_error(404, "NONEXISTENT_ID", "The record type [" + type + "] is invalid.");
  }
  return std::nullopt;
}

void put(RecordTx& tx, const std::string& type, const std::string& eid, json body) {
  if (!body.contains("id")) body["id"] = std::to_string(1000 + tx.next("netsuite:id"));
  body["externalId"] = eid;
  tx.put({kNetsuite, type, body["id"], eid, body, 0});
}

}  // namespace

Answer netsuite_token(const json& form, RecordTx& tx) {
  if (form.value("grant_type", "") != "client_credentials" || form.value("client_id", "").empty() ||
      form.value("client_secret", "").empty())
    return {400, {{"error", "invalid_client"}}};
  char token[64];
  std::snprintf(token, sizeof token, "ns_sbx_%08lld",
                static_cast<long long>(tx.next("netsuite:token")));
  tx.put({kNetsuite, "token", token, "", json::object(), 0});
  return {200, {{"access_token", token}, {"token_type", "bearer"}, {"expires_in", 3600}}};
}

bool netsuite_token_valid(const std::string& token, RecordTx& tx) {
  return !token.empty() && tx.get(kNetsuite, "token", token).has_value();
}

Answer netsuite(const std::string& method, const std::string& path, const std::string& body,
                const std::string& base_url, RecordTx& tx, std::string& location) {
  static const std::regex eid_re(R"(^/services/rest/record/v1/([A-Za-z_]+)/eid:(.+)$)");
  static const std::regex id_re(R"(^/services/rest/record/v1/([A-Za-z_]+)/(\d+)$)");
  std::smatch m;
  if ((method == "PUT" || method == "PATCH") && std::regex_match(path, m, eid_re)) {
    json b = h::parse_exact(body);
    if (b.is_discarded() || !b.is_object())
      return ns_error(400, "INVALID_CONTENT", "The request body is not valid JSON.");
    std::string type = m[1], eid = url_decode(m[2]);
    auto existing = tx.by_external_id(kNetsuite, type, eid);
    if (method == "PATCH" && !existing)
      return ns_error(404, "NONEXISTENT_ID", "Record with external ID " + eid + " does not exist.");
    json merged = existing ? existing->body : json::object();
    for (const auto& [k, v] : b.items()) merged[k] = v;
    if (auto refused = check(type, merged, tx)) return *refused;
    if (type == "invoice" && !merged.contains("tranId")) {
      char tran[32];
      std::snprintf(tran, sizeof tran, "INV%05lld",
                    static_cast<long long>(tx.next("netsuite:tran")));
      merged["tranId"] = tran;
    }
    put(tx, type, eid, merged);
    auto stored = tx.by_external_id(kNetsuite, type, eid);
    location = base_url + kRecord + type + "/" + stored->id;
    return {204, nullptr};
  }
  if (method == "GET" && std::regex_match(path, m, id_re)) {
    auto r = tx.get(kNetsuite, m[1], m[2]);
    if (!r) return ns_error(404, "NONEXISTENT_ID", "The record instance does not exist.");
    return {200, r->body};
  }
  return ns_error(404, "NONEXISTENT_ID", "The requested resource does not exist.");
}

void seed_netsuite(RecordTx& tx) {
  if (!tx.list(kNetsuite, "customer").empty()) return;
  const char* customers[][2] = {{"ACC-1001", "Acme Corporation"},
                                {"ACC-1002", "Globex GmbH"},
                                {"ACC-1003", "Initech LLC"},
                                {"ACC-1004", "Acme Widgets Ltd"}};
  for (const auto& c : customers) put(tx, "customer", c[0], {{"companyName", c[1]}});
  const char* accounts[][2] = {{"1000", "Cash"},
                               {"1200", "Accounts Receivable"},
                               {"2400", "Deferred Revenue"},
                               {"4000", "Subscription Revenue"},
                               {"4100", "Services Revenue"}};
  for (const auto& a : accounts) put(tx, "account", a[0], {{"acctName", a[1]}});
  for (const char* t : {"Due on receipt", "Net 15", "Net 30", "Net 45", "Net 60", "2% 10 Net 30"})
    put(tx, "term", t, {{"name", t}});
}

}  // namespace covenant::sandbox
