// Term extraction from contract text. An Extractor reads a contract's text and returns its
// terms; every term carries its normalised value, a confidence in [0, 1], and the evidence
// that supports it (byte offsets into the text and the text itself), so a reviewer can see
// where each value came from. RuleExtractor (rules.cpp) is deterministic; a model-based
// extractor can implement the same interface and stand in or vote. Thread-safe: extract()
// keeps no state between calls.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstddef>
#include <map>
#include <string>

namespace covenant::activities::extract {

struct Evidence {
  std::size_t start = 0, end = 0;  // UTF-8 byte offsets, end exclusive
  std::string text;
};

struct Term {
  nlohmann::json value;   // the normalised value (see docs/extraction.md for each field)
  double confidence = 0;  // a score for routing to review, not money: double is fine here
  Evidence evidence;
  std::string source;          // who found it: "rules", "model", "agreed", "disputed"
  nlohmann::json alternative;  // disputed: the other extractor's value; else null
  // How the value was found, as a calibration key ("cue=dated|ref=no"; calibration.hpp).
  std::string rule;
  // Whether `confidence` comes from a fitted calibration table (else it is the rule's score).
  bool calibrated = false;
};

// Field name -> term; a field that was not found is absent.
using Terms = std::map<std::string, Term>;

struct ExtractError {
  std::string message;
  bool retryable = false;  // the extractor's service was unreachable or busy
};

class Extractor {
 public:
  virtual ~Extractor() = default;
  // The terms found; an extractor that can fail answers nothing here when it does.
  virtual Terms extract(const std::string& text) const = 0;
  // The terms, or why there are none (a model endpoint that is down). The activity calls this.
  virtual tl::expected<Terms, ExtractError> try_extract(const std::string& text) const {
    return extract(text);
  }
  // Who produced the terms, recorded with every extraction so an auditor can tell two runs
  // apart: {"extractor", "version", and what it depends on: "calibration", "model", …}.
  virtual nlohmann::json provenance() const = 0;
  // The confidence under which a field goes to review when the workflow does not set one.
  virtual double default_min_confidence() const { return 0.8; }
};

// The fields RuleExtractor knows: parties, agreement_date, effective_date, term,
// expiration_date, renewal_term, auto_renewal, notice_period_to_terminate_renewal,
// governing_law, payment_terms, fees, billing_frequency, milestones, sla, document_kind,
// referenced_agreement
// (docs/extraction.md has each value's shape).
class Calibration;
class RuleExtractor final : public Extractor {
 public:
  // Confidences from `calibration` (the shipped table when null; Calibration::none() keeps
  // the rules' own scores, which fitting uses).
  explicit RuleExtractor(const Calibration* calibration = nullptr);
  Terms extract(const std::string& text) const override;
  // {"extractor": "rules", "version": kRulesVersion, "calibration": {"id", "sha256"}}.
  nlohmann::json provenance() const override;
  // The calibration's min_confidence: chosen so that accepted values are right >= 95% of the
  // time in cross-validation (docs/extraction.md).
  double default_min_confidence() const override;
  const Calibration& calibration() const { return *calibration_; }

 private:
  const Calibration* calibration_;
};

// The rules' identity, recorded with every extraction (bumped whenever a rule changes what it
// finds, so a stored extraction says which rules produced it).
inline constexpr const char* kRulesVersion = "rules-2026.12.3";

nlohmann::json to_json(const Terms& terms);

// What kind of document a title names: "amendment" (an amendment or addendum), "sow" (a
// statement of work), "msa" (a master agreement), "order_form", else "agreement".
std::string document_kind_of(const std::string& title);

}  // namespace covenant::activities::extract
