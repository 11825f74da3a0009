// The book of contracts: contracts.record puts a contract (an agreement, MSA, SOW or order
// form) in the book once its financial writes are done, with the state it stands in — terms,
// products, billing plan, revenue schedule and what was written — or records an amendment and
// moves its agreement to the amended state, fenced on the version the amendment was computed
// from. contracts.find_parent links an SOW or amendment to the agreement it works under or
// amends: by the contract id the CLM gave, else by the agreement's title and date as the
// document names them. Nothing is guessed: no match, two matches, or an agreement of another
// customer fail with ParentUnknown, ParentAmbiguous or ParentMismatch, for a person to settle.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <cctype>
#include <sstream>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kRecordActivity = "contracts.record";
constexpr const char* kFindActivity = "contracts.find_parent";
constexpr const char* kSettleActivity = "contracts.settle";

Outcome book_failure(const char* activity, const BookError& e) {
  using K = BookError::Kind;
  std::string m = std::string(activity) + ": " + e.error.message;
  switch (e.kind) {
    case K::NotFound:
      return error("ParentUnknown", m);
    case K::Conflict:
      return error("Conflict", m);
    case K::Invalid:
      return error("InvalidInput", m);
    case K::Store:
      break;
  }
  return error(e.error.retryable ? "Unavailable" : "Internal", m, e.error.retryable);
}

json entry_json(const BookEntry& e, bool with_state) {
  json out = {{"contract_id", e.contract_id},
              {"kind", e.kind},
              {"parent", e.parent_id.empty() ? json() : json(e.parent_id)},
              {"title", e.title},
              {"agreement_date", e.agreement_date.empty() ? json() : json(e.agreement_date)},
              {"customer", e.customer.empty() ? json() : json(e.customer)},
              {"version", e.version},
              {"repeated", e.repeated}};
  if (with_state) out["state"] = e.state;
  return out;
}

// The title extract.terms read the document's kind from ("MASTER SERVICES AGREEMENT").
std::string title_of(const json& terms) {
  if (!terms.is_object() || !terms.contains("fields")) return "";
  const json& f = terms["fields"];
  if (!f.is_object() || !f.contains("document_kind")) return "";
  const json& ev = f["document_kind"].value("evidence", json());
  return ev.is_object() && ev.contains("text") && ev["text"].is_string()
             ? ev["text"].get<std::string>()
             : "";
}

std::string text_term(const json& terms, const char* name) {
  json v = term_value(terms, name);
  return v.is_string() ? v.get<std::string>() : "";
}

Outcome record(const Systems& s, const json& in) {
  Field root(in, "");
  root.object();
  std::string id = root.at("contract_id").text();
  if (id.empty() || id.size() > 200) root.at("contract_id").fail("must be 1 to 200 characters");
  Field state = root.at("state");
  state.object();
  const json& terms = state.raw().value("terms", json::object());
  BookEntry e;
  e.contract_id = id;
  e.kind = root.has("kind")
               ? root.at("kind").one_of({"agreement", "msa", "sow", "order_form", "amendment"})
               : text_term(terms, "document_kind");
  if (e.kind.empty()) e.kind = "agreement";
  if (e.kind != "agreement" && e.kind != "msa" && e.kind != "sow" && e.kind != "order_form" &&
      e.kind != "amendment")
    root.at("kind").fail("the terms' document_kind is " + shown(e.kind) + ", not a kind recorded");
  e.title = root.text_or("title", title_of(terms));
  if (e.title.size() > 300) root.at("title").fail("is longer than 300 characters");
  e.title_key = contract_title_key(e.title);
  e.agreement_date = root.has("agreement_date") ? dates::iso(root.at("agreement_date").date())
                                                : text_term(terms, "agreement_date");
  if (e.agreement_date.empty()) e.agreement_date = text_term(terms, "effective_date");
  e.customer = root.text_or("customer", "");
  e.parent_id = root.text_or("parent", "");
  e.state = state.raw();
  if (!s.book) return error("NotConfigured", std::string(kRecordActivity) + ": no contract book");
  tl::expected<BookEntry, BookError> r;
  if (e.kind == "amendment") {
    if (e.parent_id.empty()) root.at("parent").fail("an amendment names the contract it amends");
    std::int64_t based_on = root.at("based_on_version").integer(1, INT64_MAX - 1);
    Field ps = root.at("parent_state");
    ps.object();
    r = s.book->amend(s.ns, e, based_on, ps.raw());
  } else {
    r = s.book->record(s.ns, e);
  }
  if (!r) return book_failure(kRecordActivity, r.error());
  return ok(entry_json(*r, false));
}

// What was written after the contract was recorded, into its state's `written` (each key
// given replaces the one there), fenced on the version recorded and the state read.
Outcome settle(const Systems& s, const json& in) {
  Field root(in, "");
  root.object();
  std::string id = root.at("contract_id").text();
  std::int64_t version = root.at("version").integer(1, INT64_MAX);
  Field written = root.at("written");
  written.object();
  if (!s.book) return error("NotConfigured", std::string(kSettleActivity) + ": no contract book");
  for (int attempt = 1;; ++attempt) {
    auto got = s.book->get(s.ns, id);
    if (!got) return book_failure(kSettleActivity, got.error());
    if (!*got)
      return error("NotFound",
                   std::string(kSettleActivity) + ": contract " + id + " is not in the book");
    const BookEntry& e = **got;
    if (e.version != version)
      return error("Conflict", std::string(kSettleActivity) + ": contract " + id +
                                   " is at version " + std::to_string(e.version) + ", not " +
                                   std::to_string(version) +
                                   ": it was amended before what was written for it was settled");
    json state = e.state;
    if (!state.is_object()) state = json::object();
    if (!state.contains("written") || !state["written"].is_object())
      state["written"] = json::object();
    for (const auto& [k, v] : written.raw().items()) state["written"][k] = v;
    if (state == e.state)
      return ok({{"contract_id", id}, {"version", version}, {"settled", false}});
    auto r = s.book->settle(s.ns, id, version, e.state_sha256, state);
    if (r) return ok({{"contract_id", id}, {"version", version}, {"settled", true}});
    if (r.error().kind != BookError::Kind::Conflict || attempt == 3)
      return book_failure(kSettleActivity, r.error());
  }
}

Outcome find_parent(const Systems& s, const json& in) {
  Field root(in, "");
  root.object();
  Field doc = root.at("document");
  doc.object();
  std::string doc_id = doc.at("contract_id").text();
  std::string kind = doc.at("kind").one_of({"sow", "amendment"});
  std::string explicit_id = root.text_or("parent_contract_id", "");
  std::string customer = root.text_or("customer", "");
  if (!s.book) return error("NotConfigured", std::string(kFindActivity) + ": no contract book");
  auto parent_ok = [&](const BookEntry& p, const std::string& how) -> Outcome {
    if (p.contract_id == doc_id)
      return error("ParentUnknown",
                   std::string(kFindActivity) + ": " + doc_id + " names itself as its agreement");
    if (p.kind == "amendment")
      return error("ParentMismatch", std::string(kFindActivity) + ": " + p.contract_id +
                                         " is an amendment; a " + kind +
                                         " belongs to the agreement it amends");
    if (!customer.empty() && !p.customer.empty() && p.customer != customer)
      return error("ParentMismatch", std::string(kFindActivity) + ": agreement " + p.contract_id +
                                         " is customer " + p.customer + "'s, the " + kind +
                                         " is for " + customer);
    json out = entry_json(p, true);
    out["linked_by"] = how;
    return ok(out);
  };
  if (!explicit_id.empty()) {
    auto p = s.book->get(s.ns, explicit_id);
    if (!p) return book_failure(kFindActivity, p.error());
    if (!*p)
      return error("ParentUnknown", std::string(kFindActivity) + ": the " + kind + " " + doc_id +
                                        " names agreement " + explicit_id +
                                        ", which is not in the book");
    return parent_ok(**p, "contract_id");
  }
  Field ref = root.at("reference");
  json rv = term_value(json{{"r", ref.raw()}}, "r");
  if (!rv.is_object() || !rv.contains("name") || !rv["name"].is_string() ||
      rv["name"].get<std::string>().empty())
    return error("ParentUnknown", std::string(kFindActivity) + ": the " + kind + " " + doc_id +
                                      " names no agreement it belongs to, and the CLM gave none");
  std::string name = rv["name"], date = rv.value("date", json()).is_string()
                                            ? rv["date"].get<std::string>()
                                            : std::string();
  if (contract_title_key(name).empty())
    return error("ParentUnknown", std::string(kFindActivity) + ": the " + kind + " " + doc_id +
                                      " names no agreement it belongs to, and the CLM gave none");
  auto found = s.book->titled(s.ns, contract_title_key(name));
  if (!found) return book_failure(kFindActivity, found.error());
  std::string key = contract_title_key(name);
  std::vector<BookEntry> matches;
  for (const auto& c : *found) {
    if (c.kind == "amendment" || c.contract_id == doc_id) continue;
    // A title that goes on past the name ("… Agreement and Order Form" for "… Agreement") is
    // taken only with the agreement's date to pin it.
    if (c.title_key != key && date.empty()) continue;
    if (!date.empty() && c.agreement_date != date) continue;
    if (!customer.empty() && !c.customer.empty() && c.customer != customer) continue;
    matches.push_back(c);
  }
  std::string looked = "'" + name + "'" + (date.empty() ? "" : " dated " + date) +
                       (customer.empty() ? "" : " of customer " + customer);
  if (matches.empty())
    return error("ParentUnknown", std::string(kFindActivity) + ": no agreement in the book is " +
                                      looked + " (the " + kind + " " + doc_id + " names it)");
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& m : matches) ids += (ids.empty() ? "" : ", ") + m.contract_id;
    return error("ParentAmbiguous", std::string(kFindActivity) + ": " +
                                        std::to_string(matches.size()) + " agreements are " +
                                        looked + " (" + ids + "): a person picks one");
  }
  return parent_ok(matches.front(), date.empty() ? "title" : "title_and_date");
}

}  // namespace

std::string contract_title_key(const std::string& title) {
  std::string clean;
  for (char c : title)
    clean += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                 : ' ';
  std::istringstream ss(clean);
  std::string out;
  for (std::string w; ss >> w;) {
    if (out.empty() && w == "the") continue;
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

Outcome contracts_record(const Systems& s, const json& in) {
  return refuse_bad_input(kRecordActivity, [&] { return record(s, in); });
}

Outcome contracts_settle(const Systems& s, const json& in) {
  return refuse_bad_input(kSettleActivity, [&] { return settle(s, in); });
}

Outcome contracts_find_parent(const Systems& s, const json& in) {
  return refuse_bad_input(kFindActivity, [&] { return find_parent(s, in); });
}

}  // namespace covenant::activities
