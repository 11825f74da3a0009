// contract.merge_terms: the terms a statement of work or an amendment works under, from its own
// and its parent agreement's. An SOW inherits what it does not state (parties, governing law,
// payment terms, liability cap, rate card, billing frequency, SLA) and keeps its own scope
// (dates, fees, milestones). An amendment keeps everything of the parent's and supersedes
// what it states from its effective date: the result is the remainder of the term under the
// amended terms (effective from the amendment's date), with each superseded value before and
// after. Every field says which contract it came from, with its evidence. What cannot be
// merged without a guess goes to review: an SOW running past its agreement, an amendment
// effective outside the agreement's term. Pure.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <set>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kMergeActivity = "contract.merge_terms";

// What an SOW takes from its agreement when it does not say.
const std::set<std::string>& sow_inherits() {
  static const std::set<std::string> s = {"parties",
                                          "governing_law",
                                          "payment_terms",
                                          "liability_cap",
                                          "rate_card",
                                          "billing_frequency",
                                          "sla"};
  return s;
}

// What is the document's own and never superseded or inherited.
const std::set<std::string>& identity_fields() {
  static const std::set<std::string> s = {"document_kind", "referenced_agreement",
                                          "agreement_date"};
  return s;
}

// The names of the terms a terms object holds: its plain top-level values (extract.terms'
// shape; bookkeeping members left out).
std::set<std::string> term_names(const json& terms) {
  static const std::set<std::string> bookkeeping = {"document",     "fields",         "review",
                                                    "needs_review", "min_confidence", "provenance",
                                                    "merged",       "reviewed"};
  std::set<std::string> out;
  for (const auto& [k, v] : terms.items())
    if (!bookkeeping.count(k) && !v.is_null()) out.insert(k);
  return out;
}

json field_of(const json& terms, const std::string& name, const std::string& contract) {
  json f = terms.contains("fields") && terms["fields"].is_object() && terms["fields"].contains(name)
               ? terms["fields"][name]
               : json{{"value", term_value(terms, name.c_str())}};
  if (f.is_object()) {
    f["contract_id"] = contract;
    // The document its evidence quotes (offsets point into that document's text).
    if (terms.contains("document") && terms["document"].is_string())
      f["document"] = terms["document"];
  }
  return f;
}

Outcome merge(const json& in) {
  Field root(in, "");
  root.object();
  Field parent = root.at("parent"), child = root.at("document");
  parent.object();
  child.object();
  std::string parent_id = parent.at("contract_id").text(),
              child_id = child.at("contract_id").text();
  if (parent_id.empty()) parent.at("contract_id").fail("the parent agreement's contract id");
  if (child_id.empty()) child.at("contract_id").fail("the document's contract id");
  if (parent_id == child_id) child.at("contract_id").fail("a document is not its own parent");
  std::string kind = child.at("kind").one_of({"sow", "amendment"});
  const json& pt = parent.at("terms").raw();
  const json& ct = child.at("terms").raw();
  parent.at("terms").object();
  child.at("terms").object();
  auto date_of = [](const json& terms, const char* name) -> std::optional<dates::Day> {
    json v = term_value(terms, name);
    return v.is_string() ? dates::parse(v.get<std::string>()) : std::nullopt;
  };
  json terms = json::object(), fields = json::object(), review = json::array();
  json inherited = json::array(), own = json::array(), superseded = json::array();
  auto take = [&](const std::string& name, const json& from, const std::string& contract) {
    terms[name] = term_value(from, name.c_str());
    fields[name] = field_of(from, name, contract);
  };
  std::set<std::string> parent_names = term_names(pt), child_names = term_names(ct);
  auto parent_end = date_of(pt, "expiration_date"), parent_start = date_of(pt, "effective_date");
  std::optional<dates::Day> effective;
  if (kind == "sow") {
    for (const auto& n : child_names) {
      take(n, ct, child_id);
      if (!identity_fields().count(n)) own.push_back(n);
    }
    for (const auto& n : sow_inherits())
      if (!child_names.count(n) && parent_names.count(n)) {
        take(n, pt, parent_id);
        inherited.push_back(n);
      }
    auto end = date_of(ct, "expiration_date");
    if (end && parent_end && *end > *parent_end)
      review.push_back({{"field", "expiration_date"},
                        {"reason", "sow_outlasts_agreement"},
                        {"detail", "the SOW ends " + dates::iso(*end) + ", after its agreement " +
                                       parent_id + " (" + dates::iso(*parent_end) + ")"}});
    effective = date_of(ct, "effective_date");
  } else {
    if (root.has("effective_date"))
      effective = root.at("effective_date").date();
    else
      effective = date_of(ct, "effective_date");
    if (!effective) {
      review.push_back({{"field", "effective_date"},
                        {"reason", "missing"},
                        {"detail", "an amendment needs the date it takes effect"}});
    } else if ((parent_start && *effective < *parent_start) ||
               (parent_end && *effective >= *parent_end)) {
      review.push_back({{"field", "effective_date"},
                        {"reason", "amendment_outside_term"},
                        {"detail", "the amendment takes effect " + dates::iso(*effective) +
                                       ", outside " + parent_id + "'s term"}});
    }
    for (const auto& n : parent_names) take(n, pt, parent_id);
    for (const auto& n : child_names) {
      if (identity_fields().count(n) || n == "effective_date" || n == "parties") continue;
      json before = term_value(pt, n.c_str()), after = term_value(ct, n.c_str());
      take(n, ct, child_id);
      if (before != after)
        superseded.push_back({{"field", n},
                              {"before", before},
                              {"after", after},
                              {"from", effective ? json(dates::iso(*effective)) : json()}});
    }
    if (effective) {
      terms["effective_date"] = dates::iso(*effective);
      fields["effective_date"] = field_of(ct, "effective_date", child_id);
      fields["effective_date"]["value"] = dates::iso(*effective);
    }
  }
  // An SOW's terms are its own, with what it names itself (its kind, its agreement); the
  // terms an amendment leaves are the agreement's, of the agreement's kind.
  if (kind == "amendment") terms.erase("referenced_agreement");
  // What the document's own extraction left for review stays for review: merging never makes
  // a low-confidence value certain (an amendment's own identity excepted: it was used to find
  // the agreement, and the merged terms do not carry it).
  // A value the document lacked and its agreement gave is no longer missing.
  if (ct.contains("review") && ct["review"].is_array())
    for (const auto& r : ct["review"]) {
      std::string field = r.is_object() && r.contains("field") && r["field"].is_string()
                              ? r["field"].get<std::string>()
                              : "";
      bool identity = kind == "amendment" && identity_fields().count(field);
      bool supplied = r.is_object() && r.value("reason", json()) == "missing" &&
                      terms.contains(field) && !terms[field].is_null();
      if (!identity && !supplied) review.push_back(r);
    }
  bool child_unsure = ct.contains("needs_review") && ct["needs_review"] == true;
  // The merged terms are the document's: a review of them reads its text.
  if (ct.contains("document") && ct["document"].is_string()) terms["document"] = ct["document"];
  terms["fields"] = fields;
  terms["review"] = review;
  terms["needs_review"] = child_unsure || !review.empty();
  terms["merged"] = {{"kind", kind},
                     {"contract_id", child_id},
                     {"parent", parent_id},
                     {"effective_date", effective ? json(dates::iso(*effective)) : json()},
                     {"inherited", inherited},
                     {"own", own},
                     {"superseded", superseded}};
  return ok(terms);
}

}  // namespace

Outcome contract_merge_terms(const json& in) {
  return refuse_bad_input(kMergeActivity, [&] { return merge(in); });
}

}  // namespace covenant::activities
