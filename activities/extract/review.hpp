// A person's review of extracted terms (the review page, POST /v1/instances/{id}/review):
// typed corrections applied to an extract.terms result, each recorded with the old value,
// the new one, the reason and the passage the reviewer pointed to. The corrected terms are
// what the workflow continues with, so the billing plan and revenue schedule are computed
// again from them, and the finance gate that follows approves them under a new digest.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <string>
#include <vector>

namespace covenant::activities::extract {

// What kind of input a field takes on the review page: "date", "date_or_perpetual",
// "duration", "boolean", "jurisdiction", "payment_terms", "billing_frequency", "parties",
// "fees", "milestones", "sla"; "" for a field Covenant does not extract.
std::string input_kind(const std::string& field);

// Every field a review may set, in the order the review page lists them.
const std::vector<std::string>& reviewable_fields();

struct Correction {
  std::string field;
  nlohmann::json value;
  std::string reason;    // why (required): "the order form says March 1"
  std::string evidence;  // the passage the reviewer points to (optional; must be in the text)
};

struct ReviewProblem {
  std::string field;  // the field at fault ("" for the review as a whole)
  std::string message;
};

// `value` checked and normalised for `field` (a duration given as "P12M" or {value, unit}
// comes out as {value, unit, iso8601}); or why it cannot be that field's value.
tl::expected<nlohmann::json, std::string> check_value(const std::string& field,
                                                      const nlohmann::json& value);

struct Reviewed {
  nlohmann::json terms;        // the extract.terms result, corrected, needing no review
  nlohmann::json corrections;  // [{field, old, new, reason, evidence}]
};

// Applies `corrections` to `terms` (an extract.terms result). Every field flagged as
// missing must be given; flagged fields not corrected are confirmed as they stand. `text`
// is the contract's text: a correction's evidence must be a passage of it. `by` and `at`
// (RFC 3339) are recorded in the result's `reviewed`.
tl::expected<Reviewed, ReviewProblem> apply_review(const nlohmann::json& terms,
                                                   const std::vector<Correction>& corrections,
                                                   const std::string& text, const std::string& by,
                                                   const std::string& at);

}  // namespace covenant::activities::extract
