// Two extractions of one document compared: which extractor, rules and calibration produced
// each (their provenance), and every field whose value or confidence differs. What
// `covenant extract --document SHA` shows when a stored document is extracted again with
// other rules or another table. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace covenant::activities::extract {

// `before` and `after` are extract.terms results ({"fields": {name: {value, confidence}},
// "provenance"}) or to_json(Terms) field maps. Returns
//   {"provenance": {"before", "after", "changed": bool},
//    "fields": [{"field", "change": "added"|"removed"|"value"|"confidence",
//                "before": value|null, "after": value|null,
//                "confidence_before", "confidence_after"}],   (by field name)
//    "same": n}                                               (fields unchanged)
nlohmann::json compare_extractions(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace covenant::activities::extract
