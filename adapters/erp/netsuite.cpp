#include "adapters/erp/netsuite.hpp"

#include "adapters/http/decimal.hpp"
#include "adapters/http/input.hpp"
#include "workflows/money.hpp"

#include <regex>

namespace covenant::adapters::erp {

namespace {

http::Error bad_input(const std::string& what) { return http::bad_input("netsuite", what); }

http::Result<std::string> text(const json& in, const char* name, bool required = true) {
  return http::text_field(in, name, "netsuite", required);
}

using http::Error;
using http::Failure;

constexpr const char* kRecord = "/services/rest/record/v1/";

Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_object() && j.contains("o:errorDetails") && j["o:errorDetails"].is_array() &&
      !j["o:errorDetails"].empty()) {
    const auto& d = j["o:errorDetails"][0];
    e.code = d.value("o:errorCode", "");
    e.message = "netsuite: " + d.value("detail", j.value("title", "error"));
    if (e.code == "CONCURRENCY_LIMIT_EXCEEDED") e.kind = Failure::Transient;
  }
  return e;
}

// An external id usable in a URL path (NetSuite's eid: keys): the input's, else the key
// made safe by hashing-free substitution of the characters a path cannot carry.
std::string external_id(const json& in, const std::string& key) {
  std::string id = in.value("external_id", key);
  for (auto& ch : id)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
      ch = '_';
  return id;
}

// Serialises `body`, writing each {"__decimal": "12.34"} as the bare number 12.34.
std::string with_decimals(const json& body) {
  static const std::regex marker(R"re(\{"__decimal":"(-?\d+(?:\.\d+)?)"\})re");
  return std::regex_replace(body.dump(), marker, "$1");
}

json decimal(std::int64_t minor, const std::string& currency) {
  return {{"__decimal", decimal_text(minor, http::minor_digits(currency))}};
}

http::Result<std::int64_t> amount_of(const json& line, const std::string& what) {
  const json& a = line.contains("amount") ? line["amount"] : line;
  if (a.is_number_integer()) return a.get<std::int64_t>();
  if (a.is_object() && a.contains("amount_minor") && a["amount_minor"].is_number_integer())
    return a["amount_minor"].get<std::int64_t>();
  return tl::unexpected(bad_input(what + " needs an amount in integer minor units"));
}

}  // namespace

std::string decimal_text(std::int64_t minor, int digits) {
  bool negative = minor < 0;
  std::string s = std::to_string(negative ? -minor : minor);
  if (digits == 0) return (negative ? "-" : "") + s;
  if (s.size() <= static_cast<std::size_t>(digits))
    s.insert(0, static_cast<std::size_t>(digits) + 1 - s.size(), '0');
  s.insert(s.size() - static_cast<std::size_t>(digits), ".");
  return (negative ? "-" : "") + s;
}

http::Result<json> NetSuite::upsert(const std::string& type, const std::string& eid,
                                    const std::string& body, const std::string& method) {
  http::Request r;
  r.method = method;
  r.path = std::string(kRecord) + type + "/eid:" + http::url_encode(eid);
  r.body = body;
  r.content_type = "application/json";
  auto put = http_->send(r, [this](const http::Response& resp) { return classify(*http_, resp); });
  if (!put) return tl::unexpected(put.error());
  std::string location = put->header("location");
  http::Request get;
  get.path = location.empty() ? r.path : location.substr(location.find(kRecord));
  auto read =
      http_->send(get, [this](const http::Response& resp) { return classify(*http_, resp); });
  if (!read) return tl::unexpected(read.error());
  auto j = http::parse_exact(read->body);
  if (j.is_discarded())
    return tl::unexpected(
        Error{Failure::Transient, "netsuite: an answer that is not JSON", read->status, ""});
  return j;
}

http::Result<json> NetSuite::post_journal_entry(const json& in, const std::string& key) {
  auto date = text(in, "date");
  if (!date) return tl::unexpected(date.error());
  if (!in.contains("lines") || !in["lines"].is_array() || in["lines"].size() < 2)
    return tl::unexpected(bad_input("'lines' must list at least two lines"));
  std::int64_t debits = 0, credits = 0;
  std::string currency = in.value("currency", "USD");
  json lines = json::array();
  for (std::size_t i = 0; i < in["lines"].size(); ++i) {
    const auto& l = in["lines"][i];
    std::string what = "lines[" + std::to_string(i) + "]";
    auto account = text(l, "account");
    if (!account) return tl::unexpected(bad_input(what + " needs an 'account'"));
    auto amount = amount_of(l, what);
    if (!amount) return tl::unexpected(amount.error());
    std::string side = l.value("side", "");
    if (side != "debit" && side != "credit")
      return tl::unexpected(bad_input(what + ": 'side' must be debit or credit"));
    auto& sum = side == "debit" ? debits : credits;
    auto next = money::add(sum, *amount);
    if (!next)
      return tl::unexpected(bad_input(what + ": the " + side + "s pass 2^63 − 1 minor units"));
    sum = *next;
    json line = {{"account", {{"externalId", *account}}}, {"memo", l.value("memo", "")}};
    line[side] = decimal(*amount, currency);
    lines.push_back(line);
  }
  if (debits != credits)
    return tl::unexpected(bad_input("the entry does not balance: debits " + std::to_string(debits) +
                                    " ≠ credits " + std::to_string(credits) + " (minor units)"));
  json body = {{"tranDate", *date},
               {"memo", in.value("memo", "")},
               {"currency", {{"refName", currency}}},
               {"line", {{"items", lines}}}};
  std::string eid = external_id(in, key);
  auto r = upsert("journalEntry", eid, with_decimals(body));
  if (!r) return r;
  return json{{"system", "netsuite"},
              {"id", (*r).value("id", "")},
              {"external_id", eid},
              {"total_minor", debits},
              {"currency", currency}};
}

http::Result<json> NetSuite::create_ar_invoice(const json& in, const std::string& key) {
  auto customer = text(in, "customer");
  auto currency = text(in, "currency");
  if (!customer) return tl::unexpected(customer.error());
  if (!currency) return tl::unexpected(currency.error());
  if (!in.contains("lines") || !in["lines"].is_array() || in["lines"].empty())
    return tl::unexpected(bad_input("'lines' must be a non-empty list"));
  json items = json::array();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < in["lines"].size(); ++i) {
    const auto& l = in["lines"][i];
    auto amount = amount_of(l, "lines[" + std::to_string(i) + "]");
    if (!amount) return tl::unexpected(amount.error());
    auto next = money::add(total, *amount);
    if (!next)
      return tl::unexpected(bad_input("lines[" + std::to_string(i) +
                                      "]: the invoice's total passes 2^63 − 1 minor units"));
    total = *next;
    items.push_back({{"item", {{"externalId", l.value("item", "services")}}},
                     {"description", l.value("description", "")},
                     {"quantity", l.value("quantity", 1)},
                     {"amount", decimal(*amount, *currency)}});
  }
  json body = {{"entity", {{"externalId", *customer}}},
               {"currency", {{"refName", *currency}}},
               {"item", {{"items", items}}}};
  if (auto terms = text(in, "terms", false); terms && !terms->empty())
    body["terms"] = {{"refName", *terms}};
  std::string eid = external_id(in, key);
  auto r = upsert("invoice", eid, with_decimals(body));
  if (!r) return r;
  return json{{"system", "netsuite"}, {"id", (*r).value("id", "")},
              {"external_id", eid},   {"tran_id", (*r).value("tranId", json())},
              {"total_minor", total}, {"currency", *currency}};
}

http::Result<json> NetSuite::create_revenue_schedule(const json& in, const std::string& key) {
  if (!in.contains("schedule") || !in["schedule"].is_object())
    return tl::unexpected(bad_input("'schedule' must be an object with 'currency' and 'periods'"));
  const json& s = in["schedule"];
  std::string currency = s.value("currency", "");
  if (!money::is_currency(currency))
    return tl::unexpected(bad_input("'schedule.currency' must be an ISO 4217 currency code"));
  if (!s.contains("periods") || !s["periods"].is_array() || s["periods"].empty())
    return tl::unexpected(
        bad_input("'schedule.periods' must be a non-empty list of {period, amount_minor}"));
  json periods = json::array();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < s["periods"].size(); ++i) {
    const auto& p = s["periods"][i];
    auto amount = amount_of(p, "schedule.periods[" + std::to_string(i) + "]");
    if (!amount) return tl::unexpected(amount.error());
    auto next = money::add(total, *amount);
    if (!next)
      return tl::unexpected(bad_input("schedule.periods[" + std::to_string(i) +
                                      "]: the schedule's total passes 2^63 − 1 minor units"));
    total = *next;
    periods.push_back({{"period", p.value("period", "")},
                       {"obligation", p.value("obligation", "")},
                       {"amount", decimal(*amount, currency)}});
  }
  json body = {{"name", s.value("name", "Revenue schedule")},
               {"custrecord_cov_currency", currency},
               {"custrecord_cov_total", decimal(total, currency)},
               {"custrecord_cov_periods", periods}};
  std::string eid = external_id(in, key);
  auto r = upsert("customrecord_covenant_rev_schedule", eid, with_decimals(body));
  if (!r) return r;
  return json{{"system", "netsuite"}, {"id", (*r).value("id", "")}, {"external_id", eid},
              {"total_minor", total}, {"currency", currency},       {"periods", periods.size()}};
}

http::Result<json> NetSuite::record_payment_terms(const json& in, const std::string&) {
  auto customer = text(in, "customer");
  if (!customer) return tl::unexpected(customer.error());
  if (!in.contains("terms") || !in["terms"].is_object() || !in["terms"].contains("net_days"))
    return tl::unexpected(bad_input("'terms' must be an object with 'net_days'"));
  const json& t = in["terms"];
  std::string name = t.contains("discount_percent") && t.contains("discount_days")
                         ? t["discount_percent"].dump() + "% " + t["discount_days"].dump() +
                               " Net " + t["net_days"].dump()
                         : "Net " + t["net_days"].dump();
  auto r = upsert("customer", *customer, json{{"terms", {{"refName", name}}}}.dump(), "PATCH");
  if (!r) return r;
  return json{{"system", "netsuite"}, {"customer", *customer}, {"terms", name}};
}

}  // namespace covenant::adapters::erp
