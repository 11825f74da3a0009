// resolve.customer: which CRM account the contract's customer is. Candidates are the accounts
// whose names share the party's first distinctive word, plus the opportunity's account; each
// is scored by its normalised legal name against the party's (legal suffixes and punctuation
// dropped; 1.0 when equal, else the share of words in common), with a bonus when it is the
// opportunity's account. The best candidate wins when it reaches the threshold and leads the
// next by a clear margin; otherwise the activity fails with CustomerAmbiguous or
// CustomerNotFound (with the candidates) so the workflow can send it to a person.
//
// resolve.products: the contract's fees against the CPQ quote's lines.
#include "activities/own.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

namespace covenant::activities {
namespace {

using nlohmann::json;

std::vector<std::string> name_words(const std::string& name) {
  static const std::set<std::string> legal = {
      "inc", "incorporated", "corp", "corporation", "co",  "company", "llc",
      "ltd", "limited",      "gmbh", "ag",          "sa",  "plc",     "lp",
      "llp", "bv",           "nv",   "the",         "pty", "srl"};
  std::string clean;
  for (char c : name)
    clean += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                 : ' ';
  std::istringstream ss(clean);
  std::vector<std::string> out;
  for (std::string w; ss >> w;)
    if (!legal.count(w)) out.push_back(w);
  return out;
}

double name_score(const std::string& a, const std::string& b) {
  auto wa = name_words(a), wb = name_words(b);
  if (wa.empty() || wb.empty()) return 0;
  if (wa == wb) return 1.0;
  std::set<std::string> sa(wa.begin(), wa.end()), sb(wb.begin(), wb.end());
  int common = 0;
  for (const auto& w : sa) common += sb.count(w) ? 1 : 0;
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

// The party that is the customer: the one whose alias says so, else the second party (the
// provider usually comes first).
json customer_party(const json& parties) {
  static const std::regex customer_alias(
      R"(customer|client|licensee|buyer|purchaser|subscriber|company)", std::regex::icase);
  for (const auto& p : parties)
    for (const auto& a : p.value("aliases", json::array()))
      if (a.is_string() && std::regex_search(a.get<std::string>(), customer_alias)) return p;
  return parties.size() >= 2 ? parties[1] : parties[0];
}

// A quantity as a whole number: 40, or Salesforce's 40.0 (kept by the adapter as the exact
// text "40.0"); nullopt for a fractional or malformed one.
std::optional<std::int64_t> whole_quantity(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  std::string t = v.is_string() ? v.get<std::string>() : v.is_number_float() ? v.dump() : "";
  auto dot = t.find('.');
  std::string whole = t.substr(0, dot);
  if (whole.empty() || whole.size() > 12 ||
      !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  if (dot != std::string::npos && !std::all_of(t.begin() + static_cast<long>(dot) + 1, t.end(),
                                               [](char c) { return c == '0'; }))
    return std::nullopt;
  return std::stoll(whole);
}

std::int64_t minor_of(const json& money) {
  if (money.is_object() && money.contains("amount_minor") &&
      money["amount_minor"].is_number_integer())
    return money["amount_minor"].get<std::int64_t>();
  return -1;
}

}  // namespace

Outcome resolve_customer(const Systems& s, const json& in) {
  const char* a = "resolve.customer";
  json parties = in.value("parties", json());
  if (parties.is_object() && parties.contains("value")) parties = parties["value"];
  if (!parties.is_array() || parties.empty())
    return invalid_input(a, "'parties' must be the extracted list of parties");
  if (!s.crm) return error("NotConfigured", std::string(a) + ": no CRM system is configured");
  double threshold = in.value("threshold", 0.85);
  json party = customer_party(parties);
  std::string name = party.value("name", "");
  auto words = name_words(name);
  if (words.empty()) return invalid_input(a, "the customer party has no name");
  std::string opp_account;
  if (in.contains("opportunity") && in["opportunity"].is_object())
    opp_account = in["opportunity"].value("account", "");
  auto found = s.crm->find_account({{"name", words.front()}});
  if (!found) return failed(found.error());
  struct Candidate {
    json account;
    double score;
  };
  std::vector<Candidate> cands;
  for (const auto& acc : (*found)["accounts"]) {
    double score = name_score(name, acc.value("name", ""));
    // The won opportunity's own account ranks ahead of an equally named duplicate.
    if (!opp_account.empty() && acc.value("id", "") == opp_account) score += 0.1;
    cands.push_back({acc, score});
  }
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  json listed = json::array();
  for (const auto& c : cands)
    listed.push_back({{"account_id", c.account.value("id", "")},
                      {"external_id", c.account.value("external_id", json())},
                      {"name", c.account.value("name", "")},
                      {"score", std::round(std::min(1.0, c.score) * 1000) / 1000}});
  if (cands.empty() || cands.front().score < threshold) {
    Outcome o = error("CustomerNotFound", std::string(a) + ": no CRM account matches '" + name +
                                              "' well enough (threshold " +
                                              std::to_string(threshold).substr(0, 4) + ")");
    return o;
  }
  if (cands.size() > 1 && cands[1].score >= threshold && cands[0].score - cands[1].score < 0.05)
    return error("CustomerAmbiguous",
                 std::string(a) + ": '" + name + "' matches " + listed[0]["name"].dump() + " (" +
                     listed[0]["account_id"].get<std::string>() + ") and " +
                     listed[1]["name"].dump() + " (" + listed[1]["account_id"].get<std::string>() +
                     ") equally well");
  const json& best = cands.front().account;
  return ok({{"account_id", best.value("id", "")},
             {"external_id", best.value("external_id", json())},
             {"legal_name", best.value("name", "")},
             {"domain", best.value("domain", json())},
             {"tax_id", best.value("tax_id", json())},
             {"matched_party", name},
             {"score", std::round(std::min(1.0, cands.front().score) * 1000) / 1000},
             {"candidates", listed}});
}

Outcome resolve_products(const json& in) {
  const char* a = "resolve.products";
  const json terms = in.value("terms", json::object());
  const json quote = in.value("quote", json::object());
  if (!quote.is_object() || !quote.contains("lines") || !quote["lines"].is_array())
    return invalid_input(a, "'quote' must have the quote's 'lines' (cpq.list_quote_lines)");
  json fees = term_value(terms, "fees");
  if (!fees.is_array()) fees = json::array();
  std::vector<bool> fee_used(fees.size(), false);
  json lines = json::array(), exceptions = json::array(), entitlements = json::array();
  std::string currency;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < quote["lines"].size(); ++i) {
    const json& q = quote["lines"][i];
    std::string where = "quote line " + std::to_string(i + 1);
    std::int64_t unit = minor_of(q.value("net_price", json()));
    std::int64_t list = minor_of(q.value("list_price", json()));
    if (unit < 0) return invalid_input(a, where + " has no net price in minor units");
    auto qty_w = whole_quantity(q.value("quantity", json(1)));
    if (!qty_w || *qty_w <= 0)
      return invalid_input(a, where + ": quantity must be a positive whole number");
    std::int64_t qty = *qty_w;
    std::string cur = q.value("net_price", json::object()).value("currency", "");
    if (currency.empty()) currency = cur;
    if (cur != currency)
      return invalid_input(a, where + " is in " + cur + ", the quote in " + currency);
    bool recurring = q.contains("term_months") && q["term_months"].is_number_integer() &&
                     q["term_months"].get<int>() > 0;
    std::int64_t amount = unit * qty;
    json line = {{"product", q.value("product", "")},
                 {"name", q.value("product_name", q.value("product", ""))},
                 {"kind", recurring ? "recurring" : "one_time"},
                 {"quantity", qty},
                 {"unit_amount_minor", unit},
                 {"amount_minor", amount},
                 {"list_amount_minor", list >= 0 ? list * qty : amount},
                 {"term_months", recurring ? q["term_months"] : json()},
                 {"quote_line", q.value("id", "")},
                 {"contract_fee", nullptr}};
    // The contract fee that says the same: same currency, and the same amount for the term
    // (an annual fee over a 12-month line), or the same unit price and quantity.
    for (std::size_t f = 0; f < fees.size(); ++f) {
      if (fee_used[f]) continue;
      const json& fee = fees[f];
      if (fee["amount"].value("currency", "") != currency) continue;
      std::int64_t fa = minor_of(fee["amount"]);
      std::string freq =
          fee.value("frequency", json("")).is_string() ? fee["frequency"].get<std::string>() : "";
      int months = recurring ? q["term_months"].get<int>() : 0;
      std::int64_t over_term = freq == "year"      ? fa * months / 12
                               : freq == "quarter" ? fa * months / 3
                               : freq == "month"   ? fa * months
                                                   : fa;
      bool kind_ok = recurring ? (freq == "year" || freq == "quarter" || freq == "month")
                               : (freq.empty() || freq == "one_time");
      if (kind_ok && over_term == amount) {
        fee_used[f] = true;
        line["contract_fee"] = f;
        break;
      }
    }
    if (line["contract_fee"].is_null())
      exceptions.push_back({{"kind", "price_not_in_contract"},
                            {"product", line["name"]},
                            {"quote_amount", {{"amount_minor", amount}, {"currency", currency}}},
                            {"message", "the quote's '" + line["name"].get<std::string>() +
                                            "' has no fee in the contract at the same price"}});
    if (recurring)
      entitlements.push_back({{"product", line["product"]},
                              {"name", line["name"]},
                              {"quantity", qty},
                              {"start", q.value("start_date", json())}});
    total += amount;
    lines.push_back(line);
  }
  for (std::size_t f = 0; f < fees.size(); ++f)
    if (!fee_used[f])
      exceptions.push_back({{"kind", "fee_not_in_quote"},
                            {"fee", fees[f]},
                            {"message", "the contract's fee '" + fees[f].value("description", "") +
                                            "' matches no quote line"}});
  if (lines.empty()) return invalid_input(a, "the quote has no lines");
  return ok({{"currency", currency},
             {"lines", lines},
             {"entitlements", entitlements},
             {"exceptions", exceptions},
             {"transaction_price", {{"amount_minor", total}, {"currency", currency}}},
             {"contract_id", in.value("contract_id", "")}});
}

}  // namespace covenant::activities
