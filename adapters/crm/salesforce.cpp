#include "adapters/crm/salesforce.hpp"

#include "adapters/http/decimal.hpp"
#include "adapters/http/input.hpp"

namespace covenant::adapters::crm {

namespace {

http::Error bad_input(const std::string& what) { return http::bad_input("salesforce", what); }

http::Result<std::string> text(const json& in, const char* name, bool required = true) {
  return http::text_field(in, name, "salesforce", required);
}

using http::Error;
using http::Failure;

// Salesforce ids are 15 or 18 alphanumerics; external ids are ours but go into a URL path.
using http::safe_id;

Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_array() && !j.empty() && j[0].is_object()) {
    e.code = j[0].value("errorCode", "");
    e.message = "salesforce: " + j[0].value("message", "error " + std::to_string(r.status));
    if (e.code == "INVALID_SESSION_ID") e.kind = Failure::Transient;  // the client refreshes
    if (e.code == "UNABLE_TO_LOCK_ROW" || e.code == "REQUEST_LIMIT_EXCEEDED")
      e.kind = Failure::Transient;
  }
  return e;
}

// A Salesforce currency field as {amount_minor, currency}; null stays null.
json money(const json& value, const std::string& currency) {
  if (value.is_null() || currency.empty())
    return value.is_null() ? json() : json{{"decimal", value}};
  auto minor = http::to_minor(value, http::minor_digits(currency));
  if (!minor) return json{{"decimal", value}, {"currency", currency}};
  return json{{"amount_minor", *minor}, {"currency", currency}};
}

json account_view(const json& r) {
  return {{"system", "salesforce"},
          {"id", r.value("Id", "")},
          {"name", r.value("Name", "")},
          {"domain", r.value("Website", json())},
          {"tax_id", r.value("Tax_Id__c", json())},
          {"external_id", r.value("External_Id__c", json())},
          {"billing_country", r.value("BillingCountry", json())}};
}

}  // namespace

std::string soql_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

http::Result<json> Salesforce::call(const std::string& method, const std::string& path,
                                    const json& body) {
  http::Request r;
  r.method = method;
  r.path = path.rfind("/services/", 0) == 0 ? path : std::string(kSalesforceApi) + path;
  if (!body.is_null()) {
    r.body = body.dump();
    r.content_type = "application/json";
  }
  auto res = http_->send(r, [this](const http::Response& resp) { return classify(*http_, resp); });
  if (!res) return tl::unexpected(res.error());
  if (res->body.empty()) return json::object();
  auto j = http::parse_exact(res->body);  // currency fields are decimals: keep their text
  if (j.is_discarded())
    return tl::unexpected(
        Error{Failure::Transient, "salesforce: an answer that is not JSON", res->status, ""});
  if (j.is_object()) j["_status"] = res->status;
  return j;
}

http::Result<json> Salesforce::query(const std::string& soql) {
  json records = json::array();
  std::string next = "/query?q=" + http::url_encode(soql);
  for (int pages = 0; !next.empty() && pages < 1000; ++pages) {
    auto page = call("GET", next);
    if (!page) return page;
    for (const auto& rec : (*page)["records"]) records.push_back(rec);
    next = (*page).value("done", true) ? "" : (*page).value("nextRecordsUrl", "");
  }
  return records;
}

http::Result<json> Salesforce::find_account(const json& in) {
  std::vector<std::string> terms;
  if (auto v = text(in, "name", false); v && !v->empty())
    terms.push_back("Name LIKE " + soql_quote("%" + *v + "%"));
  if (auto v = text(in, "domain", false); v && !v->empty())
    terms.push_back("Website LIKE " + soql_quote("%" + *v + "%"));
  if (auto v = text(in, "tax_id", false); v && !v->empty())
    terms.push_back("Tax_Id__c = " + soql_quote(*v));
  if (terms.empty()) return tl::unexpected(bad_input("give a 'name', 'domain' or 'tax_id'"));
  std::string where;
  for (const auto& t : terms) where += (where.empty() ? "" : " OR ") + t;
  auto rows = query(
      "SELECT Id, Name, Website, Tax_Id__c, External_Id__c, BillingCountry FROM "
      "Account WHERE " +
      where + " LIMIT 50");
  if (!rows) return rows;
  json out = json::array();
  for (const auto& r : *rows) out.push_back(account_view(r));
  return json{{"system", "salesforce"}, {"accounts", out}};
}

http::Result<json> Salesforce::upsert_account(const json& in, const std::string&) {
  auto ext = text(in, "external_id");
  auto name = text(in, "name");
  if (!ext) return tl::unexpected(ext.error());
  if (!name) return tl::unexpected(name.error());
  if (!safe_id(*ext))
    return tl::unexpected(bad_input("'external_id' has characters a URL cannot carry"));
  json body = {{"Name", *name}};
  if (auto v = text(in, "domain", false); v && !v->empty()) body["Website"] = *v;
  if (auto v = text(in, "tax_id", false); v && !v->empty()) body["Tax_Id__c"] = *v;
  auto r = call("PATCH", "/sobjects/Account/External_Id__c/" + *ext, body);
  if (!r) return r;
  return json{{"system", "salesforce"},
              {"id", (*r).value("id", "")},
              {"external_id", *ext},
              {"created", (*r).value("created", false)}};
}

http::Result<json> Salesforce::get_opportunity(const json& in) {
  auto id = text(in, "opportunity_id");
  if (!id) return tl::unexpected(id.error());
  if (!safe_id(*id)) return tl::unexpected(bad_input("'opportunity_id' is not an id"));
  auto o = call("GET", "/sobjects/Opportunity/" + *id);
  if (!o) return o;
  return json{{"system", "salesforce"},
              {"id", (*o).value("Id", "")},
              {"name", (*o).value("Name", "")},
              {"account", (*o).value("AccountId", "")},
              {"stage", (*o).value("StageName", "")},
              {"owner", (*o).value("OwnerId", json())},
              {"close_date", (*o).value("CloseDate", json())},
              {"amount", money((*o).value("Amount", json()), (*o).value("CurrencyIsoCode", ""))},
              {"quote", (*o).value("SBQQ__PrimaryQuote__c", json())}};
}

http::Result<json> Salesforce::list_contacts(const json& in) {
  auto account = text(in, "account");
  if (!account) return tl::unexpected(account.error());
  auto rows = query("SELECT Id, FirstName, LastName, Email, Title FROM Contact WHERE AccountId = " +
                    soql_quote(*account));
  if (!rows) return rows;
  json out = json::array();
  for (const auto& r : *rows)
    out.push_back({{"id", r.value("Id", "")},
                   {"name", r.value("FirstName", "") + std::string(" ") + r.value("LastName", "")},
                   {"email", r.value("Email", json())},
                   {"title", r.value("Title", json())}});
  return json{{"system", "salesforce"}, {"contacts", out}};
}

http::Result<json> Salesforce::create_task(const json& in, const std::string& key) {
  auto subject = text(in, "subject");
  if (!subject) return tl::unexpected(subject.error());
  json body = {{"Subject", *subject}, {"Status", "Not Started"}};
  if (auto v = text(in, "account", false); v && !v->empty()) body["WhatId"] = *v;
  if (auto v = text(in, "owner", false); v && !v->empty()) body["OwnerId"] = *v;
  if (auto v = text(in, "due_date", false); v && !v->empty()) body["ActivityDate"] = *v;
  if (auto v = text(in, "description", false); v && !v->empty()) body["Description"] = *v;
  auto r = call("PATCH", "/sobjects/Task/Covenant_Key__c/" + http::url_encode(key), body);
  if (!r) return r;
  return json{{"system", "salesforce"},
              {"id", (*r).value("id", "")},
              {"created", (*r).value("created", false)}};
}

http::Result<json> Salesforce::create_case(const json& in, const std::string& key) {
  auto account = text(in, "account");
  auto subject = text(in, "subject");
  if (!account) return tl::unexpected(account.error());
  if (!subject) return tl::unexpected(subject.error());
  json body = {{"AccountId", *account},
               {"Subject", *subject},
               {"Origin", "Covenant"},
               {"Priority", in.value("priority", "Medium")}};
  if (auto v = text(in, "description", false); v && !v->empty()) body["Description"] = *v;
  auto r = call("PATCH", "/sobjects/Case/Covenant_Key__c/" + http::url_encode(key), body);
  if (!r) return r;
  return json{{"system", "salesforce"},
              {"id", (*r).value("id", "")},
              {"created", (*r).value("created", false)}};
}

http::Result<json> Salesforce::get_quote(const json& in) {
  auto id = text(in, "quote_id");
  if (!id) return tl::unexpected(id.error());
  if (!safe_id(*id)) return tl::unexpected(bad_input("'quote_id' is not an id"));
  auto q = call("GET", "/sobjects/SBQQ__Quote__c/" + *id);
  if (!q) return q;
  return json{{"system", "salesforce"},
              {"id", (*q).value("Id", "")},
              {"account", (*q).value("SBQQ__Account__c", "")},
              {"opportunity", (*q).value("SBQQ__Opportunity2__c", json())},
              {"status", (*q).value("SBQQ__Status__c", "")},
              {"start_date", (*q).value("SBQQ__StartDate__c", json())},
              {"term_months", (*q).value("SBQQ__SubscriptionTerm__c", json())},
              {"net_amount",
               money((*q).value("SBQQ__NetAmount__c", json()), (*q).value("CurrencyIsoCode", ""))}};
}

http::Result<json> Salesforce::list_quote_lines(const json& in) {
  auto id = text(in, "quote_id");
  if (!id) return tl::unexpected(id.error());
  auto rows = query(
      "SELECT Id, SBQQ__Product__c, SBQQ__ProductName__c, SBQQ__Quantity__c, SBQQ__ListPrice__c, "
      "SBQQ__NetPrice__c, SBQQ__Discount__c, SBQQ__SubscriptionTerm__c, SBQQ__StartDate__c, "
      "CurrencyIsoCode FROM "
      "SBQQ__QuoteLine__c WHERE SBQQ__Quote__c = " +
      soql_quote(*id));
  if (!rows) return rows;
  json out = json::array();
  for (const auto& r : *rows) {
    std::string cur = r.value("CurrencyIsoCode", "");
    out.push_back({{"id", r.value("Id", "")},
                   {"product", r.value("SBQQ__Product__c", "")},
                   {"product_name", r.value("SBQQ__ProductName__c", "")},
                   {"quantity", r.value("SBQQ__Quantity__c", json())},
                   {"list_price", money(r.value("SBQQ__ListPrice__c", json()), cur)},
                   {"net_price", money(r.value("SBQQ__NetPrice__c", json()), cur)},
                   {"discount_percent", r.value("SBQQ__Discount__c", json())},
                   {"term_months", r.value("SBQQ__SubscriptionTerm__c", json())},
                   {"start_date", r.value("SBQQ__StartDate__c", json())}});
  }
  return json{{"system", "salesforce"}, {"lines", out}};
}

}  // namespace covenant::adapters::crm
