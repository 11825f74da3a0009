// Measuring an Extractor against labelled contracts (../shared/data/contracts/dev: CUAD v1
// texts with `<id>.labels.json`, see its README). Per field: how many contracts have a gold
// value, how many the extractor answered, how many answers equal the gold value (precision =
// correct / answered, recall = correct / gold), how many answers' evidence overlaps a span the
// annotators marked, and — at a confidence threshold — how many answers would be accepted
// without review and how many of those are right.
//
// With folds > 0 the confidences are cross-validated: the contracts are dealt into folds by
// their sorted position, and each fold's answers get the confidence of a calibration table
// fitted on the other folds only. That is the honest figure for contracts never seen.
//
// A label that cannot be scored (a span without a normalised value, a party without a name,
// a value of the wrong shape) is counted and reported, never a crash and never a point.
#pragma once

#include "activities/extract/calibration.hpp"
#include "activities/extract/extractor.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace covenant::activities::extract {

struct FieldScore {
  int gold = 0, answered = 0, correct = 0, evidence_hits = 0;
  int accepted = 0, accepted_correct = 0;  // at the report's threshold
  int unusable = 0;                        // labels that could not be scored
};

// One answer to a scored field, with whether it was right.
struct Answer {
  std::string contract, field, rule;
  double confidence = 0;
  bool correct = false;
};

struct EvalReport {
  int contracts = 0;
  int folds = 0;         // 0: the extractor's own confidences
  double threshold = 0;  // accepted = confidence >= threshold
  std::map<std::string, FieldScore> fields;
  std::vector<Answer> answers;
  std::vector<std::string> problems;                // unreadable files
  std::vector<std::string> unusable;                // "<contract>: <field>: why"
  nlohmann::json misses = nlohmann::json::array();  // {contract, field, gold, answer}
};

struct EvalOptions {
  int folds = 0;          // > 1: cross-validated confidences
  double threshold = -1;  // < 0: the extractor's default_min_confidence()
};

// The fields scored against CUAD's labels.
const std::vector<std::string>& scored_fields();

// Errors (a directory without labels) are reported in `problems`; nothing throws.
EvalReport evaluate(const Extractor& x, const std::filesystem::path& dir, EvalOptions o = {});
// Whether an answer equals a gold `normalized` value for `field`. Throws std::invalid_argument
// when the gold value cannot be used (the caller counts it as unusable).
bool same_value(const std::string& field, const nlohmann::json& answer, const nlohmann::json& gold);
// A company's name for comparison: without case, punctuation, spacing or legal form.
std::string plain_name(const std::string& name);
// The labels a person's review gives, in the labels format `evaluate` reads: from a reviewed
// extract.terms result (the payload a review delivers: `fields`, `reviewed`), every field the
// reviewer corrected or confirmed as {"normalized": value, "how": "corrected"|"confirmed",
// "by", "at", and for a correction "reason", "evidence", "old"}. Fields nobody looked at are
// left out, and `evaluate` scores only the fields a labels file has. Empty when `terms` is
// not a review.
nlohmann::json labels_from_review(const nlohmann::json& terms);
// Recounts accepted answers at `threshold`.
void accept_at(EvalReport& r, double threshold);
// The smallest threshold from `floor` to 0.99 (by 0.01) at which every field's accepted
// precision is at least `target`, and stays so at every higher threshold for each field with
// at least kMinJudged accepted answers there; 1 when none is. The
// floor keeps a margin for documents unlike the ones the answers come from: below it, rules
// seen on a handful of contracts would be trusted.
inline constexpr double kThresholdFloor = 0.8;
inline constexpr int kMinJudged = 20;
double choose_threshold(const std::vector<Answer>& answers, double target,
                        double floor = kThresholdFloor);
// The samples to fit a calibration table from.
std::vector<Sample> samples(const EvalReport& r);
// A fixed-width table, one row per field, and a total row.
std::string table(const EvalReport& r);
// A reliability diagram (SVG) for one field: answers binned by confidence, each bin's share
// right against the diagonal, with counts.
std::string reliability_svg(const EvalReport& r, const std::string& field);

}  // namespace covenant::activities::extract
