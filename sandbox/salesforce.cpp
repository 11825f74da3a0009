#include "sandbox/salesforce.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>

#include "sandbox/form.hpp"

namespace covenant::sandbox {

namespace {

using nlohmann::json;

constexpr const char* kApi = "/services/data/v60.0";
constexpr const char* kSalesforce = "salesforce";

Answer sf_error(int status, const std::string& code, const std::string& message,
                const std::vector<std::string>& fields = {}) {
  return {status, json::array({{{"message", message}, {"errorCode", code}, {"fields", fields}}})};
}

std::string prefix_of(const std::string& object) {
  if (object == "Account") return "001";
  if (object == "Contact") return "003";
  if (object == "Opportunity") return "006";
  if (object == "Task") return "00T";
  if (object == "Case") return "500";
  if (object == "SBQQ__Quote__c") return "a0Q";
  if (object == "SBQQ__QuoteLine__c") return "a0R";
  return "";
}

std::string new_id(RecordTx& tx, const std::string& object) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sSBX%010lldAA", prefix_of(object).c_str(),
                static_cast<long long>(tx.next("salesforce:" + object)));
  return buf;  // 3 + 3 + 10 + 2 = 18 characters, like Salesforce's case-safe ids
}

json with_attributes(const std::string& object, json rec) {
  rec["attributes"] = {
      {"type", object},
      {"url", std::string(kApi) + "/sobjects/" + object + "/" + rec.value("Id", "")}};
  return rec;
}

void insert(RecordTx& tx, const std::string& object, json body, const std::string& external = "") {
  if (!body.contains("Id")) body["Id"] = new_id(tx, object);
  tx.put({kSalesforce, object, body["Id"], external, body, 0});
}

// SOQL: SELECT fields FROM object [WHERE cond {AND|OR cond}] [LIMIT n]
struct Condition {
  std::string field, op, value;
};

bool like(const std::string& v, const std::string& pattern) {
  std::string lv = v, lp = pattern;
  std::transform(lv.begin(), lv.end(), lv.begin(), ::tolower);
  std::transform(lp.begin(), lp.end(), lp.begin(), ::tolower);
  bool starts = !lp.empty() && lp.front() == '%', ends = lp.size() > 1 && lp.back() == '%';
  std::string core = lp.substr(starts ? 1 : 0, lp.size() - (starts ? 1 : 0) - (ends ? 1 : 0));
  if (starts && ends) return lv.find(core) != std::string::npos;
  if (starts)
    return lv.size() >= core.size() && lv.compare(lv.size() - core.size(), core.size(), core) == 0;
  if (ends) return lv.rfind(core, 0) == 0;
  return lv == core;
}

Answer run_soql(const std::string& soql, RecordTx& tx) {
  static const std::regex select_re(
      R"(^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z0-9_]+)(?:\s+WHERE\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$)",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_match(soql, m, select_re))
    return sf_error(400, "MALFORMED_QUERY",
                    "unexpected token: the sandbox reads SELECT … FROM … [WHERE …] [LIMIT n]");
  std::vector<std::string> fields;
  std::string list = m[1];
  for (std::size_t pos = 0; pos <= list.size();) {
    auto comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string f =
        std::regex_replace(list.substr(pos, comma - pos), std::regex(R"(^\s+|\s+$)"), "");
    if (!f.empty()) fields.push_back(f);
    pos = comma + 1;
  }
  std::string object = m[2];
  if (prefix_of(object).empty())
    return sf_error(400, "INVALID_TYPE", "sObject type '" + object + "' is not supported.");
  std::vector<Condition> conds;
  std::string joiner;
  if (m[3].matched) {
    static const std::regex cond_re(
        R"(^\s*([A-Za-z0-9_]+)\s*(=|!=|LIKE)\s*'((?:[^'\\]|\\.)*)'\s*(?:(AND|OR)\s+(.*))?$)",
        std::regex::icase);
    std::string rest = m[3];
    while (!rest.empty()) {
      std::smatch c;
      if (!std::regex_match(rest, c, cond_re))
        return sf_error(
            400, "MALFORMED_QUERY",
            "the sandbox reads conditions of the form Field = 'value' or Field LIKE '%value%'");
      std::string value = std::regex_replace(c[3].str(), std::regex(R"(\\(.))"), "$1");
      std::string op = c[2];
      std::transform(op.begin(), op.end(), op.begin(), ::toupper);
      conds.push_back({c[1], op, value});
      if (c[4].matched) {
        std::string j = c[4];
        std::transform(j.begin(), j.end(), j.begin(), ::toupper);
        if (!joiner.empty() && joiner != j)
          return sf_error(400, "MALFORMED_QUERY",
                          "the sandbox reads WHERE clauses joined by only AND or only OR");
        joiner = j;
        rest = c[5];
      } else {
        rest.clear();
      }
    }
  }
  std::size_t limit = m[4].matched ? std::stoul(m[4]) : 2000;
  json records = json::array();
  for (const auto& r : tx.list(kSalesforce, object)) {
    bool any = false, all = true;
    for (const auto& c : conds) {
      std::string v = r.body.contains(c.field) && r.body[c.field].is_string()
                          ? r.body[c.field].get<std::string>()
                      : r.body.contains(c.field) && !r.body[c.field].is_null()
                          ? r.body[c.field].dump()
                          : "";
      bool ok = c.op == "=" ? v == c.value : c.op == "!=" ? v != c.value : like(v, c.value);
      any = any || ok;
      all = all && ok;
    }
    if (!conds.empty() && !(joiner == "OR" ? any : all)) continue;
    json out;
    for (const auto& f : fields) {
      if (!r.body.contains(f) && f != "Id") {
        static const std::set<std::string> known = {
            "Id",        "Name",     "Website", "Tax_Id__c", "External_Id__c", "BillingCountry",
            "FirstName", "LastName", "Email",   "Title",     "AccountId",      "CurrencyIsoCode"};
        if (!known.count(f) && f.find("SBQQ__") != 0)
          return sf_error(400, "INVALID_FIELD",
                          "No such column '" + f + "' on entity '" + object + "'.");
      }
      out[f] = r.body.contains(f) ? r.body[f] : json();
    }
    records.push_back(with_attributes(object, out));
    if (records.size() == limit) break;
  }
  return {200, {{"totalSize", records.size()}, {"done", true}, {"records", records}}};
}

Answer upsert(const std::string& object, const std::string& field, const std::string& value,
              const json& body, RecordTx& tx) {
  if (!body.is_object())
    return sf_error(400, "JSON_PARSER_ERROR", "The body must be a JSON object.");
  if (body.contains("Id"))
    return sf_error(400, "INVALID_FIELD", "Unable to create/update fields: Id.", {"Id"});
  for (const char* ref : {"AccountId", "WhatId"})
    if (body.contains(ref) && !tx.get(kSalesforce, "Account", body[ref]))
      return sf_error(
          400, "INVALID_CROSS_REFERENCE_KEY",
          std::string(ref) + ": id value of incorrect type: " + body[ref].get<std::string>(),
          {ref});
  std::optional<Record> existing;
  for (const auto& r : tx.list(kSalesforce, object))
    if (r.body.value(field, "") == value) existing = r;
  if (existing) {
    json merged = existing->body;
    for (const auto& [k, v] : body.items()) merged[k] = v;
    tx.put({kSalesforce, object, existing->id, value, merged, 0});
    return {
        200,
        {{"id", existing->id}, {"success", true}, {"errors", json::array()}, {"created", false}}};
  }
  if (object == "Account" && !body.contains("Name"))
    return sf_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", {"Name"});
  if ((object == "Task" || object == "Case") && !body.contains("Subject"))
    return sf_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Subject]",
                    {"Subject"});
  json created = body;
  created[field] = value;
  created["Id"] = new_id(tx, object);
  insert(tx, object, created, value);
  return {201,
          {{"id", created["Id"]}, {"success", true}, {"errors", json::array()}, {"created", true}}};
}

}  // namespace

Answer salesforce_token(const json& form, RecordTx& tx, const std::string& instance_url) {
  if (form.value("grant_type", "") != "client_credentials")
    return {
        400,
        {{"error", "unsupported_grant_type"}, {"error_description", "grant type not supported"}}};
  if (form.value("client_id", "").empty() || form.value("client_secret", "").empty())
    return {400,
            {{"error", "invalid_client"}, {"error_description", "invalid client credentials"}}};
  char token[64];
  std::snprintf(token, sizeof token, "00DSBX!sandbox.%08lld",
                static_cast<long long>(tx.next("salesforce:token")));
  tx.put({kSalesforce, "token", token, "", {{"client_id", form["client_id"]}}, 0});
  return {200,
          {{"access_token", token},
           {"instance_url", instance_url},
           {"token_type", "Bearer"},
           {"issued_at", "0"},
           {"signature", "sandbox"}}};
}

bool salesforce_token_valid(const std::string& token, RecordTx& tx) {
  return !token.empty() && tx.get(kSalesforce, "token", token).has_value();
}

Answer salesforce(const std::string& method, const std::string& path, const std::string& query,
                  const json& body, RecordTx& tx) {
  seed_salesforce(tx);
  std::string api = kApi;
  if (path.rfind(api, 0) != 0)
    return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
  std::string rest = path.substr(api.size());
  if (rest == "/query" && method == "GET") {
    auto q = parse_form(query);
    if (!q.contains("q")) return sf_error(400, "MALFORMED_QUERY", "Missing the q parameter");
    return run_soql(q["q"], tx);
  }
  static const std::regex one_re(R"(^/sobjects/([A-Za-z0-9_]+)/([A-Za-z0-9]{15,18})$)");
  static const std::regex ext_re(R"(^/sobjects/([A-Za-z0-9_]+)/([A-Za-z0-9_]+__c)/(.+)$)");
  std::smatch m;
  if (method == "PATCH" && std::regex_match(rest, m, ext_re)) {
    if (prefix_of(m[1]).empty())
      return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
    return upsert(m[1], m[2], url_decode(m[3]), body, tx);
  }
  if (method == "GET" && std::regex_match(rest, m, one_re)) {
    auto r = tx.get(kSalesforce, m[1], m[2]);
    if (!r) return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
    return {200, with_attributes(m[1], r->body)};
  }
  return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
}

void seed_salesforce(RecordTx& tx) {
  if (!tx.list(kSalesforce, "Account").empty()) return;
  struct A {
    const char* name;
    const char* site;
    const char* tax;
    const char* ext;
    const char* country;
  };
  const A accounts[] = {
      {"Acme Corporation", "acme.com", "US-12-3456789", "ACC-1001", "United States"},
      {"Globex GmbH", "globex.de", "DE123456789", "ACC-1002", "Germany"},
      {"Initech LLC", "initech.com", "US-98-7654321", "ACC-1003", "United States"},
      {"Acme Widgets Ltd", "acmewidgets.co.uk", "GB123456789", "ACC-1004", "United Kingdom"},
  };
  std::vector<std::string> ids;
  for (const auto& a : accounts) {
    json body = {{"Name", a.name},
                 {"Website", a.site},
                 {"Tax_Id__c", a.tax},
                 {"External_Id__c", a.ext},
                 {"BillingCountry", a.country},
                 {"CurrencyIsoCode", std::string(a.country) == "Germany"          ? "EUR"
                                     : std::string(a.country) == "United Kingdom" ? "GBP"
                                                                                  : "USD"}};
    body["Id"] = new_id(tx, "Account");
    ids.push_back(body["Id"]);
    insert(tx, "Account", body, a.ext);
  }
  insert(tx, "Contact",
         {{"FirstName", "Wile"},
          {"LastName", "Coyote"},
          {"Email", "wile@acme.com"},
          {"Title", "VP Finance"},
          {"AccountId", ids[0]}});
  insert(tx, "Contact",
         {{"FirstName", "Road"},
          {"LastName", "Runner"},
          {"Email", "ap@acme.com"},
          {"Title", "Accounts Payable"},
          {"AccountId", ids[0]}});
  insert(tx, "Contact",
         {{"FirstName", "Hank"},
          {"LastName", "Scorpio"},
          {"Email", "hank@globex.de"},
          {"Title", "CEO"},
          {"AccountId", ids[1]}});
  json quote = {{"SBQQ__Account__c", ids[0]},         {"SBQQ__Status__c", "Approved"},
                {"SBQQ__StartDate__c", "2027-02-01"}, {"SBQQ__SubscriptionTerm__c", 12},
                {"CurrencyIsoCode", "USD"},           {"SBQQ__NetAmount__c", "52200.00"}};
  quote["Id"] = new_id(tx, "SBQQ__Quote__c");
  json opp = {{"Name", "Acme — Platform renewal 2027"},
              {"AccountId", ids[0]},
              {"StageName", "Closed Won"},
              {"OwnerId", "005000000000JAN"},
              {"CloseDate", "2027-01-20"},
              {"Amount", "52200.00"},
              {"CurrencyIsoCode", "USD"},
              {"SBQQ__PrimaryQuote__c", quote["Id"]}};
  opp["Id"] = new_id(tx, "Opportunity");
  quote["SBQQ__Opportunity2__c"] = opp["Id"];
  insert(tx, "Opportunity", opp);
  insert(tx, "SBQQ__Quote__c", quote);
  insert(tx, "SBQQ__QuoteLine__c",
         {{"SBQQ__Quote__c", quote["Id"]},
          {"SBQQ__Product__c", "platform"},
          {"SBQQ__ProductName__c", "Platform, annual"},
          {"SBQQ__Quantity__c", 1},
          {"SBQQ__ListPrice__c", "48000.00"},
          {"SBQQ__NetPrice__c", "43200.00"},
          {"SBQQ__Discount__c", "10.0"},
          {"SBQQ__SubscriptionTerm__c", 12},
          {"SBQQ__StartDate__c", "2027-02-01"},
          {"CurrencyIsoCode", "USD"}});
  insert(tx, "SBQQ__QuoteLine__c",
         {{"SBQQ__Quote__c", quote["Id"]},
          {"SBQQ__Product__c", "seats"},
          {"SBQQ__ProductName__c", "Seats"},
          {"SBQQ__Quantity__c", 40},
          {"SBQQ__ListPrice__c", "180.00"},
          {"SBQQ__NetPrice__c", "180.00"},
          {"SBQQ__Discount__c", nullptr},
          {"SBQQ__SubscriptionTerm__c", 12},
          {"SBQQ__StartDate__c", "2027-02-01"},
          {"CurrencyIsoCode", "USD"}});
  insert(tx, "SBQQ__QuoteLine__c",
         {{"SBQQ__Quote__c", quote["Id"]},
          {"SBQQ__Product__c", "onboarding"},
          {"SBQQ__ProductName__c", "Onboarding (one-off)"},
          {"SBQQ__Quantity__c", 1},
          {"SBQQ__ListPrice__c", "1800.00"},
          {"SBQQ__NetPrice__c", "1800.00"},
          {"SBQQ__Discount__c", nullptr},
          {"SBQQ__SubscriptionTerm__c", nullptr},
          {"SBQQ__StartDate__c", "2027-02-01"},
          {"CurrencyIsoCode", "USD"}});
}

json add_cpq_quote(const json& order, RecordTx& tx) {
  seed_salesforce(tx);
  if (!order.is_object() || !order.contains("lines") || !order["lines"].is_array() ||
      order["lines"].empty())
    return {{"error", "give {lines: [{product, name, quantity, net_price, …}], …}"}};
  std::string account;
  if (order.contains("account") && order["account"].is_string()) {
    account = order["account"];
  } else {
    auto accounts = tx.list(kSalesforce, "Account");
    account = accounts.front().body.value("Id", "");
  }
  std::string currency = order.value("currency", json("USD")).is_string()
                             ? order.value("currency", json("USD")).get<std::string>()
                             : "USD";
  json quote = {{"SBQQ__Account__c", account},
                {"SBQQ__Status__c", "Approved"},
                {"SBQQ__Type__c", "Amendment"},
                {"SBQQ__StartDate__c", order.value("start_date", json())},
                {"SBQQ__SubscriptionTerm__c", order.value("term_months", json())},
                {"CurrencyIsoCode", currency}};
  quote["Id"] = new_id(tx, "SBQQ__Quote__c");
  insert(tx, "SBQQ__Quote__c", quote);
  for (const auto& l : order["lines"]) {
    if (!l.is_object()) return {{"error", "each line is an object"}};
    insert(tx, "SBQQ__QuoteLine__c",
           {{"SBQQ__Quote__c", quote["Id"]},
            {"SBQQ__Product__c", l.value("product", json())},
            {"SBQQ__ProductName__c", l.value("name", json())},
            {"SBQQ__Quantity__c", l.value("quantity", json(1))},
            {"SBQQ__ListPrice__c", l.value("list_price", l.value("net_price", json()))},
            {"SBQQ__NetPrice__c", l.value("net_price", json())},
            {"SBQQ__Discount__c", nullptr},
            {"SBQQ__SubscriptionTerm__c", l.value("term_months", json())},
            {"SBQQ__StartDate__c", order.value("start_date", json())},
            {"CurrencyIsoCode", currency}});
  }
  return {{"quote_id", quote["Id"]}};
}

}  // namespace covenant::sandbox
