#include "activities/extract/calibration.hpp"

#include "workflows/sha256.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace covenant::activities::extract {

using nlohmann::json;

namespace {

// A rule the table has never seen has no record to stand on: it is reviewed.
constexpr double kUnseenCap = 0.5;

double round4(double x) {
  return static_cast<double>(static_cast<long long>(x * 10000 + 0.5)) / 10000;
}

}  // namespace

Calibration Calibration::fit(const std::vector<Sample>& samples, double prior_weight) {
  struct Count {
    int n = 0, correct = 0;
  };
  std::map<std::string, Count> field;
  std::map<std::string, std::map<std::string, Count>> rule;
  for (const auto& s : samples) {
    auto& f = field[s.field];
    auto& r = rule[s.field][s.rule];
    ++f.n;
    ++r.n;
    f.correct += s.correct;
    r.correct += s.correct;
  }
  Calibration c;
  c.table_ = {{"schema", "covenant-extract-calibration/1"},
              {"prior_weight", prior_weight},
              {"fields", json::object()}};
  for (const auto& [name, f] : field) {
    double prior = (f.correct + 1.0) / (f.n + 2.0);
    json rules = json::object();
    for (const auto& [key, r] : rule[name])
      rules[key] = {{"n", r.n},
                    {"correct", r.correct},
                    {"p", round4((r.correct + prior_weight * prior) / (r.n + prior_weight))}};
    c.table_["fields"][name] = {
        {"n", f.n}, {"correct", f.correct}, {"prior", round4(prior)}, {"rules", rules}};
  }
  return c;
}

Calibration Calibration::from_json(const json& table) {
  if (!table.is_object() || !table.contains("fields") || !table["fields"].is_object())
    throw std::invalid_argument("calibration table: no 'fields' object");
  for (const auto& [name, f] : table["fields"].items()) {
    if (!f.is_object() || !f.contains("prior") || !f["prior"].is_number() || !f.contains("rules") ||
        !f["rules"].is_object())
      throw std::invalid_argument("calibration table: field '" + name +
                                  "' needs a numeric 'prior' and a 'rules' object");
    for (const auto& [key, r] : f["rules"].items())
      if (!r.is_object() || !r.contains("p") || !r["p"].is_number() || r["p"].get<double>() < 0 ||
          r["p"].get<double>() > 1)
        throw std::invalid_argument("calibration table: " + name + " rule '" + key +
                                    "' needs 'p' in [0, 1]");
  }
  Calibration c;
  c.table_ = table;
  if (table.contains("min_confidence")) {
    const auto& t = table["min_confidence"];
    if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 1)
      throw std::invalid_argument("calibration table: 'min_confidence' must be in [0, 1]");
    c.min_confidence_ = t.get<double>();
  }
  return c;
}

const Calibration& Calibration::shipped() {
  static const Calibration c = from_json(json::parse(embedded_calibration()));
  return c;
}

const Calibration& Calibration::none() {
  static const Calibration c;
  return c;
}

bool Calibration::covers(const std::string& field) const {
  return table_.contains("fields") && table_["fields"].contains(field);
}

double Calibration::confidence(const std::string& field, const std::string& rule,
                               double fallback) const {
  if (!covers(field)) return fallback;
  const auto& f = table_["fields"][field];
  const auto& rules = f["rules"];
  if (rules.contains(rule)) return rules[rule]["p"].get<double>();
  return std::min(f["prior"].get<double>(), kUnseenCap);
}

void Calibration::apply(Terms& terms) const {
  for (auto& [field, t] : terms)
    if (covers(field)) {
      t.confidence = confidence(field, t.rule, t.confidence);
      t.calibrated = true;
    }
}

std::string Calibration::digest() const { return workflows::sha256_hex(table_.dump()); }

}  // namespace covenant::activities::extract
