// resolve.customer: which CRM account the contract's customer is. Candidates are the accounts
// whose names share the party's first distinctive word, plus the opportunity's account; each
// is scored by its normalised legal name against the party's (legal suffixes and punctuation
// dropped; 1.0 when equal, else the share of words in common), with a bonus when it is the
// opportunity's account. The best candidate wins when it reaches the threshold and leads the
// next by a clear margin; otherwise the activity fails with CustomerAmbiguous or
// CustomerNotFound (with the candidates) so the workflow can send it to a person.
//
// resolve.products: the contract's fees against the CPQ quote's lines.
#include "activities/bill/proration.hpp"
#include "activities/input.hpp"
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

namespace {

// A contract fee, read leniently: extraction may leave a fee without an amount or frequency,
// and such a fee simply matches no quote line (it is then listed as fee_not_in_quote).
struct Fee {
  std::int64_t amount = -1;
  std::string currency, frequency;
};

Fee fee_of(const json& f) {
  Fee fee;
  if (!f.is_object()) return fee;
  const json& a = f.contains("amount") ? f["amount"] : json();
  fee.amount = minor_of(a);
  if (a.is_object() && a.contains("currency") && a["currency"].is_string())
    fee.currency = a["currency"].get<std::string>();
  if (f.contains("frequency") && f["frequency"].is_string())
    fee.frequency = f["frequency"].get<std::string>();
  return fee;
}

// Whether the fee says the same as a quote line of `amount` over `months` (0 for one-time): an
// annual fee over a 12-month line, a monthly fee times the months, or a one-time fee. Compared
// exactly in 128 bits: fee × months = amount × months-per-fee.
bool fee_matches(const Fee& fee, std::int64_t amount, std::int64_t months) {
  if (fee.amount < 0) return false;
  if (months == 0)
    return (fee.frequency.empty() || fee.frequency == "one_time") && fee.amount == amount;
  int per = fee.frequency == "year"      ? 12
            : fee.frequency == "quarter" ? 3
            : fee.frequency == "month"   ? 1
                                         : 0;
  return per > 0 && money::Wide(fee.amount) * months == money::Wide(amount) * per;
}

Outcome products(const json& in) {
  const char* a = "resolve.products";
  Field root(in, "");
  static const json no_terms = json::object();
  Field terms = root.has("terms") ? root.at("terms") : Field(no_terms, "terms");
  terms.object();
  Field quote = root.at("quote");
  if (!quote.raw().is_object() || !quote.has("lines"))
    return invalid_input(a, "'quote' must have the quote's 'lines' (cpq.list_quote_lines)");
  json fees = term_value(terms.raw(), "fees");
  if (!fees.is_array()) fees = json::array();
  std::vector<bool> fee_used(fees.size(), false);
  json lines = json::array(), exceptions = json::array(), entitlements = json::array();
  std::string currency;
  std::int64_t total = 0;
  auto quote_lines = quote.at("lines").items();
  for (std::size_t i = 0; i < quote_lines.size(); ++i) {
    const Field& q = quote_lines[i];
    q.object();
    std::string where = "quote line " + std::to_string(i + 1);
    std::int64_t unit = minor_of(q.raw().value("net_price", json()));
    std::int64_t list = minor_of(q.raw().value("list_price", json()));
    if (unit < 0) return invalid_input(a, where + " has no net price in minor units");
    auto qty_w = whole_quantity(q.raw().value("quantity", json(1)));
    if (!qty_w || *qty_w <= 0)
      return invalid_input(a, where + ": quantity must be a positive whole number");
    std::int64_t qty = *qty_w;
    std::string cur = q.at("net_price").at("currency").currency();
    if (currency.empty()) currency = cur;
    if (cur != currency)
      return invalid_input(a, where + " is in " + cur + ", the quote in " + currency);
    // Months as Salesforce sends them: 12, or 12.0 kept as the exact text "12.0".
    std::int64_t months = 0;
    if (q.has("term_months")) {
      auto m = whole_quantity(q.at("term_months").raw());
      if (!m || *m > bill::kMaxTermMonths)
        q.at("term_months")
            .fail("must be a whole number of months from 0 to 1200, not " +
                  shown(q.at("term_months").raw()));
      months = *m;
    }
    bool recurring = months > 0;
    std::int64_t amount = checked_multiply(unit, qty, q.path() + ": net price × quantity");
    std::int64_t list_amount =
        list >= 0 ? checked_multiply(list, qty, q.path() + ": list price × quantity") : amount;
    json line = {{"product", q.text_or("product", "")},
                 {"name", q.text_or("product_name", q.text_or("product", ""))},
                 {"kind", recurring ? "recurring" : "one_time"},
                 {"quantity", qty},
                 {"unit_amount_minor", unit},
                 {"amount_minor", amount},
                 {"list_amount_minor", list_amount},
                 {"term_months", recurring ? json(months) : json()},
                 {"quote_line", q.text_or("id", "")},
                 {"contract_fee", nullptr}};
    for (std::size_t f = 0; f < fees.size(); ++f) {
      if (fee_used[f]) continue;
      Fee fee = fee_of(fees[f]);
      if (fee.currency == currency && fee_matches(fee, amount, months)) {
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
                              {"start", q.raw().value("start_date", json())}});
    total = checked_add(total, amount, "the quote's total");
    lines.push_back(line);
  }
  for (std::size_t f = 0; f < fees.size(); ++f)
    if (!fee_used[f]) {
      std::string description = fees[f].is_object() && fees[f].contains("description") &&
                                        fees[f]["description"].is_string()
                                    ? fees[f]["description"].get<std::string>()
                                    : "";
      exceptions.push_back(
          {{"kind", "fee_not_in_quote"},
           {"fee", fees[f]},
           {"message", "the contract's fee '" + description + "' matches no quote line"}});
    }
  if (lines.empty()) return invalid_input(a, "the quote has no lines");
  return ok({{"currency", currency},
             {"lines", lines},
             {"entitlements", entitlements},
             {"exceptions", exceptions},
             {"transaction_price", {{"amount_minor", total}, {"currency", currency}}},
             // The quote's lines as matched: an amendment without a quote of its own is
             // matched against them again (contract-amendment's products_as_agreed).
             {"quote_lines", quote.at("lines").raw()},
             {"contract_id", root.text_or("contract_id", "")}});
}

}  // namespace

Outcome resolve_products(const json& in) {
  return refuse_bad_input("resolve.products", [&] { return products(in); });
}

}  // namespace covenant::activities
