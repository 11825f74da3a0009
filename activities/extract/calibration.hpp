// Calibrated confidence. Every rule that finds a value names how it found it (Term::rule, a
// short key such as "cue=dated|ref=no"); a calibration table, fitted on labelled contracts,
// maps field and rule to the share of such answers that were right. That share is the
// confidence `extract.terms` compares with `min_confidence`, so 0.9 means "nine in ten values
// found this way were right" on the contracts it was fitted on — in cross-validation, not on
// the same contracts (docs/extraction.md, scripts/fit-calibration).
//
// The shipped table (activities/extract/calibration.json) is built into the binary; its
// SHA-256 is recorded with every extraction. A field the table does not know (the commercial
// fields, which the labelled set does not cover) keeps its rule's own score, marked
// `calibrated: false`. A rule the table has not seen for a known field gets at most 0.5.
#pragma once

#include "activities/extract/extractor.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace covenant::activities::extract {

// One scored answer: the field, how it was found, whether it equalled the gold value.
struct Sample {
  std::string contract, field, rule;
  bool correct = false;
};

class Calibration {
 public:
  // The table fitted on `samples`: per field a prior (Laplace-smoothed share right) and per
  // rule (correct + w * prior) / (n + w), where w is `prior_weight`.
  static Calibration fit(const std::vector<Sample>& samples, double prior_weight = 2);
  // The table built into the binary.
  static const Calibration& shipped();
  // A table read from JSON; a malformed table is refused with the reason.
  static Calibration from_json(const nlohmann::json& table);
  // No table at all: every term keeps its rule's score (used while fitting).
  static const Calibration& none();

  // The calibrated confidence of an answer for `field` found by `rule`, or `fallback` (the
  // rule's own score) when the table does not cover the field.
  double confidence(const std::string& field, const std::string& rule, double fallback) const;
  bool covers(const std::string& field) const;
  // Sets each covered term's confidence from the table.
  void apply(Terms& terms) const;

  // The threshold chosen when fitting (auto-accepted precision >= the target per field in
  // cross-validation); the default of extract.terms' min_confidence.
  double min_confidence() const { return min_confidence_; }
  void set_min_confidence(double t) { min_confidence_ = t; }
  const nlohmann::json& table() const { return table_; }
  nlohmann::json& table() { return table_; }
  // SHA-256 of the table's canonical JSON text: which table produced a confidence.
  std::string digest() const;

 private:
  nlohmann::json table_ = nlohmann::json::object();
  double min_confidence_ = 0.8;
};

// The embedded calibration.json text (generated at build time).
std::string_view embedded_calibration();

}  // namespace covenant::activities::extract
