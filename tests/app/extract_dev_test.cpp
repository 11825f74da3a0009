// The rule-based extractor on the 40 labelled dev contracts (CUAD v1, CC BY 4.0): its scores
// may only go up (the floors are the figures in docs/extraction.md), what it accepts without
// review is right 95% of the time in cross-validation, and each contract's PDF gives the terms
// of its text.
//
// The contracts are not in the repository. Their folder comes from $COVENANT_DEV_CONTRACTS, else
// from the CMake setting of the same name (by default the workplace's shared data beside the
// source tree). When it holds no contracts this program says so and exits 77, which ctest
// reports as a skipped test (never as a pass); a folder named in the environment that holds
// none fails, and one that holds fewer than 40 fails the scores.
#define CATCH_CONFIG_RUNNER
#include "activities/extract/eval.hpp"
#include "activities/ingest/read_document.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

using covenant::activities::extract::RuleExtractor;
using nlohmann::json;

namespace {

std::filesystem::path& contracts_dir() {
  static std::filesystem::path dir;
  return dir;
}

std::filesystem::path dev_contracts() { return contracts_dir(); }

int labelled_contracts(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return 0;
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().string().ends_with(".labels.json")) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("COVENANT_DEV_CONTRACTS");
  std::string named = env && *env ? env : COVENANT_DEV_CONTRACTS;
  contracts_dir() = named;
  int found = labelled_contracts(contracts_dir());
  if (found == 0 && env && *env) {  // asked for by name: missing data is a failure
    std::cerr << "FAILED: $COVENANT_DEV_CONTRACTS names '" << named
              << "', which holds no labelled contracts\n";
    return 1;
  }
  if (found == 0) {
    std::cerr << "SKIPPED: no labelled dev contracts in '" << named
              << "': set COVENANT_DEV_CONTRACTS (environment, or cmake -D) to their folder\n";
    return 77;
  }
  std::cerr << "scoring the extractor on " << found << " labelled contracts in " << named << '\n';
  return Catch::Session().run(argc, argv);
}

TEST_CASE("Scores on the labelled dev contracts do not fall below the documented figures") {
  auto dir = dev_contracts();
  auto r = covenant::activities::extract::evaluate(RuleExtractor(), dir);
  CHECK(r.problems.empty());
  REQUIRE(r.contracts == 40);
  INFO(covenant::activities::extract::table(r));
  // Floors: the correct answers (normalised names equal, durations by value) measured when
  // docs/extraction.md was written.
  CHECK(r.fields["parties"].correct >= 24);
  CHECK(r.fields["agreement_date"].correct >= 29);
  CHECK(r.fields["effective_date"].correct >= 16);
  CHECK(r.fields["governing_law"].correct >= 29);
  CHECK(r.fields["renewal_term"].correct >= 16);
  CHECK(r.fields["notice_period_to_terminate_renewal"].correct >= 9);
  CHECK(r.fields["expiration_date"].correct >= 18);
  // Precision floors: wrong answers cost more than missing ones (they go unreviewed).
  for (const auto& [field, f] : r.fields) {
    INFO(field);
    CHECK(f.correct * 100 >= 90 * f.answered);
  }
}

TEST_CASE("In cross-validation, what is accepted without review is right 95% of the time") {
  auto dir = dev_contracts();
  using namespace covenant::activities::extract;
  // Each fold's confidences come from a table fitted on the other folds; the threshold is the
  // shipped default of extract.terms' min_confidence.
  auto r = evaluate(RuleExtractor(), dir, {.folds = 5});
  REQUIRE(r.contracts == 40);
  CHECK(r.threshold == RuleExtractor().default_min_confidence());
  INFO(table(r));
  int dates_answered = 0, dates_accepted = 0;
  for (const auto& field : scored_fields()) {
    INFO(field);
    const auto& f = r.fields[field];
    REQUIRE(f.accepted > 0);
    CHECK(f.accepted_correct * 100 >= 95 * f.accepted);
    if (field.ends_with("_date")) {
      dates_answered += f.answered;
      dates_accepted += f.accepted;
    }
    // Confidence that says something: not one value for every answer.
    std::set<double> seen;
    for (const auto& a : r.answers)
      if (a.field == field) seen.insert(a.confidence);
    CHECK(seen.size() > 1);
  }
  // Dates: at least 60% of the answers are accepted (coverage).
  CHECK(dates_accepted * 10 >= 6 * dates_answered);
}

namespace {

// A term's value as read: strings with their whitespace runs as one space, and without the
// offsets of the evidence inside it (a PDF's text is laid out again, so offsets move).
json comparable(const json& v) {
  if (v.is_string()) {
    static const std::regex blanks(R"(\s+)");
    auto s = std::regex_replace(v.get<std::string>(), blanks, " ");
    auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  json out = v;
  if (v.is_object()) {
    out.erase("evidence");
    for (auto& [k, x] : out.items()) x = comparable(x);
  } else if (v.is_array()) {
    for (auto& x : out) x = comparable(x);
  }
  return out;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("The PDF of each dev contract gives the terms of its text") {
  auto dir = dev_contracts();
  covenant::testing::TempDir out;
  RuleExtractor x;
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    auto pdf = out.path() / (entry.path().stem().string() + ".pdf");
    std::string cmd = std::string("python3 ") + COVENANT_SOURCE_DIR + "/scripts/text-to-pdf.py '" +
                      entry.path().string() + "' '" + pdf.string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    auto text = covenant::activities::ingest::read_document(slurp(entry.path()), "");
    auto laid_out = covenant::activities::ingest::read_document(slurp(pdf), "");
    REQUIRE(text);
    REQUIRE(laid_out);
    REQUIRE(laid_out->media_type == "application/pdf");
    auto from_text = x.extract(text->text);
    auto from_pdf = x.extract(laid_out->text);
    for (const auto& [field, t] : from_text) {
      // Fees read from tables: the PDF maker breaks a row wider than the page into two, so the
      // PDF itself no longer has the row (docs/extraction.md).
      if (field == "fees") continue;
      INFO(entry.path().filename().string() << ": " << field);
      REQUIRE(from_pdf.count(field));
      CHECK(comparable(from_pdf.at(field).value) == comparable(t.value));
      CHECK(from_pdf.at(field).rule == t.rule);
    }
    for (const auto& [field, t] : from_pdf) {
      INFO(entry.path().filename().string() << ": " << field << " only in the PDF");
      CHECK((field == "fees" || from_text.count(field)));
    }
    ++compared;
  }
  CHECK(compared == 40);
}

TEST_CASE("Audit obligations are read where CUAD labels audit rights, and not where it does not") {
  auto dir = dev_contracts();
  RuleExtractor x;
  int labelled = 0, found = 0, wrong = 0, contracts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".labels.json")) continue;
    json labels = json::parse(slurp(entry.path()));
    std::string name = entry.path().filename().string();
    auto text_file = entry.path().parent_path() / labels["text_file"].get<std::string>();
    auto terms = x.extract(slurp(text_file));
    bool audit = false;
    if (terms.count("obligations"))
      for (const auto& o : terms.at("obligations").value) audit = audit || o["kind"] == "audit";
    const json& gold = labels["labels"].value("audit_rights", json());
    bool has = gold.is_object() && gold.contains("spans") && !gold["spans"].empty();
    ++contracts;
    labelled += has;
    found += has && audit;
    wrong += !has && audit;
  }
  REQUIRE(contracts == 40);
  REQUIRE(labelled > 0);
  INFO("audit rights labelled " << labelled << ", found " << found << ", found unlabelled "
                                << wrong);
  // Floors: the figures in docs/extraction.md#obligations (100% precision, 68% recall).
  CHECK(found * 100 >= 90 * (found + wrong));
  CHECK(found * 100 >= 60 * labelled);
}
