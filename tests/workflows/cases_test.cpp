// Runs the language's data-file corpora:
//   tests/cases/validate/*.yaml   invalid definitions, each with its exact expected diagnostics
//   tests/cases/valid/*.yaml      valid definitions: no diagnostic at all
//   definitions/*.yaml            the shipped workflows: valid, no diagnostic
//   tests/regressions/fuzz/*      inputs the fuzzer once crashed on: must load without crashing
#include "activities/catalog.hpp"
#include "tests/support/paths.hpp"
#include "tests/workflows/case_file.hpp"
#include "workflows/compiler.hpp"
#include "workflows/validator.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace covenant;
using covenant::testing::files_in;
using covenant::testing::source_dir;

namespace {

std::string describe(const workflows::Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += "\n    " + workflows::format(d);
  return s.empty() ? "\n    (none)" : s;
}

}  // namespace

TEST_CASE("Every invalid definition in the corpus reports exactly its expected diagnostics") {
  activities::BuiltinCatalog catalog;
  auto files = files_in(source_dir() / "tests/cases/validate", ".yaml");
  REQUIRE(files.size() >= 40);
  for (const auto& file : files) {
    auto expected = covenant::testing::read_expectations(file);
    auto rel = fs::relative(file, source_dir()).string();
    DYNAMIC_SECTION(rel) {
      if (expected.empty())
        FAIL(rel << ": an invalid case must state at least one '# expect:' line");
      auto got = workflows::check_file(file.string(), catalog).diagnostics;
      INFO(rel << " reported:" << describe(got));
      CHECK(got.size() == expected.size());
      for (const auto& e : expected) {
        bool found = std::any_of(got.begin(), got.end(), [&](const workflows::Diagnostic& d) {
          return d.code == e.code && d.span.line == e.line && d.span.column == e.column &&
                 d.message.find(e.fragment) != std::string::npos;
        });
        INFO(rel << ":" << e.header_line << ": expected " << e.code << " at " << e.line << ":"
                 << e.column << " containing \"" << e.fragment << "\"");
        CHECK(found);
      }
    }
  }
}

TEST_CASE("Valid definitions compile without a single diagnostic") {
  activities::BuiltinCatalog catalog;
  auto files = files_in(source_dir() / "tests/cases/valid", ".yaml");
  auto shipped = files_in(source_dir() / "definitions", ".yaml");
  REQUIRE_FALSE(shipped.empty());
  files.insert(files.end(), shipped.begin(), shipped.end());
  for (const auto& file : files) {
    auto rel = fs::relative(file, source_dir()).string();
    DYNAMIC_SECTION(rel) {
      auto r = workflows::compile_file(file.string(), catalog);
      INFO(rel << " reported:" << describe(r.diagnostics));
      CHECK(r.diagnostics.empty());
      CHECK(r.workflow != nullptr);
    }
  }
}

TEST_CASE("Inputs that once crashed the loader load without crashing") {
  activities::BuiltinCatalog catalog;
  for (const auto& e : fs::directory_iterator(source_dir() / "tests/regressions/fuzz")) {
    if (!e.is_regular_file() || e.path().filename() == "README.md") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    DYNAMIC_SECTION(e.path().filename().string()) {
      auto r = workflows::compile(text.str(), e.path().filename().string(), catalog);
      CHECK((r.workflow != nullptr || workflows::has_errors(r.diagnostics)));
    }
  }
}
