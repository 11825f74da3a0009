// extract.terms: the stored document's text through the extractor. Every field carries its
// value, confidence and evidence; the plain values are also at the top level for workflows
// (`.terms.payment_terms.net_days`). Fields under `min_confidence`, and the fields a billing
// plan cannot do without when missing, are listed in `review` and set `needs_review`. The
// output records who extracted (`provenance`: extractor, version, calibration), so the history
// shows which rules and which confidence table produced each value.
#include "activities/own.hpp"

namespace covenant::activities {

using nlohmann::json;

Outcome extract_terms(const Systems& s, const json& in) {
  const char* a = "extract.terms";
  if (!in.contains("document") || !in["document"].is_object() ||
      !in["document"].contains("sha256") || !in["document"]["sha256"].is_string())
    return invalid_input(a, "'document' must be ingest.contract's result (with 'sha256')");
  static const extract::RuleExtractor rules;
  const extract::Extractor& x = s.extractor ? *s.extractor : rules;
  // Unset (or null): the extractor's own, chosen in cross-validation (docs/extraction.md).
  double min_conf = x.default_min_confidence();
  if (in.contains("min_confidence") && !in["min_confidence"].is_null()) {
    if (!in["min_confidence"].is_number())
      return invalid_input(a, "'min_confidence' must be a number in [0, 1]");
    min_conf = in["min_confidence"].get<double>();
  }
  if (!(min_conf >= 0 && min_conf <= 1))
    return invalid_input(a, "'min_confidence' must be in [0, 1]");
  if (!s.documents) return error("NotConfigured", std::string(a) + ": no document store");
  std::string sha = in["document"]["sha256"];
  auto doc = s.documents->get(s.ns, sha);
  if (!doc)
    return error(doc.error().retryable ? "Unavailable" : "StoreFailed",
                 std::string(a) + ": " + doc.error().message, doc.error().retryable);
  if (!*doc) return error("NotFound", std::string(a) + ": no stored document " + sha);
  auto found = x.try_extract((*doc)->text);
  if (!found)
    return error(found.error().retryable ? "Unavailable" : "ExtractionFailed",
                 std::string(a) + ": " + found.error().message, found.error().retryable);
  const auto& terms = *found;
  json fields = extract::to_json(terms);
  json out = {{"document", sha}, {"fields", fields}};
  json review = json::array();
  for (const auto& [name, t] : terms) {
    out[name] = t.value;
    if (t.confidence < min_conf)
      review.push_back(
          {{"field", name}, {"reason", "low_confidence"}, {"confidence", t.confidence}});
  }
  json required = in.value("required", json::array({"parties", "effective_date", "expiration_date",
                                                    "fees", "payment_terms"}));
  for (const auto& r : required)
    if (r.is_string() && !terms.count(r.get<std::string>()))
      review.push_back({{"field", r}, {"reason", "missing"}});
  out["review"] = review;
  out["needs_review"] = !review.empty();
  out["min_confidence"] = min_conf;
  out["provenance"] = x.provenance();
  return ok(out);
}

}  // namespace covenant::activities
