// The examples in docs/*.md are tested so they cannot rot. Every ```yaml block that holds a
// whole workflow (it contains "kind: Workflow") must compile without a diagnostic, unless
// the line before its fence says what it must report:
//   <!-- expect: unknown-field 9:5 -->
// (line and column counted inside the block).
#include "activities/catalog.hpp"
#include "tests/support/paths.hpp"
#include "tests/workflows/case_file.hpp"
#include "workflows/compiler.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

namespace fs = std::filesystem;
using namespace covenant;

namespace {

struct Example {
  std::string doc;
  int line;
  std::string text;
  std::vector<std::string> expect;  // "code line:col"
};

std::vector<Example> examples_in(const fs::path& file) {
  static const std::regex expect_re(R"(^<!--\s*expect:\s*(\S+)\s+(\d+:\d+)\s*-->\s*$)");
  std::vector<Example> out;
  std::ifstream in(file);
  std::string line, prev;
  bool inside = false;
  Example cur;
  std::vector<std::string> pending;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!inside && line == "```yaml") {
      inside = true;
      cur = {fs::relative(file, testing::source_dir()).string(), n + 1, "", pending};
      pending.clear();
    } else if (inside && line == "```") {
      inside = false;
      if (cur.text.find("kind: Workflow") != std::string::npos) out.push_back(cur);
    } else if (inside) {
      cur.text += line + "\n";
    } else {
      std::smatch m;
      if (std::regex_match(line, m, expect_re))
        pending.push_back(m[1].str() + " " + m[2].str());
      else if (!line.empty())
        pending.clear();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Workflow examples in the docs compile, or fail exactly as the docs say") {
  activities::BuiltinCatalog catalog;
  int count = 0;
  for (const auto& doc : testing::files_in(testing::source_dir() / "docs", ".md")) {
    for (const auto& ex : examples_in(doc)) {
      ++count;
      DYNAMIC_SECTION(ex.doc << ":" << ex.line) {
        auto r = workflows::compile(ex.text, ex.doc, catalog);
        std::vector<std::string> got;
        std::string all;
        for (const auto& d : r.diagnostics) {
          got.push_back(d.code + " " + std::to_string(d.span.line) + ":" +
                        std::to_string(d.span.column));
          all += "\n    " + workflows::format(d);
        }
        INFO(ex.doc << ":" << ex.line << " reported:" << (all.empty() ? " nothing" : all));
        CHECK(got == ex.expect);
        if (ex.expect.empty()) CHECK(r.workflow != nullptr);
      }
    }
  }
  CHECK(count >= 10);
}
