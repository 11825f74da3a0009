// Measuring an Extractor against labelled contracts (../shared/data/contracts/dev: CUAD v1
// texts with `<id>.labels.json`, see its README). Per field: how many contracts have a gold
// value, how many the extractor answered, how many answers equal the gold value (precision =
// correct / answered, recall = correct / gold), and how many answers' evidence overlaps a
// span the annotators marked for that field.
#pragma once

#include "activities/extract/extractor.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace covenant::activities::extract {

struct FieldScore {
  int gold = 0, answered = 0, correct = 0, evidence_hits = 0;
};

struct EvalReport {
  int contracts = 0;
  std::map<std::string, FieldScore> fields;
  std::vector<std::string> problems;                // unreadable files
  nlohmann::json misses = nlohmann::json::array();  // {contract, field, gold, answer}
};

// Errors (a directory without labels) are reported in `problems`; nothing throws.
EvalReport evaluate(const Extractor& x, const std::filesystem::path& dir);
// Whether an answer equals a gold `normalized` value for `field`.
bool same_value(const std::string& field, const nlohmann::json& answer, const nlohmann::json& gold);
// A fixed-width table, one row per field, and a total row.
std::string table(const EvalReport& r);

}  // namespace covenant::activities::extract
